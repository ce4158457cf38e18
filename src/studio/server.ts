import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DiskFullError, QueueFullError, RenderTimeoutError, StoreBusyError } from '../conversation/errors.js';
import type { ConversationEngine, StudioReply } from '../conversation/types.js';
import { log } from '../log.js';
import { hostAllowed } from './config.js';
import { tooLargeText } from '../photo/decode.js';
import { DEFAULT_PHOTO_LIMITS } from '../photo/limits.js';

/*
 * The studio's web server: node:http, one static page (./public: plain HTML, CSS and an ES module, no
 * build step) and one JSON endpoint, POST /api/studio, whose body is the engine's StudioRequest
 * ({"action": "open" | "preview" | "set" | "text" | "seed" | "reroll" | "undo", ...}). Everything goes
 * through the engine (src/conversation/studio.ts), the same door, render queue and store as the chat and
 * the bot. Served on loopback by default; a request whose Host is a name other than localhost, the
 * listening name or STUDIO_ALLOWED_HOSTS (DNS rebinding), or whose Origin is another site, is refused, and the API takes JSON only, so another page
 * in the browser cannot drive it.
 *
 * Answers: 200 with {kind: 'face' | 'preview' | 'text', ...}; 400 {kind: 'invalid', error} for a request
 * that is not valid (nothing stored); 503 {kind: 'error', error, retry: true} when the render queue is full,
 * a render timed out or the database is busy; 500 for anything else (details in the log).
 */

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/studio.js': { file: 'studio.js', type: 'text/javascript; charset=utf-8' },
  '/studio.css': { file: 'studio.css', type: 'text/css; charset=utf-8' },
};
const MAX_BODY = 64 * 1024;
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export interface StudioServerOptions {
  engine: ConversationEngine;
  /** Whose faces the studio works on. */
  userId: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Host names answered besides localhost, IP addresses and `host` (STUDIO_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
  /** The largest photo POST /api/photo takes (PHOTO_MAX_MB; default 8 MB). */
  photoMaxBytes?: number;
}

export interface StudioServer {
  server: http.Server;
  /** "http://127.0.0.1:8787/" */
  url: string;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function dataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The engine's reply as the page's JSON, with its status. */
export function replyJson(reply: StudioReply): { status: number; body: Json } {
  switch (reply.kind) {
    case 'studio': {
      const { face, caption, sliders, locks, canUndo } = reply.state;
      return {
        status: 200,
        body: {
          kind: 'face', stored: reply.stored, said: reply.said, unknown: reply.unknown, notes: reply.notes,
          face: { id: face.id, seed: face.seed, truncation: face.truncation, parentId: face.parentId, edits: face.edits.map((e) => e.text) },
          caption, sliders, locks, canUndo, image: dataUrl(reply.png), altText: reply.altText,
          ...(reply.controls ? { controls: reply.controls } : {}),
        },
      };
    }
    case 'preview':
      return { status: 200, body: { kind: 'preview', faceId: reply.faceId, sliders: reply.sliders, image: dataUrl(reply.png), altText: reply.altText } };
    case 'invalid':
      return { status: 400, body: { kind: 'invalid', error: reply.text } };
    case 'text':
      // the engine's own answers (nothing understood, nothing changed, nothing to undo, ...): shown, nothing lost
      return { status: reply.reason === 'error' ? 400 : 200, body: { kind: 'text', reason: reply.reason, text: reply.text } };
  }
}

/** A thrown engine error as the page's JSON: the render queue and the store say what to do; anything else is logged. */
export function errorJson(err: unknown): { status: number; body: Json } {
  if (err instanceof DiskFullError) return { status: 507, body: { kind: 'error', error: 'The disk is full: nothing was saved. Free some space and try again.', retry: true } };
  if (err instanceof QueueFullError || err instanceof RenderTimeoutError || err instanceof StoreBusyError) {
    return { status: 503, body: { kind: 'error', error: `${err.message[0]!.toUpperCase()}${err.message.slice(1)}. Nothing was lost.`, retry: true } };
  }
  return { status: 500, body: { kind: 'error', error: 'Something went wrong (the details are in the studio\'s log); nothing was saved.' } };
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: Json, extra: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), extra);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  return (await readBytes(req, MAX_BODY, `the request is larger than ${MAX_BODY / 1024} KiB`)).toString('utf8');
}

