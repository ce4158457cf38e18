/**
 * `npm run attribute -- add`: a probe on F's features from two folders of photos, its axis in z, written to
 * axes.json and the words file; bad input refused with a clear answer and nothing written; `npm run axes`
 * keeps what was added. On the fixture models (tests/attribute-fixture.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addAttribute, AttributeInputError, nameProblem, phraseProblem, removeAttribute, writeAllOrNothing,
} from '../src/cli/attribute-add.js';
import { detectFaces, grey, parseCascade, stockCascade, stockFaceCheck } from '../src/photo/haar.js';
import { framePhoto } from '../src/cli/attribute-images.js';
import { readAddedFile, type AttributeName } from '../src/face/attributes.js';
import { AxisSet } from '../src/latent/axes.js';
import { fitLogistic, trainProbe } from '../src/latent/probe.js';
import { prng } from '../src/latent/seed.js';
import { dot } from '../src/latent/vector.js';
import { Classifier } from '../src/render/classifier.js';
import { fingerprint } from '../src/render/fingerprint.js';
import { probesProblem } from '../src/render/models.js';
import { DIRECTION, FIXTURE_MODELS, FIXTURE_NAME, FIXTURE_WORDS, copyModels, makePhotoFolders, quickOptions } from './attribute-fixture.js';

const TSX = path.resolve('node_modules/.bin/tsx');
let tmp: string;
let folders: { pos: string; neg: string };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-attribute-'));
  folders = await makePhotoFolders(path.join(tmp, 'photos'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of the fixture models and no words file, in its own folder. */
function freshModels(label: string): { dir: string; models: string } {
  const dir = path.join(tmp, label);
  return { dir, models: copyModels(dir) };
}

