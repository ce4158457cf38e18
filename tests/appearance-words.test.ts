/**
 * Skin tone and appearance in words (issue 26): the shipped words (prompts/appearance.json, colours.json,
 * locks.json) read as the added attributes Dark_Skin, Black, East_Asian, South_Asian and White (prompts/added.json),
 * and words for looks the model was not trained on get an honest reply, never silence.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/conversation/engine.js';
import { axesHelpText } from '../src/conversation/wording.js';
import { AxisSet } from '../src/latent/axes.js';
import { parseDescription } from '../src/grammar/index.js';
import { FakeStore } from './helpers/fake-store.js';
import { FakeRenderer, FakeScorer, makeFakeAxes } from './helpers/fake-render.js';

type W = Record<string, number | undefined>;
const weights = (text: string) => parseDescription(text).weights as W;

describe('skin tone words', () => {
  it('"a dark-skinned woman" and "a black woman" ask for dark skin, not only "not pale"', () => {
    for (const text of ['a dark-skinned woman', 'a dark skinned woman', 'a woman with dark skin', 'a black woman']) {
      const w = weights(text);
      expect(w.Dark_Skin, text).toBeGreaterThan(0.5);
      expect(w.Male, text).toBe(-1);
      expect(Object.keys(w).length, text).toBeGreaterThan(2);
    }
    expect(weights('a black woman').Black).toBe(1);
  });

  it('orders the everyday words from dark to light', () => {
    const tone = (t: string) => weights(t).Dark_Skin ?? 0;
    expect(tone('deep skin')).toBeGreaterThan(tone('brown skin'));
    expect(tone('brown skin')).toBeGreaterThan(tone('tan skin'));
    expect(tone('olive skin')).toBeGreaterThan(0);
    expect(tone('tan skin')).toBeGreaterThan(0);
    for (const t of ['light skin', 'fair skin', 'light-skinned man', 'a fair skinned girl']) expect(tone(t), t).toBeLessThan(0);
    expect(parseDescription('a woman with brown skin').unknown).toEqual([]);
  });

  it('"darker skin" and "lighter skin" are steps; "keep her skin tone" locks it', () => {
    const darker = parseDescription('darker skin');
    expect((darker.mode as Record<string, string>).Dark_Skin).toBe('step');
    expect((darker.weights as W).Dark_Skin).toBeGreaterThan(0);
    const lighter = parseDescription('make her skin lighter skin');
    expect((lighter.weights as W).Dark_Skin).toBeLessThan(0);
    expect((parseDescription('lighter skin').mode as Record<string, string>).Dark_Skin).toBe('step');
    expect(parseDescription('keep her skin tone').locks as string[]).toContain('Dark_Skin');
    expect(parseDescription('same ethnicity, older').locks as string[]).toEqual(expect.arrayContaining(['Black', 'East_Asian', 'South_Asian', 'White', 'Dark_Skin']));
  });
});

describe('appearance words', () => {
  it.each([
    ['an asian man', 'East_Asian'], ['an east asian woman', 'East_Asian'], ['a korean girl', 'East_Asian'],
    ['a south asian man', 'South_Asian'], ['an indian man', 'South_Asian'], ['a desi woman', 'South_Asian'],
    ['an african man', 'Black'], ['a black man', 'Black'], ['an african american woman', 'Black'],
    ['a white man', 'White'], ['a caucasian woman', 'White'],
  ])('"%s" asks for %s', (text, name) => {
    const p = parseDescription(text);
    expect(p.unknown).toEqual([]);
    expect((p.weights as W)[name]).toBeGreaterThan(0);
  });

  it.each(['a white man', 'a white woman', 'a caucasian woman', 'a light-skinned man', 'a woman with fair skin', 'white skin', 'a fair woman', 'make her skin lighter', 'make her fairer', 'a woman with freckles', 'a freckled man'])(
    '"%s" asks for lighter skin on the measured axis, never Pale_Skin (G draws it as an overexposed, ghostly face)', (text) => {
      const w = weights(text);
      expect(w.Dark_Skin).toBeLessThan(0);
      expect(w.Pale_Skin ?? 0).toBeLessThanOrEqual(0);
    });

  it.each(['a redhead', 'a woman with red hair', 'a strawberry blonde woman', 'a ginger man'])('"%s" asks for the hair only, not Pale_Skin', (text) => {
    const w = weights(text);
    expect(w.Brown_Hair ?? w.Blond_Hair).toBeGreaterThan(0);
    expect(w.Pale_Skin).toBeUndefined();
  });

  it('leaves hair colours alone: "black hair", "white hair", "a man with dark hair"', () => {
    expect(weights('black hair')).toEqual({ Black_Hair: 1 });
    expect(weights('white hair').Black).toBeUndefined();
    expect(weights('a man with dark hair').Dark_Skin).toBeUndefined();
  });
});

describe('looks the model was not trained to draw', () => {
  it.each(['a latina woman', 'a hispanic man', 'a middle eastern man', 'an arab woman'])('"%s": the word stays not understood and a note says why', (text) => {
    const p = parseDescription(text);
    expect(p.unknown.length).toBe(1);
    expect(p.notes.join(' ')).toMatch(/was not trained to draw/);
    expect(p.notes.join(' ')).toContain(p.unknown[0]!);
  });

  it('the engine replies with it: on the face, and when nothing else was understood', async () => {
    const engine = createEngine({
      store: new FakeStore(), renderer: new FakeRenderer(), scorer: new FakeScorer({ Male: 0.1 }), axes: makeFakeAxes([]),
      model: 'm', random: () => 0.5, now: () => 1,
    });
    const face = await engine.describe({ userId: 'u' }, 'a latina woman');
    expect(face.kind).toBe('face');
    if (face.kind === 'face') expect(face.notes.join(' ')).toMatch(/"latina": this model was not trained to draw/);
    const text = await engine.describe({ userId: 'u' }, 'hispanic');
    expect(text.kind).toBe('text');
    if (text.kind === 'text') expect(text.text).toMatch(/"hispanic": this model was not trained to draw/);
  });
});

describe('/face axes', () => {
  it('lists the skin tone and appearance controls of the shipped models, with everyday words', () => {
    const help = axesHelpText(AxisSet.fromFile(new URL('../models/axes.json', import.meta.url).pathname));
    const own = help.split('\n').find((l) => l.includes('dark skin')) ?? '';
    for (const label of ['light skin ↔ dark skin', '↔ black', '↔ east asian', '↔ south asian', '↔ white']) expect(own).toContain(label);
    expect(own).toContain('"brown skin"');
  });
});
