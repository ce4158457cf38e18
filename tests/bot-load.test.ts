import { describe, expect, it } from 'vitest';
import { runBotLoad } from '../bench/bot-load.js';
import { FakeFaceEngine } from './helpers/discord-fake-engine.js';
import { FakeStore } from './helpers/fake-store.js';

describe('bench/bot-load', () => {
  it('delivers every concurrent /face describe through the handlers (fake engine)', async () => {
    const engine = new FakeFaceEngine(new FakeStore());
    engine.renderMs = 5;
    const stats = await runBotLoad(engine, 20);
    // the fake engine does not know "bald", so 1 in 5 descriptions is answered with text instead
    expect(stats).toMatchObject({ sent: 20, delivered: 16, answeredOtherwise: 4, lost: 0 });
    expect(stats.p95Ms).toBeGreaterThanOrEqual(stats.p50Ms);
  });
});