async function readBytes(req: http.IncomingMessage, max: number, tooLarge: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, tooLarge);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
}

/** The request handler (exported for tests; startStudioServer listens with it). */
export function studioHandler(options: Pick<StudioServerOptions, 'engine' | 'userId' | 'photoMaxBytes'> & { allowHost: (host: string) => boolean }) {
  const { engine, userId } = options;
  const photoMax = options.photoMaxBytes ?? DEFAULT_PHOTO_LIMITS.maxBytes;

  /**
   * POST /api/photo (the photo's bytes, Content-Type application/octet-stream: a type other sites cannot send
   * without asking): a face from the photo, then the studio opened on it, with the side-by-side picture.
   */
  async function photoApi(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!engine.photo || !engine.studio) throw new HttpError(501, 'faces from photos are not available here');
    if (!/^application\/octet-stream\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send the photo\'s bytes (Content-Type: application/octet-stream)');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) throw new HttpError(403, 'requests from other sites are refused');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > photoMax) throw new HttpError(413, tooLargeText(declared, photoMax));
    const bytes = await readBytes(req, photoMax, tooLargeText(photoMax + 1, photoMax));
    let out: { status: number; body: Json };
    try {
      const made = await engine.photo({ userId }, { bytes });
      if (made.kind !== 'face') out = replyJson(made);
      else {
        out = replyJson(await engine.studio({ userId }, { action: 'open' }));
        out.body = { ...out.body, compare: dataUrl(made.png), notes: made.notes, said: made.caption };
      }
    } catch (err) {
      out = errorJson(err);
      if (out.status === 500) log.error({ err }, 'studio photo failed');
    }
    log.info({ action: 'photo', status: out.status, kind: out.body.kind }, 'studio request');
    sendJson(res, out.status, out.body);
  }
  const files = new Map(Object.entries(STATIC).map(([route, { file, type }]) => [route, { body: fs.readFileSync(`${PUBLIC_DIR}${file}`), type }]));

  async function api(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!engine.studio) throw new HttpError(501, 'this engine has no studio');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send JSON (Content-Type: application/json)');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) throw new HttpError(403, 'requests from other sites are refused');
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'the request is not valid JSON');
    }
    const action = typeof (body as { action?: unknown } | null)?.action === 'string' ? String((body as { action: string }).action).slice(0, 20) : undefined;
    const started = performance.now();
    let out: { status: number; body: Json };
    try {
      out = replyJson(await engine.studio({ userId }, body as Parameters<NonNullable<ConversationEngine['studio']>>[1]));
    } catch (err) {
      out = errorJson(err);
      if (out.status === 500) log.error({ err, action }, 'studio request failed');
    }
    const ms = performance.now() - started;
    log.info({ action, status: out.status, kind: out.body.kind, ms: Math.round(ms) }, 'studio request');
    sendJson(res, out.status, out.body, { 'Server-Timing': `engine;dur=${ms.toFixed(1)}` });
  }

  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      try {
        if (!options.allowHost(hostName(req.headers.host ?? ''))) {
          throw new HttpError(403, 'the studio answers only to localhost, IP addresses and STUDIO_ALLOWED_HOSTS (a page reached by another name is refused)');
        }
        const url = new URL(req.url ?? '/', 'http://studio.invalid');
        if (url.pathname === '/api/photo') {
          if (req.method !== 'POST') throw new HttpError(405, 'POST a photo here');
          await photoApi(req, res);
          return;
        }
        if (url.pathname === '/api/studio') {
          if (req.method !== 'POST') throw new HttpError(405, 'POST a JSON request here');
          await api(req, res);
          return;
        }
        const file = files.get(url.pathname);
        if (!file) throw new HttpError(404, 'not found');
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'GET only');
        send(res, 200, file.type, req.method === 'HEAD' ? '' : file.body);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof HttpError) sendJson(res, err.status, { kind: 'invalid', error: err.message });
        else {
          log.error({ err }, 'studio request failed');
          sendJson(res, 500, errorJson(err).body);
        }
      }
    })();
  };
}

/** Listens on host:port; the promise fails with the listen error (EADDRINUSE, EACCES, ...). */
export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const server = http.createServer(studioHandler({ ...options, allowHost: hostAllowed(options.host, options.allowedHosts ?? []) }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