/** Every file of a folder and its bytes, to check that a refused add wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p).toString('base64');
  }
  return out;
}

describe('the features output of F', () => {
  it('the fixture F gives its features (the flattened image), and its logits are the head applied to them', async () => {
    const f = await Classifier.load(path.join(FIXTURE_MODELS, 'classifier.onnx'), 'cpu');
    try {
      expect(f.hasFeatures).toBe(true);
      expect(f.featureSize).toBe(3 * 16 * 16);
      const data = Float32Array.from({ length: 2 * 3 * 16 * 16 }, (_, i) => Math.sin(i));
      const out = await f.read({ data, count: 2, size: 16 });
      expect(Array.from(out.features!)).toEqual(Array.from(data)); // F's head reads the image itself
      expect(out.logits).toHaveLength(80);
    } finally {
      await f.close();
    }
  });

  it('the shipped F gives 256 features next to its logits and age', async () => {
    const f = await Classifier.load(path.resolve('models/classifier.onnx'), 'cpu');
    try {
      expect(f.hasFeatures && f.hasAge).toBe(true);
      expect(f.featureSize).toBe(256);
    } finally {
      await f.close();
    }
  });
});

describe('the probe (logistic regression)', () => {
  it('finds a separating direction, weighs the two sides equally, and says how well it holds out', () => {
    const rand = prng(3);
    const n = 300;
    const d = 6;
    const x = new Float32Array(n * d);
    const label = new Uint8Array(n);
    const group = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n; i++) {
      label[i] = i < 60 ? 1 : 0; // 60 with, 240 without
      for (let j = 0; j < d; j++) x[i * d + j] = rand() * 2 - 1 + (j === 2 ? (label[i] ? 0.9 : -0.9) : 0);
    }
    const { fit, quality } = trainProbe(x, label, group, n, d, { lambda: 1 });
    expect(quality.accuracy).toBeGreaterThan(0.9);
    expect(quality.auc).toBeGreaterThan(0.95);
    const largest = fit.weights.reduce((best, v, j) => (Math.abs(v) > Math.abs(fit.weights[best]!) ? j : best), 0);
    expect(largest).toBe(2);
    // balanced: the boundary sits between the two clouds whatever their sizes
    expect(Math.abs(fit.bias)).toBeLessThan(1);
  });

  it('the iterative solver (used with more features than rows) agrees with the direct one', () => {
    const rand = prng(9);
    const n = 60;
    const d = 10;
    const x = Float32Array.from({ length: n * d }, () => rand() * 2 - 1);
    const y = Array.from({ length: n }, (_, i) => (x[i * d]! + 0.3 * x[i * d + 1]! + 0.3 * (rand() - 0.5) > 0 ? 1 : 0));
    const w = Array.from({ length: n }, () => 1);
    const direct = fitLogistic(x, y, w, n, d, { lambda: 2, solver: 'direct' });
    const iterative = fitLogistic(x, y, w, n, d, { lambda: 2, solver: 'iterative' });
    for (let j = 0; j < d; j++) expect(iterative.weights[j]!).toBeCloseTo(direct.weights[j]!, 4);
    expect(iterative.bias).toBeCloseTo(direct.bias, 4);
  });
});

describe('npm run attribute -- add', () => {
  let added: { dir: string; models: string };

  beforeAll(async () => {
    added = freshModels('added');
    await addAttribute(quickOptions(added.dir, added.models, folders));
  });

  it('writes the probe and the axis to axes.json, and the words to the words file', () => {
    const axes = AxisSet.fromFile(path.join(added.models, 'axes.json'));
    const name = FIXTURE_NAME as AttributeName;
    const m = axes.added().find((a) => a.probe.name === name)!;
    expect(m.record.heldOutAccuracy).toBeGreaterThan(0.9);
    expect(m.record.positives).toBe(30);
    expect(m.record.classifier).toBe(fingerprint(path.join(added.models, 'classifier.onnx')).sha256);
    expect(m.probe.weights).toHaveLength(768);
    // its axis in z is the direction the photos differ along
    const axis = axes.require(name);
    expect(dot(axis.vector, DIRECTION) / Math.hypot(...DIRECTION)).toBeGreaterThan(0.95);
    expect(axis.controllable).toBe(true);
    // the 40 are untouched
    const before = AxisSet.fromFile(path.join(FIXTURE_MODELS, 'axes.json'));
    expect(Array.from(axes.require('Smiling').vector)).toEqual(Array.from(before.require('Smiling').vector));
    const words = readAddedFile(path.join(added.dir, 'added.json'));
    expect(words.attributes[FIXTURE_NAME]?.say).toEqual(FIXTURE_WORDS);
    expect(words.attributes[FIXTURE_NAME]?.source?.positive).toBe(folders.pos);
  });

  it('refuses the same name again, and a name of the 40', async () => {
    const before = snapshot(added.dir);
    await expect(addAttribute(quickOptions(added.dir, added.models, folders))).rejects.toThrow(/already an added attribute Zorbly/);
    await expect(addAttribute(quickOptions(added.dir, added.models, folders, { name: 'smiling' }))).rejects.toThrow(/one of the 40.*Smiling/);
    expect(snapshot(added.dir)).toEqual(before);
  });

  it('axes.json with an added attribute is checked when it loads, and F must be able to feed its probe', () => {
    const json = JSON.parse(fs.readFileSync(path.join(added.models, 'axes.json'), 'utf8')) as { added: Record<string, { axis: number[] }> };
    const entry = json.added[FIXTURE_NAME]!;
    expect(() => AxisSet.fromJSON({ ...json, added: { Smiling: entry } })).toThrow(/not a valid name for an added attribute/);
    expect(() => AxisSet.fromJSON({ ...json, added: { [FIXTURE_NAME]: { ...entry, axis: [1, 2] } } })).toThrow(/has 2 numbers, expected 8/);
    const axes = AxisSet.fromJSON(json);
    const f = (hasFeatures: boolean, featureSize: number | undefined) => ({ file: 'F.onnx', hasFeatures, featureSize }) as unknown as Classifier;
    expect(probesProblem(axes, f(true, 768), 'axes.json')).toBeUndefined();
    expect(probesProblem(axes, f(false, undefined), 'axes.json')).toMatch(/has no `features` output.*onnx_features\.py/);
    expect(probesProblem(axes, f(true, 256), 'axes.json')).toMatch(/read 768 features but F\.onnx gives 256/);
    expect(probesProblem(AxisSet.fromFile(path.join(FIXTURE_MODELS, 'axes.json')), f(false, undefined), 'axes.json')).toBeUndefined();
  });

  it('npm run attribute -- remove takes it out of both files', () => {
    const { dir, models } = freshModels('remove');
    fs.copyFileSync(path.join(added.models, 'axes.json'), path.join(models, 'axes.json'));
    fs.copyFileSync(path.join(added.dir, 'added.json'), path.join(dir, 'added.json'));
    removeAttribute(FIXTURE_NAME, models, path.join(dir, 'added.json'));
    expect(AxisSet.fromFile(path.join(models, 'axes.json')).added()).toEqual([]);
    expect(readAddedFile(path.join(dir, 'added.json')).attributes).toEqual({});
    expect(() => removeAttribute(FIXTURE_NAME, models, path.join(dir, 'added.json'))).toThrow(/no added attribute Zorbly/);
  });

  it('npm run axes keeps the added attribute, its axis found again', () => {
    const out = path.join(added.dir, 'axes-again.json');
    fs.copyFileSync(path.join(added.models, 'axes.json'), out);
    const r = spawnSync(TSX, ['src/cli/axes.ts', '--models-dir', added.models, '--samples', '400', '--calibration-seeds', '8', '--out', out], {
      encoding: 'utf8', timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/keeping 1 added attribute.*Zorbly/);
    const again = AxisSet.fromFile(out);
    const first = AxisSet.fromFile(path.join(added.models, 'axes.json'));
    const name = FIXTURE_NAME as AttributeName;
    expect(again.added().map((m) => m.probe.name)).toEqual([name]);
    expect(Array.from(again.probes()[0]!.weights)).toEqual(Array.from(first.probes()[0]!.weights));
    expect(dot(again.require(name).vector, first.require(name).vector)).toBeGreaterThan(0.99);
    expect(again.require('Male')).toBeDefined();
  });

  it('npm run axes drops a probe learned on another F, saying how to add it again', () => {
    const out = path.join(added.dir, 'axes-other-f.json');
    const json = JSON.parse(fs.readFileSync(path.join(added.models, 'axes.json'), 'utf8')) as { added: Record<string, { probe: { classifier: string } }> };
    json.added[FIXTURE_NAME]!.probe.classifier = 'ffffffffffff';
    fs.writeFileSync(out, JSON.stringify(json));
    const r = spawnSync(TSX, ['src/cli/axes.ts', '--models-dir', added.models, '--samples', '400', '--calibration-seeds', '8', '--out', out], {
      encoding: 'utf8', timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not keeping the added attribute Zorbly .*another classifier's features; add it again with npm run attribute -- add Zorbly --positive \S+pos --negative \S+neg --crop none/);
    expect(AxisSet.fromFile(out).added()).toEqual([]);
  });
});

describe('bad input gets a clear answer and changes nothing', () => {
  let dir: string;
  let models: string;
  let before: Record<string, string>;

  beforeAll(() => {
    ({ dir, models } = freshModels('bad'));
    before = snapshot(dir);
  });

  async function refused(more: Parameters<typeof quickOptions>[3], message: RegExp): Promise<void> {
    const err = await addAttribute(quickOptions(dir, models, folders, more)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttributeInputError);
    expect((err as Error).message).toMatch(message);
    expect(snapshot(dir)).toEqual(before);
  }

  it('a folder with too few photos', async () => {
    const few = path.join(tmp, 'few');
    fs.mkdirSync(few, { recursive: true });
    for (const f of fs.readdirSync(folders.pos).slice(0, 5)) fs.copyFileSync(path.join(folders.pos, f), path.join(few, f));
    await refused({ positive: few }, /holds 5 photos; at least 20 are needed/);
  });

  it('a folder that does not exist, or the same folder twice', async () => {
    await refused({ negative: path.join(tmp, 'nowhere') }, /--negative: there is no folder/);
    await refused({ negative: folders.pos }, /the same folder/);
  });

  it('unreadable files are named (or left out with --skip-unreadable)', async () => {
    const messy = path.join(tmp, 'messy');
    fs.cpSync(folders.neg, messy, { recursive: true });
    fs.writeFileSync(path.join(messy, 'broken.jpg'), 'this is not a photo');
    fs.writeFileSync(path.join(messy, 'notes.txt'), 'ignored: not a photo file');
    await refused({ negative: messy }, /1 of 31 files are not readable photos: broken\.jpg.*--skip-unreadable/);
    const r = await addAttribute(quickOptions(dir, models, folders, { negative: messy, skipUnreadable: true, dryRun: true }));
    expect(r.negatives).toBe(30);
    expect(r.skipped.map((s) => path.basename(s.file))).toEqual(['broken.jpg']);
    expect(snapshot(dir)).toEqual(before); // a dry run writes nothing either
  });

  it('folders F cannot tell apart', async () => {
    const mixedA = path.join(tmp, 'mixed-a');
    const mixedB = path.join(tmp, 'mixed-b');
    fs.mkdirSync(mixedA);
    fs.mkdirSync(mixedB);
    const all = [...fs.readdirSync(folders.pos).map((f) => path.join(folders.pos, f)), ...fs.readdirSync(folders.neg).map((f) => path.join(folders.neg, f))];
    all.forEach((f, i) => fs.copyFileSync(f, path.join(i % 2 ? mixedA : mixedB, path.basename(f))));
    await refused({ positive: mixedA, negative: mixedB }, /cannot tell the two folders apart/);
  });

  it('names and words that clash with what the grammar already knows', async () => {
    await refused({ name: 'Eyeglasses' }, /one of the 40 attributes/);
    await refused({ name: '9lives' }, /not a usable name/);
    await refused({ words: ['glasses'] }, /"glasses" already means Eyeglasses/);
    await refused({ words: ['the'] }, /grammar words only/);
    await refused({ words: ['more typical'] }, /how typical the face is/);
    expect(nameProblem('Zorbly', ['zorbly'])).toMatch(/already an added attribute/);
    expect(phraseProblem('zorbly', new Map([['Other', { label: 'z', target: ['a', 'b'], say: ['Zorbly'], examples: ['z'] }]]))).toMatch(/already asks for the added attribute Other/);
  });

  it('writing is all or nothing', () => {
    const a = path.join(tmp, 'atomic-a.json');
    fs.writeFileSync(a, 'old');
    expect(() => writeAllOrNothing([{ file: a, text: 'new' }, { file: path.join(tmp, 'no', 'such', 'dir', 'b.json'), text: 'x' }])).toThrow();
    expect(fs.readFileSync(a, 'utf8')).toBe('old');
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe('the face check (OpenCV\'s stock Haar cascade, in TypeScript)', () => {
  const cascade = stockCascade();
  let faces: string;
  let junk: string;

  beforeAll(async () => {
    // faces: 24 tiles of models/samples.png (G's faces, seeds 1-64, 96 px cells); not faces: noise, flat colours, gradients
    faces = path.join(tmp, 'faces');
    junk = path.join(tmp, 'junk');
    fs.mkdirSync(faces, { recursive: true });
    fs.mkdirSync(junk, { recursive: true });
    for (let k = 0; k < 24; k++) {
      await sharp('models/samples.png').extract({ left: (k % 8) * 96, top: Math.floor(k / 8) * 96, width: 96, height: 96 }).png().toFile(path.join(faces, `${k}.png`));
    }
    const rand = prng(5);
    for (let k = 0; k < 24; k++) {
      const rgb = Buffer.alloc(64 * 64 * 3);
      const c = [rand() * 255, rand() * 255, rand() * 255];
      for (let i = 0; i < rgb.length; i++) rgb[i] = k % 3 === 0 ? rand() * 255 : k % 3 === 1 ? c[i % 3]! : ((i / 3) % 64) * 4 * (c[i % 3]! / 255);
      await sharp(rgb, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(junk, `${k}.png`));
    }
  });

  it('finds G\'s faces and not noise, flat colours or gradients', async (ctx) => {
    if (!cascade && process.env.CI) throw new Error('opencv-data is missing: .ci/run installs it, so in CI this test must run');
    if (!cascade) ctx.skip(); // Debian's opencv-data is not installed
    const check = stockFaceCheck(cascade!);
    const found = async (dir: string) => {
      let n = 0;
      for (const f of fs.readdirSync(dir)) if (check.hasFace(await framePhoto(path.join(dir, f), 'none', check.size))) n++;
      return n;
    };
    expect(await found(faces)).toBeGreaterThanOrEqual(20);
    expect(await found(junk)).toBeLessThanOrEqual(1);
  });

  it('a folder of non-faces is refused, naming the photos', async (ctx) => {
    if (!cascade && process.env.CI) throw new Error('opencv-data is missing: .ci/run installs it, so in CI this test must run');
    if (!cascade) ctx.skip();
    const { dir, models } = freshModels('noface');
    const before = snapshot(dir);
    const err = await addAttribute(quickOptions(dir, models, { pos: faces, neg: junk }, { faceCheck: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AttributeInputError);
    expect((err as Error).message).toMatch(/--negative .*junk: no face found in 2\d of 24 photos \(0\.png \(no face\).*--no-face-check/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('reads cascades in OpenCV\'s format, and refuses others', () => {
    const tiny = `<opencv_storage><cascade><stageType>BOOST</stageType><featureType>HAAR</featureType><height>2</height><width>2</width>
      <stages><_><stageThreshold>0.5</stageThreshold><weakClassifiers><_><internalNodes>0 -1 0 10.</internalNodes><leafValues>0. 1.</leafValues></_></weakClassifiers></_></stages>
      <features><_><rects><_>0 0 2 1 1.</_><_>0 1 2 1 -1.</_></rects></_></features></cascade></opencv_storage>`;
    const c = parseCascade(tiny);
    expect(c.stages[0]!.stumps[0]).toEqual({ feature: 0, threshold: 10, left: 0, right: 1 });
    expect(c.features[0]).toEqual([{ x: 0, y: 0, w: 2, h: 1, weight: 1 }, { x: 0, y: 1, w: 2, h: 1, weight: -1 }]);
    expect(() => parseCascade(tiny.replace('HAAR', 'LBP'))).toThrow(/not a boosted HAAR cascade/);
    // a bright row over a dark one passes this one-stump cascade wherever it is; flat grey does not
    const img = new Uint8Array(8 * 8).map((_, i) => (Math.floor(i / 8) % 2 === 0 ? 200 : 10));
    expect(detectFaces(img, 8, 8, c, { minSize: 2, minNeighbors: 0 }).length).toBeGreaterThan(0);
    expect(detectFaces(new Uint8Array(64).fill(90), 8, 8, c, { minSize: 2, minNeighbors: 0 })).toEqual([]);
    expect(grey(Uint8Array.from([255, 0, 0, 0, 0, 255]), 2, 1)).toEqual(Uint8Array.from([76, 29]));
  });
});

describe('the command line', () => {
  it('explains a bad command line and a refused add, and exits non-zero', () => {
    const usage = spawnSync(TSX, ['src/cli/attribute.ts', 'add', 'Zorbly'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/add needs --positive DIR/);
    const { models } = freshModels('cli');
    const refused = spawnSync(TSX, ['src/cli/attribute.ts', 'add', 'Smiling', '--positive', folders.pos, '--negative', folders.neg, '--models-dir', models,
      '--words-file', path.join(tmp, 'cli', 'added.json')], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^attribute: Smiling is one of the 40 attributes/m);
  });
});

describe('--crop utkface (a brow-to-chin crop placed in the training framing)', () => {
  it('puts the whole photo in the box training/utkface.py measured, TIGHT (13, 21, 51, 59) of 64, and fills the rest from its edges', async () => {
    // 100x100 like UTKFace's .chip.jpg: red inside, a one-pixel blue border (the edge the fill repeats)
    const raw = Buffer.alloc(100 * 100 * 3);
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const edge = x === 0 || y === 0 || x === 99 || y === 99;
        raw.set(edge ? [0, 0, 255] : [255, 0, 0], (y * 100 + x) * 3);
      }
    }
    const file = path.join(tmp, 'utk.png');
    await sharp(raw, { raw: { width: 100, height: 100, channels: 3 } }).png().toFile(file);
    const rgb = await framePhoto(file, 'utkface', 64);
    const at = (x: number, y: number) => [...rgb.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    expect(rgb.length).toBe(64 * 64 * 3);
    const red = ([r, , b]: number[]) => r! > 200 && b! < 60;
    const blue = ([r, , b]: number[]) => b! > 150 && r! < 100;
    for (const [x, y] of [[15, 23], [49, 23], [15, 57], [49, 57], [32, 40]] as const) expect(red(at(x, y))).toBe(true);
    for (const [x, y] of [[2, 2], [61, 2], [2, 61], [61, 61], [32, 5], [5, 40]] as const) expect(blue(at(x, y))).toBe(true);
  });
});
