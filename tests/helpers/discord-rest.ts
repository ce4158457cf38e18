import type { RESTOptions, ResponseLike } from 'discord.js';
import { discordIds, rawMessageDefaults, snowflake } from './discord-ids.js';

/** One HTTP request discord.js tried to make, decoded. */
export interface RecordedRequest {
  method: string;
  /** Path after /api/v10, without the query, e.g. /interactions/1/tok/callback. */
  path: string;
  query: URLSearchParams;
  /** The JSON body, or the payload_json part of a multipart body. */
  json: Record<string, unknown> | undefined;
  multipart: boolean;
  files: { key: string; name: string; type: string; bytes: Buffer }[];
  authorization: string | undefined;
  /** performance.now() when the request was made. */
  at: number;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
}

type Responder = (req: RecordedRequest) => FakeResponse | undefined | Promise<FakeResponse | undefined>;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPng(bytes: Buffer): boolean {
  return bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}

/**
 * Stands in for the network under discord.js's REST (`rest.makeRequest`, the documented hook): records
 * every request and answers like Discord would (204 for callbacks, a message object for posts/edits).
 * Nothing leaves the process. Add `respond` hooks to simulate failures.
 */
export class RestCapture {
  readonly requests: RecordedRequest[] = [];
  private readonly responders: Responder[] = [];

  /** Answers matching requests differently (first hook that returns a response wins). */
  respond(hook: Responder): this {
    this.responders.push(hook);
    return this;
  }

  readonly makeRequest: RESTOptions['makeRequest'] = async (url, init) => {
    const req = await decode(url, init);
    this.requests.push(req);
    for (const hook of this.responders) {
      const custom = await hook(req);
      if (custom) return toResponse(custom);
    }
    return toResponse(defaultResponse(req));
  };

  find(method: string, pathPart: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof pathPart === 'string' ? r.path.includes(pathPart) : pathPart.test(r.path)),
    );
  }

  /** "POST /interactions/…/callback" lines, for readable sequence assertions. */
  summary(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  clear(): void {
    this.requests.length = 0;
  }
}

async function decode(url: string, init: Parameters<RESTOptions['makeRequest']>[1]): Promise<RecordedRequest> {
  const parsed = new URL(url);
  const path = decodeURIComponent(parsed.pathname.replace(/^\/api\/v\d+/, ''));
  const headers = (init.headers ?? {}) as Record<string, string>;
  const req: RecordedRequest = {
    method: (init.method ?? 'GET').toUpperCase(),
    path,
    query: parsed.searchParams,
    json: undefined,
    multipart: false,
    files: [],
    authorization: headers.Authorization ?? headers.authorization,
    at: performance.now(),
  };
  const body: unknown = init.body;
  if (body instanceof FormData) {
    req.multipart = true;
    for (const [key, value] of body.entries()) {
      if (typeof value === 'string') {
        if (key === 'payload_json') req.json = JSON.parse(value) as Record<string, unknown>;
      } else {
        req.files.push({ key, name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
    }
  } else if (typeof body === 'string' && body) {
    req.json = JSON.parse(body) as Record<string, unknown>;
  }
  return req;
}

function toResponse({ status, body }: FakeResponse): ResponseLike {
  const hasBody = body !== undefined && status !== 204;
  return new Response(hasBody ? JSON.stringify(body) : null, {
    status,
    headers: hasBody ? { 'content-type': 'application/json' } : {},
  }) as unknown as ResponseLike;
}

/** A message object as Discord returns it for what was sent. */
export function messageFor(req: RecordedRequest, channelId: string, webhook: boolean): Record<string, unknown> {
  const json = req.json ?? {};
  return {
    id: snowflake(),
    channel_id: channelId,
    guild_id: discordIds.guild,
    author: { id: discordIds.bot, username: 'tellaface', discriminator: '0', global_name: null, avatar: null, bot: true },
    content: json.content ?? '',
    ...rawMessageDefaults(),
    attachments: req.files.map((f, i) => ({
      id: snowflake(),
      filename: f.name,
      size: f.bytes.length,
      url: `https://cdn.example.invalid/${i}/${f.name}`,
      proxy_url: `https://media.example.invalid/${i}/${f.name}`,
      content_type: f.type,
    })),
    embeds: json.embeds ?? [],
    components: json.components ?? [],
    type: json.message_reference ? 19 : 0,
    flags: json.flags ?? 0,
    ...(json.message_reference ? { message_reference: json.message_reference } : {}),
    ...(webhook ? { webhook_id: discordIds.app, application_id: discordIds.app } : {}),
  };
}

function defaultResponse(req: RecordedRequest): FakeResponse {
  const { method, path } = req;
  if (method === 'POST' && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path)) return { status: 204 };
  if (method === 'DELETE' && path.startsWith('/webhooks/')) return { status: 204 };
  if ((method === 'PATCH' || method === 'POST') && path.startsWith('/webhooks/')) {
    return { status: 200, body: messageFor(req, discordIds.channel, true) };
  }
  const channelPost = /^\/channels\/(\d+)\/messages$/.exec(path);
  if (method === 'POST' && channelPost?.[1]) return { status: 200, body: messageFor(req, channelPost[1], false) };
  if (method === 'POST' && /^\/channels\/\d+\/typing$/.test(path)) return { status: 204 };
  if (method === 'PUT' && path.startsWith('/applications/')) return { status: 200, body: req.json ?? [] };
  return { status: 404, body: { message: 'Unknown route (RestCapture)', code: 0 } };
}
