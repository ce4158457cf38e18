/**
 * npx tsx src/studio/screenshot.ts [--out docs/images/studio.png] [--seed S] [--rounds N] [--words TEXT]
 * The README's picture of the studio, from the real models (MODELS_DIR, default models/), and the time of a
 * preview and of a release: serves the studio on a free loopback port over a throwaway database, drives it
 * with Debian's chromium through playwright-core (a dev dependency: this is a developer's tool), moves a few
 * sliders, locks one, types a description, then writes the screenshot and prints the engine's times
 * (Server-Timing) for each kind of request, N rounds of previews and releases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { cliConfig } from '../cli/args.js';
import { createEngine } from '../conversation/engine.js';
import { engineModels, loadFaceModels } from '../render/models.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { startStudioServer } from './server.js';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** The page's document, as the functions run in the browser see it (this project's TypeScript has no DOM types). */
declare const document: { body: { dataset: Record<string, string | undefined> } };

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'docs/images/studio.png' },
      seed: { type: 'string', default: '107' },
      rounds: { type: 'string', default: '10' },
      words: { type: 'string', default: 'a bit older' },
      chromium: { type: 'string', default: process.env.STUDIO_CHROMIUM ?? '/usr/bin/chromium' },
    },
  });
  const config = cliConfig('studio screenshot');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-studio-shot-'));
  const store = openSqliteStore(path.join(dir, 'faces.db'));
  const models = await loadFaceModels({
    modelsDir: config.MODELS_DIR, provider: config.EXECUTION_PROVIDER, renderSize: config.RENDER_SIZE,
    queueCapacity: config.QUEUE_CAPACITY, maxBatch: config.MAX_BATCH, timeoutMs: config.RENDER_TIMEOUT_MS,
  });
  const engine = createEngine({ store, ...engineModels(models), truncation: config.TRUNCATION });
  const server = await startStudioServer({ engine, userId: 'studio', host: '127.0.0.1', port: 0 });
  const context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: values.chromium, headless: true, args: ARGS, viewport: { width: 1320, height: 760 },
  });
  const times = new Map<string, number[]>();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('response', (res) => {
      const body = res.request().postData();
      const timing = /engine;dur=([\d.]+)/.exec(res.headers()['server-timing'] ?? '');
      if (!body || !timing) return;
      const action = (JSON.parse(body) as { action: string }).action;
      times.set(action, [...(times.get(action) ?? []), Number(timing[1])]);
    });
    const settled = () => page.waitForFunction(() => document.body.dataset.pending === '0');
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.fill('[data-testid=seed]', values.seed!);
    await page.click('[data-testid=seed-go]');
    await settled();

    // timing rounds: a few preview steps then the release, on one slider, back and forth
    const rounds = Number(values.rounds);
    for (let i = 0; i < rounds; i++) {
      const to = i % 2 === 0 ? 0.8 : 0.2;
      for (const v of [0.2, 0.4, 0.6, to]) {
        await page.$eval('[data-testid=slider-Smiling]', (el, value) => {
          el.value = String(value);
          el.dispatchEvent(new Event('input', { bubbles: true }));
        }, v);
        await settled();
      }
      await page.$eval('[data-testid=slider-Smiling]', (el) => el.dispatchEvent(new Event('change', { bubbles: true })));
      await settled();
    }

    // the face shown in the picture
    for (const [axis, value] of [['Smiling', 0.6], ['Bangs', 0.4]] as const) {
      await page.fill(`[data-testid=slider-${axis}]`, String(value));
      await settled();
    }
    await page.locator('.axis[data-axis=Male] label.lock').click();
    await settled();
    if (values.words) {
      await page.fill('[data-testid=text]', values.words);
      await page.click('[data-testid=text-go]');
      await settled();
    }
    // a slider mid-drag, as a person would see it
    await page.$eval('[data-testid=slider-Wavy_Hair]', (el) => {
      el.value = '0.5';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await settled();
    fs.mkdirSync(path.dirname(path.resolve(values.out!)), { recursive: true });
    await page.screenshot({ path: values.out!, fullPage: true });
    console.log(`wrote ${values.out}`);
  } finally {
    await context.close();
    await server.close();
    await models.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const [action, ms] of times) {
    console.log(`${action.padEnd(8)} n=${String(ms.length).padStart(3)}  p50 ${quantile(ms, 0.5).toFixed(0)} ms  p90 ${quantile(ms, 0.9).toFixed(0)} ms`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
