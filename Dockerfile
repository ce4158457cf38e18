# tellaface: the Discord bot (or, without DISCORD_TOKEN, the local chat on stdin/stdout).
#   docker build -t tellaface .
#   docker run --rm -e DISCORD_TOKEN=... -e DISCORD_CLIENT_ID=... -v tellaface-data:/app/data tellaface
FROM node:20-bookworm-slim

WORKDIR /app
# CPU onnxruntime ships inside the npm package; skip its optional CUDA download (no network needed).
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    NODE_ENV=production \
    DATABASE_PATH=/app/data/tellaface.db \
    MODELS_DIR=/app/models

# better-sqlite3 compiles from source when no prebuilt binary can be fetched
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

COPY src ./src
COPY prompts ./prompts
COPY models ./models
COPY tsconfig.json ./

RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
CMD ["npm", "start", "--silent"]
