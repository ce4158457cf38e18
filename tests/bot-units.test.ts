import { describe, expect, it } from 'vitest';
import { faceButtonId, parseFaceButtonId } from '../src/bot/custom-ids.js';
import { faceCaption } from '../src/bot/format/face-message.js';
import { ordinal, queueMessage, splitLines } from '../src/bot/format/text.js';
import { stripBotMention } from '../src/bot/handlers/message-reply.js';
import { errFields } from '../src/bot/log-error.js';
import { QueueProgress } from '../src/bot/queue-progress.js';
import { SlidingWindowLimiter, slowDownMessage } from '../src/bot/rate-limit.js';
import { tokenProblem } from '../src/bot/token.js';
import { TINY_PNG } from './helpers/discord-fake-engine.js';
import { FAKE_TOKEN } from './helpers/discord-ids.js';

describe('SlidingWindowLimiter', () => {
  it('allows N per rolling minute per user and says when the next one is allowed', async () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(3, () => now);
    const allowed: boolean[] = [];
    for (const t of [0, 10_000, 20_000]) {
      now = t;
      allowed.push((await limiter.take('a')).ok);
    }
    expect(allowed).toEqual([true, true, true]);
    now = 30_000;
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterMs: 30_000 });
    expect((await limiter.take('b')).ok).toBe(true);
    now = 60_000; // the first hit left the window
    expect((await limiter.take('a')).ok).toBe(true);
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterMs: 10_000 });
  });

  it('words the wait in whole seconds', () => {
    expect(slowDownMessage(11_200)).toBe('slow down: try again in 12 s');
    expect(slowDownMessage(5)).toBe('slow down: try again in 1 s');
  });
});

describe('QueueProgress', () => {
  it('edits on change only, throttled, and never after stop()', async () => {
    let now = 0;
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const p = new QueueProgress(
      (text) => {
        sent.push(text);
        return new Promise<void>((r) => (release = r));
      },
      () => undefined,
      1000,
      () => now,
    );
    p.onQueued(3);
    p.onQueued(3);
    p.onQueued(2); // an edit is in flight and the interval has not passed: held back
    expect(sent).toEqual(['rendering… 3rd in line']);
    const stopped = p.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false); // stop() waits for the edit in flight
    release();
    await stopped;
    now = 5000;
    p.onQueued(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual(['rendering… 3rd in line']);
  });
});

describe('formatting', () => {
  it('ordinals and queue text', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']);
    expect(queueMessage(3)).toBe('rendering… 3rd in line');
    expect(queueMessage(1)).toBe('rendering… next in line');
  });

  it('splitLines keeps chunks within the limit, splitting overlong lines', () => {
    const chunks = splitLines(`a\n${'x'.repeat(25)}\nb`, 10);
    expect(chunks.every((c) => c.length <= 10)).toBe(true);
    expect(chunks.join('')).toContain('x'.repeat(5));
  });

  it('caption escapes markdown in user words and stays under 2000 characters', () => {
    const reply = {
      kind: 'face' as const,
      face: { id: 'f', ownerId: 'u', seed: 7, edits: [], parentId: null, createdAt: 0, model: null, truncation: 1 },
      png: TINY_PNG,
      altText: 'AI-generated face of a person who does not exist (tellaface): older ▲',
      caption: 'older ▲',
      unknown: ['*bold*', '@everyone', ...Array.from({ length: 300 }, (_, i) => `word${i}`)],
      notes: ["'young' overrides the earlier 'old'"],
    };
    const text = faceCaption(reply);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toContain('\\*bold\\*');
    expect(text).toContain('seed `7` · face `f`');
    expect(text).toContain("_'young' overrides the earlier 'old'_");
  });

  it('button ids round-trip and reject strangers', () => {
    expect(parseFaceButtonId(faceButtonId('reroll', 'abc:def'))).toEqual({ action: 'reroll', faceId: 'abc:def' });
    expect(parseFaceButtonId('face:explode:abc')).toBeUndefined();
    expect(parseFaceButtonId('other:reroll:abc')).toBeUndefined();
    expect(parseFaceButtonId('face:undo:')).toBeUndefined();
  });

  it('strips mentions of the bot only', () => {
    expect(stripBotMention('<@123> make him <@!123> younger <@456>', '123')).toBe('make him younger <@456>');
  });
});

describe('secrets', () => {
  it('errFields drops tokens and interaction tokens from logged errors', () => {
    const err = Object.assign(new Error(`bad token ${FAKE_TOKEN}`), {
      status: 404,
      url: 'https://discord.com/api/v10/webhooks/1100000000000000001/aW50ZXJhY3Rpb24tdG9rZW4/messages/@original',
      requestBody: { files: [{ data: TINY_PNG }] },
    });
    const fields = errFields(err);
    expect(JSON.stringify(fields)).not.toContain(FAKE_TOKEN);
    expect(fields.url).toBe('https://discord.com/api/v10/webhooks/1100000000000000001/[token]/messages/@original');
    expect(fields).not.toHaveProperty('requestBody');
  });

  it('token shape check never echoes the value', () => {
    expect(tokenProblem(FAKE_TOKEN)).toBeUndefined();
    expect(tokenProblem(`Bot ${FAKE_TOKEN}`)).toBeUndefined();
    expect(tokenProblem('hunter2')).not.toContain('hunter2');
    expect(tokenProblem(undefined)).toMatch(/not set/);
  });
});
