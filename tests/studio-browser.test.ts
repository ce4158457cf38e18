import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import { isSliderEdit } from '../src/conversation/studio.js';
import type { ConversationEngine, StudioRequest } from '../src/conversation/types.js';
import { engineModels, loadFaceModels, type FaceModels } from '../src/render/models.js';
import { startStudioServer, type StudioServer } from '../src/studio/server.js';
import { FakeStore } from './helpers/fake-store.js';

/*
 * The studio in a real browser: Debian's chromium (.ci/run installs it; playwright-core downloads no browser),
 * driven by playwright-core against the real server and engine on the fixture models. Without
 * /usr/bin/chromium the test is skipped, but only outside CI: in CI it must run.
 */

const CHROMIUM = process.env.STUDIO_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const run = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);

/** The page's document, as the functions run in the browser see it (this project's TypeScript has no DOM types). */
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};

describe.skipIf(!run)('the studio in a real browser (chromium, fixture models)', () => {
  const USER = 'console';
  let models: FaceModels;
  let store: FakeStore;
  let server: StudioServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const actions: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    models = await loadFaceModels({
      modelsDir: path.resolve('tests/fixtures/models'), provider: 'cpu', renderSize: 128, queueCapacity: 64, maxBatch: 32, timeoutMs: 60_000,
    });
    store = new FakeStore();
    let r = 0.42;
    const engine = createEngine({ store, ...engineModels(models), random: () => (r = (r + 0.137) % 1), now: () => 1 });
    const studio = engine.studio!;
    const counted: ConversationEngine = { ...engine, studio: (ctx, req: StudioRequest) => (actions.push(req.action), studio(ctx, req)) };
    server = await startStudioServer({ engine: counted, userId: USER, host: '127.0.0.1', port: 0 });
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-studio-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // the refused seed below is a 400 the page answers in words: the browser logs it, and that is no page error
      if (msg.type() === 'error' && !/status of 400/.test(msg.text())) pageErrors.push(msg.text());
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    await models?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  const imageSrc = () => page.getAttribute('[data-testid=face]', 'src');
  const shownFace = () => page.getAttribute('[data-testid=face]', 'data-face-id');
  /** Waits until every request the page made has been answered. */
  const settled = () => page.waitForFunction(() => document.body.dataset.pending === '0');
  const faceChangedFrom = (id: string | null) =>
    page.waitForFunction((old) => document.querySelector('[data-testid=face]')?.getAttribute('data-face-id') !== old && document.body.dataset.pending === '0', id);

  it('opens on a face with a slider and a lock per axis, grouped, weak ones marked', async () => {
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    expect(await imageSrc()).toMatch(/^data:image\/png;base64,/);
    const groups = await page.locator('fieldset.group').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
    for (const g of ['age and gender', 'hair', 'face', 'accessories']) expect(groups).toContain(g);
    expect(await page.locator('fieldset[data-group="age and gender"] legend').textContent()).toBe('Age and gender');
    expect(await page.locator('input[type=range]').count()).toBe(models.axes.names().length);
    expect(await page.locator('input[type=checkbox][data-testid^=lock-]').count()).toBe(models.axes.names().length);
    const weak = models.axes.names().filter((n) => models.axes.get(n)!.controllable === false).length;
    expect(await page.locator('.axis.weak .weak-mark').count()).toBe(weak);
    expect(await page.getAttribute('[data-testid=face]', 'alt')).toContain('AI-generated');
  });

  it('moving a slider previews the face while dragging and saves one face on release', async () => {
    const startFace = await shownFace();
    const startSrc = await imageSrc();
    const facesBefore = store.faces.size;
    actions.length = 0;
    const slider = page.locator('[data-testid=slider-Smiling]');
    const box = (await slider.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width / 2, y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) {
      await page.mouse.move(box.x + box.width / 2 + (i * box.width * 0.3) / 8, y);
      await page.waitForTimeout(40);
    }
    // while the button is down nothing is stored, and the picture is a preview
    await page.waitForFunction((old) => document.querySelector('[data-testid=face]')?.getAttribute('src') !== old, startSrc);
    expect(store.faces.size).toBe(facesBefore);
    expect(await shownFace()).toBe(startFace);
    await page.mouse.up();
    await faceChangedFrom(startFace);

    expect(actions.filter((a) => a === 'preview').length).toBeGreaterThanOrEqual(1);
    expect(actions.filter((a) => a === 'set')).toHaveLength(1);
    expect(store.faces.size).toBe(facesBefore + 1);
    const current = store.faces.get(store.current.get(USER)!)!;
    expect(current.parentId).toBe(startFace);
    const smiling = current.edits[0]!.weights.Smiling!;
    expect(smiling).toBeGreaterThan(0.5);
    expect(await page.textContent('[data-testid=value-Smiling]')).toBe(`+${smiling.toFixed(2)}`);
    expect(await imageSrc()).not.toBe(startSrc);
  });

  it('locks an axis: stored with the face, and its slider holds still', async () => {
    const before = await shownFace();
    await page.locator('.axis[data-axis=Smiling] label.lock').click();
    await faceChangedFrom(before);
    expect(await page.isChecked('[data-testid=lock-Smiling]')).toBe(true);
    expect(await page.isDisabled('[data-testid=slider-Smiling]')).toBe(true);
    const current = store.faces.get(store.current.get(USER)!)!;
    expect(current.edits[0]!.locks).toEqual(['Smiling']);
  });

  it('a description goes through the grammar on top of the sliders; words it cannot read are said and kept', async () => {
    const before = await shownFace();
    const src = await imageSrc();
    await page.fill('[data-testid=text]', 'zzkx qwvv');
    await page.press('[data-testid=text]', 'Enter');
    await page.waitForSelector('[data-testid=message]:not([hidden])');
    await settled();
    expect(await page.textContent('[data-testid=message]')).toContain('zzkx');
    expect(await page.inputValue('[data-testid=text]')).toBe('zzkx qwvv');
    expect(await shownFace()).toBe(before);

    await page.fill('[data-testid=text]', 'much older, with glasses');
    await page.click('[data-testid=text-go]');
    await faceChangedFrom(before);
    expect(await page.inputValue('[data-testid=text]')).toBe('');
    expect(await page.isHidden('[data-testid=message]')).toBe(true);
    expect(await imageSrc()).not.toBe(src);
    const current = store.faces.get(store.current.get(USER)!)!;
    expect(isSliderEdit(current.edits[0]!)).toBe(true);
    expect(current.edits.at(-1)!.text).toBe('much older, with glasses');
    expect(await page.textContent('[data-testid=caption]')).toContain('older');
    expect(await page.isChecked('[data-testid=lock-Smiling]')).toBe(true);
  });

  it('undo steps back one release; a bad seed is refused in words; a seed draws that seed', async () => {
    const afterWords = await shownFace();
    const parent = store.faces.get(afterWords!)!.parentId;
    await page.click('[data-testid=undo]');
    await faceChangedFrom(afterWords);
    expect(await shownFace()).toBe(parent);
    expect(store.current.get(USER)).toBe(parent);

    const faces = store.faces.size;
    await page.fill('[data-testid=seed]', '-5');
    await page.click('[data-testid=seed-go]');
    await page.waitForSelector('[data-testid=message]:not([hidden])');
    await settled();
    expect(await page.textContent('[data-testid=message]')).toMatch(/seed must be a whole number from 0 to 4294967295/);
    expect(store.faces.size).toBe(faces);

    await page.fill('[data-testid=seed]', '777');
    await page.click('[data-testid=seed-go]');
    await faceChangedFrom(parent);
    expect(await page.textContent('[data-testid=face-info]')).toContain('seed 777');
    expect(pageErrors).toEqual([]);
  });
});
