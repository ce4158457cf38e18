import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { discordIds } from './discord-ids.js';
import { rawUser } from './discord-gateway.js';
import type { RestCapture } from './discord-rest.js';

interface GatewayFrame {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

/**
 * A loopback stand-in for Discord's gateway (127.0.0.1, nothing leaves the machine): HELLO, heartbeat ACKs,
 * READY after IDENTIFY, or a close code instead of READY. Lets startBot run its real login path.
 */
export class FakeGateway {
  readonly identifies: { token: string; intents: number }[] = [];
  /** Close with this code instead of sending READY (e.g. 4014 DisallowedIntents). */
  closeWith: number | undefined;
  private readonly server: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private seq = 0;
  closedByClient = 0;

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.closedByClient += 1;
        this.sockets.delete(socket);
      });
      socket.on('message', (data) => this.onFrame(socket, JSON.parse(String(data)) as GatewayFrame));
      this.send(socket, { op: 10, d: { heartbeat_interval: 41_250 } });
    });
  }

  static async start(): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new FakeGateway(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers GET /gateway/bot on `rest` with this gateway's address. */
  serveGatewayInfo(rest: RestCapture): void {
    rest.respond((req) =>
      req.path === '/gateway/bot'
        ? {
            status: 200,
            body: { url: this.url, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } },
          }
        : undefined,
    );
  }

  /** Sends a dispatch (op 0) to every connected client, as Discord would. */
  dispatch(t: string, d: unknown): void {
    for (const socket of this.sockets) this.send(socket, { op: 0, t, s: ++this.seq, d });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onFrame(socket: WebSocket, frame: GatewayFrame): void {
    if (frame.op === 1) this.send(socket, { op: 11 });
    if (frame.op !== 2) return;
    this.identifies.push(frame.d as { token: string; intents: number });
    if (this.closeWith) {
      socket.close(this.closeWith, 'closed by FakeGateway');
      return;
    }
    this.send(socket, {
      op: 0,
      t: 'READY',
      s: ++this.seq,
      d: {
        v: 10,
        user: rawUser(discordIds.bot, 'tellaface', true),
        guilds: [],
        session_id: 'fake-session',
        resume_gateway_url: this.url,
        shard: [0, 1],
        application: { id: discordIds.app, flags: 0 },
      },
    });
  }

  private send(socket: WebSocket, frame: GatewayFrame): void {
    socket.send(JSON.stringify({ s: null, t: null, ...frame }));
  }
}
