import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStudioConfig } from '../src/studio/config.js';
import { startStudioServer, type StudioServer } from '../src/studio/server.js';
import { FakeEngine } from './helpers/fake-engine.js';

/** The status of a request to the studio on 127.0.0.1 with the given Host (and Origin). */
function statusFor(server: StudioServer, host: string, options: { origin?: string; api?: boolean } = {}): Promise<number> {
  const port = (server.server.address() as { port: number }).port;
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: options.api ? '/api/studio' : '/', method: options.api ? 'POST' : 'GET',
      headers: { Host: host, 'Content-Type': 'application/json', ...(options.origin ? { Origin: options.origin } : {}) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(options.api ? JSON.stringify({ action: 'open' }) : undefined);
  });
}

describe('the studio on a non-loopback STUDIO_HOST refuses DNS rebinding (issue 29 item 7)', () => {
  let server: StudioServer;
  beforeAll(async () => {
    server = await startStudioServer({ engine: new FakeEngine(), userId: 'u', host: '0.0.0.0', port: 0, allowedHosts: ['studio.lan'] });
  });
  afterAll(async () => server?.close());

  it('refuses a foreign name even when Origin agrees with Host', async () => {
    const port = (server.server.address() as { port: number }).port;
    const foreign = `rebind.attacker.example:${port}`;
    expect(await statusFor(server, foreign)).toBe(403);
    expect(await statusFor(server, foreign, { origin: `http://${foreign}`, api: true })).toBe(403);
  });

  it('answers localhost, IP addresses and the allowed names', async () => {
    const port = (server.server.address() as { port: number }).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `192.168.1.20:${port}`, `[::1]:${port}`, `studio.lan:${port}`, `STUDIO.LAN:${port}`]) {
      expect(await statusFor(server, host), host).toBe(200);
    }
  });

  it('reads STUDIO_ALLOWED_HOSTS as a comma-separated list of names, and refuses a URL in it', () => {
    expect(loadStudioConfig({ STUDIO_ALLOWED_HOSTS: ' Studio.lan, box.example.org ,' }).STUDIO_ALLOWED_HOSTS).toEqual(['studio.lan', 'box.example.org']);
    expect(loadStudioConfig({}).STUDIO_ALLOWED_HOSTS).toEqual([]);
    expect(() => loadStudioConfig({ STUDIO_ALLOWED_HOSTS: 'http://studio.lan:8787' })).toThrow(/STUDIO_ALLOWED_HOSTS/);
  });
});
