# tellaface: the Discord bot (or, without DISCORD_TOKEN, the local chat on stdin/stdout).
#   docker build -t tellaface .
#   docker run --rm -e DISCORD_TOKEN=... -e DISCORD_CLIENT_ID=... -v tellaface-data:/app/data tellaface
#   docker run --rm -i -v tellaface-data:/app/data tellaface      # no token: the local chat
# Runs as the base image's non-root user `node` (uid 1000): /app belongs to root and is only read;
# everything the app writes (database, the chat's pictures) goes to the volume /app/data.
FROM node:24-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    DATABASE_PATH=/app/data/tellaface.db \
    OUT_DIR=/app/data/out \
    MODELS_DIR=/app/models \
    TSX_DISABLE_CACHE=1

# better-sqlite3 compiles from source when no prebuilt binary can be fetched
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# package.json's allowScripts lets better-sqlite3, esbuild and msgpackr-extract run their install scripts;
# onnxruntime-node's (a CUDA download) stays off: its CPU build ships in the package.
COPY package.json package-lock.json ./
# (the npm cache is removed by path: `npm cache clean` wants --force, which npm warns about)
RUN npm ci --omit=dev && rm -rf "$(npm config get cache)"

COPY src ./src
COPY prompts ./prompts
COPY models ./models
COPY tsconfig.json ./

RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
# node itself, not npm: no npm log files outside the volume, and `docker stop`'s SIGTERM reaches the app
CMD ["node", "--import", "tsx", "src/main.ts"]
