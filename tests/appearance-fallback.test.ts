/**
 * A bot without the skin tone and appearance attributes (removed with `npm run attribute -- remove`, or its
 * own ADDED_ATTRIBUTES_FILE): the words that name them keep the rest of their meaning, and words left with
 * none are reported as not understood, never read as an attribute this bot cannot draw.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const dir = vi.hoisted(() => {
  const d = `${process.env.TMPDIR ?? '/tmp'}/tellaface-appearance-${process.pid}-${Date.now()}`;
  process.env.ADDED_ATTRIBUTES_FILE = `${d}/added.json`;
  return d;
});

let parse: typeof import('../src/grammar/index.js').parseDescription;

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/added.json`, JSON.stringify({ attributes: {} }));
  vi.resetModules();
  ({ parseDescription: parse } = await import('../src/grammar/index.js'));
});
afterAll(() => {
  delete process.env.ADDED_ATTRIBUTES_FILE;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('appearance words without the added attributes', () => {
  it('"a dark-skinned woman" falls back to not pale; "a black woman" too', () => {
    expect(parse('a dark-skinned woman').weights).toEqual({ Pale_Skin: -1, Male: -1 });
    expect(parse('a black woman').weights).toEqual({ Pale_Skin: -1, Male: -1 });
    expect(parse('keep her skin tone').locks).toEqual(['Pale_Skin', 'Rosy_Cheeks']);
  });

  it('"an asian man" reports "asian" as not understood', () => {
    const p = parse('an asian man');
    expect(p.weights).toEqual({ Male: 1 });
    expect(p.unknown).toEqual(['asian']);
  });
});
