/** The grammar's rules one by one: magnitudes, modes, negation, contradictions, gender, locks, captions, help data. */
import { describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../src/face/attributes.js';
import { axisGroups, captionFor, parseDescription } from '../src/grammar/index.js';
import { compileWarnings } from '../src/grammar/vocabulary.js';
import { DATA, vocabularySections } from '../src/grammar/data.js';
import { isValidTruncation } from '../src/latent/truncation.js';

const w = (text: string) => parseDescription(text).weights;

describe('vocabulary data', () => {
  it('compiles without duplicate or conflicting phrases', () => {
    expect(compileWarnings).toEqual([]);
  });

  it('reaches every one of the 40 attributes', () => {
    const reached = new Set<string>();
    for (const [, entries] of vocabularySections()) {
      for (const e of entries) for (const a of Object.keys(e.set ?? e.step ?? {})) reached.add(a);
    }
    expect([...ATTRIBUTES].filter((a) => !reached.has(a))).toEqual([]);
  });

  it('every example word in prompts/attributes.json parses to its own attribute', () => {
    const misses: string[] = [];
    for (const name of ATTRIBUTES) {
      for (const example of DATA.attributes.attributes[name].examples) {
        if (parseDescription(example).weights[name] === undefined) misses.push(`${name}: ${example}`);
      }
    }
    expect(misses).toEqual([]);
  });
});

describe('magnitudes and modes', () => {
  it('a plain mention is a target of +-1, scaled by degree words, clamped to 2', () => {
    expect(parseDescription('old')).toMatchObject({ weights: { Young: -1 }, mode: { Young: 'target' } });
    expect(w('slightly old').Young).toBeCloseTo(-0.5);
    expect(w('a bit chubby').Chubby).toBeCloseTo(0.5);
    expect(w('very old').Young).toBeCloseTo(-1.5);
    expect(w('really happy').Smiling).toBeCloseTo(1.5);
    expect(w('extremely old').Young).toBeCloseTo(-2);
    expect(w('very very extremely super old').Young).toBe(-2);
  });

  it('comparatives are steps of 0.6, "much" doubles them and "a bit" halves them', () => {
    expect(parseDescription('older')).toMatchObject({ weights: { Young: -0.6 }, mode: { Young: 'step' } });
    expect(w('much older').Young).toBeCloseTo(-1.2);
    expect(w('a bit older').Young).toBeCloseTo(-0.3);
    expect(w('even older').Young).toBeCloseTo(-0.6);
    expect(parseDescription('less makeup')).toMatchObject({ weights: { Heavy_Makeup: -0.6 }, mode: { Heavy_Makeup: 'step' } });
    expect(parseDescription('a bit more beard')).toMatchObject({ weights: { No_Beard: -0.3 }, mode: { No_Beard: 'step' } });
    expect(parseDescription('smile more').mode.Smiling).toBe('step');
  });

  it('"too" steps the other way', () => {
    expect(parseDescription('too old')).toMatchObject({ weights: { Young: 0.6 }, mode: { Young: 'step' } });
    expect(w('too much makeup').Heavy_Makeup).toBeLessThan(0);
  });

  it('ages from numbers', () => {
    expect(w('an 80 year old man').Young).toBeLessThanOrEqual(-1.8);
    expect(w('a 5 year old').Young).toBeGreaterThanOrEqual(1.8);
    expect(w('in her twenties').Young).toBeGreaterThan(0.8);
    const forties = w('in his 40s').Young ?? 0;
    expect(forties).toBeLessThan(0);
    expect(forties).toBeGreaterThan(-1);
    expect(w('middle-aged').Young).toBeCloseTo(-0.5);
    expect(w('a teenager').Young).toBeGreaterThan(1);
    expect(w('a man, 60').Young).toBeLessThan(-1);
    expect(w('2 earrings').Young).toBeUndefined();
  });
});

describe('negation', () => {
  it('negators turn a feature off', () => {
    for (const text of ['no glasses', 'without glasses', 'not wearing glasses', "isn't wearing glasses", 'take off the glasses', 'remove the glasses', 'lose the glasses', 'glasses off']) {
      expect(w(text), text).toEqual({ Eyeglasses: -1 });
    }
    expect(w('no beard')).toMatchObject({ No_Beard: 1 });
    expect(w('not old')).toEqual({ Young: 1 });
  });

  it('reaches across "or" but not past a comma or a plain "and"', () => {
    expect(w('no beard or glasses')).toEqual({ No_Beard: 1, Eyeglasses: -1 });
    expect(w('no beard, glasses')).toEqual({ No_Beard: 1, Eyeglasses: 1 });
    expect(w('no beard and smiling')).toEqual({ No_Beard: 1, Smiling: 1 });
    expect(w('without glasses and hat')).toEqual({ Eyeglasses: -1, Wearing_Hat: -1 });
  });

  it('"not very" is a mild opposite', () => {
    expect(w('not very old').Young).toBeCloseTo(0.5);
  });
});

describe('contradictions', () => {
  it('the last mention wins, with a note', () => {
    const r = parseDescription('old man, young');
    expect(r.weights.Young).toBe(1);
    expect(r.notes).toContain("'young' overrides the earlier 'old'");
  });

  it('a step after a target adjusts it; same-sign targets keep the stronger', () => {
    expect(w('old, a bit younger').Young).toBeCloseTo(-0.7);
    expect(w('an 80 year old grandpa').Young).toBe(-2);
  });
});

describe('gender', () => {
  it('pronouns imply gender, explicit words win over them', () => {
    expect(w('make him older').Male).toBe(1);
    expect(w('give her a hat').Male).toBe(-1);
    expect(w('make him a woman').Male).toBe(-1);
    expect(w('turn her into a man').Male).toBe(1);
    expect(w('a granny, he').Male).toBe(-1);
  });
});

describe('locks', () => {
  it('keep / same / unchanged lock attributes and drop their weights, with a note', () => {
    expect(parseDescription('keep the gender').locks).toEqual(['Male']);
    expect(parseDescription('same age').locks).toEqual(['Young']);
    expect(parseDescription('keep the smile').locks).toEqual(['Smiling']);
    expect(parseDescription('keep the hair').locks).toContain('Blond_Hair');
    const r = parseDescription('keep the gender, make her a man and older');
    expect(r.locks).toEqual(['Male']);
    expect(r.weights.Male).toBeUndefined();
    expect(r.weights.Young).toBeLessThan(0);
    expect(r.notes.join(' ')).toMatch(/not applied/);
  });

  it('"keep everything else" locks what the description does not change', () => {
    const r = parseDescription('make him older, keep everything else');
    expect(r.locks).not.toContain('Young');
    expect(r.locks).not.toContain('Male');
    expect(r.locks).toHaveLength(38);
    expect(captionFor(r)).toBe('older ▲, man, everything else kept');
  });
});

describe('unknown words', () => {
  it('are reported as typed, merged, deduplicated and bounded', () => {
    expect(parseDescription('an old man with a Tattoo and a tattoo').unknown).toEqual(['Tattoo']);
    expect(parseDescription('a woman with blue eyes').unknown).toEqual(['blue eyes']);
    const many = Array.from({ length: 200 }, (_, i) => `zq${i.toString(36)}x,`).join(' ');
    expect(parseDescription(many).unknown).toHaveLength(20);
  });

  it('function words are not unknown', () => {
    expect(parseDescription('please make the face of the person a bit older with the hair and give him a hat').unknown).toEqual([]);
  });

  it('typos are read, with a note', () => {
    const r = parseDescription('a blnde womn with glases');
    expect(r.weights).toMatchObject({ Blond_Hair: 1, Male: -1, Eyeglasses: 1 });
    expect(r.notes).toContain("read 'blnde' as 'blonde'");
    expect(parseDescription('a lean runner').weights.Chubby).toBe(-1); // a real word is not a typo
  });
});

describe('clear glasses and sunglasses (the Sunglasses probe)', () => {
  it('draws sunglasses asked of a woman as glasses, and says why', () => {
    const r = parseDescription('a woman in sunglasses');
    expect(r.weights).toEqual({ Male: -1, Eyeglasses: 1 });
    expect(r.notes.join(' ')).toMatch(/drawn as glasses on a woman/);
    expect(parseDescription('a man in sunglasses').notes).toEqual([]);
  });

  it('reads the lenses only where the words name them, and drops dark lenses with the glasses', () => {
    const w = (t: string) => parseDescription(t).weights as Record<string, number>;
    expect(w('a man with glasses')).toEqual({ Male: 1, Eyeglasses: 1 });
    expect(w('a man with clear glasses')).toEqual({ Male: 1, Eyeglasses: 1, Sunglasses: -1 });
    expect(w('a man in shades')).toEqual({ Male: 1, Eyeglasses: 1, Sunglasses: 1 });
    expect(w('no clear glasses')).toEqual({ Eyeglasses: -1 });
    expect(w('take off the sunglasses')).toEqual({ Eyeglasses: -1 });
    expect(w('a man with glasses, not sunglasses')).toEqual({ Male: 1, Eyeglasses: 1, Sunglasses: -1 });
    expect(w('no glasses, no sunglasses')).toEqual({ Eyeglasses: -1 });
  });
});

describe('captions', () => {
  it('read targets as words, steps with arrows, locks as kept', () => {
    expect(captionFor(parseDescription('older man, smiling, more beard, receding hairline'))).toBe('older ▲, man, smiling, beard ▲, receding hairline');
    expect(captionFor(parseDescription('a woman with glasses'))).toBe('woman, glasses');
    expect(captionFor(parseDescription('a man in sunglasses'))).toBe('man, sunglasses');
    expect(captionFor(parseDescription('a woman with clear glasses, smiling'))).toBe('woman, clear glasses, smiling');
    expect(captionFor(parseDescription('no sunglasses'))).toBe('no glasses');
    expect(captionFor(parseDescription('no beard, much younger'))).toBe('clean-shaven, younger ▲▲');
    expect(captionFor(parseDescription('an 80 year old'))).toBe('very old');
    expect(captionFor(parseDescription('keep the gender, less makeup'))).toBe('makeup ▼, gender kept');
    expect(captionFor(parseDescription('same age and gender'))).toBe('gender kept, age kept');
    expect(captionFor(parseDescription(''))).toBe('');
  });
});

describe('axis help', () => {
  it('groups all 40 attributes once, with labels and examples', () => {
    const groups = axisGroups();
    expect(groups.map((g) => g.group)).toEqual(['age and gender', 'hair', 'face', 'expression', 'accessories', 'image']);
    const names = groups.flatMap((g) => g.attributes.map((a) => a.name));
    expect(new Set(names).size).toBe(40);
    expect([...names].sort()).toEqual([...ATTRIBUTES].sort());
    for (const a of groups.flatMap((g) => g.attributes)) {
      expect(a.label.length).toBeGreaterThan(0);
      expect(a.examples.length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('typicality (truncation psi)', () => {
  it('reads "typical" and "unusual" phrases, and leaves the rest to the attribute grammar', () => {
    const typical = parseDescription('a more typical smiling woman');
    expect(typical.truncation).toBeLessThan(1);
    expect(typical.typicality).toBe('more typical');
    expect(typical.weights.Smiling).toBeGreaterThan(0);
    expect(typical.weights.Male).toBeLessThan(0);
    expect(typical.unknown).toEqual([]);
    const unusual = parseDescription('an unusual-looking old man');
    expect(unusual.truncation).toBeGreaterThanOrEqual(1);
    expect(unusual.weights.Young).toBeLessThan(0);
    expect(parseDescription('a very typical face').truncation!).toBeLessThan(typical.truncation!);
  });

  it('the last phrase said counts, and words that merely contain one do not match', () => {
    expect(parseDescription('typical, no wait, unusual').truncation).toBe(parseDescription('unusual').truncation);
    expect(parseDescription('atypicality').truncation).toBeUndefined();
    expect(parseDescription('smiling').truncation).toBeUndefined();
  });

  it('every psi in the data is in the valid range', () => {
    for (const psi of Object.values(DATA.typicality.phrases)) expect(isValidTruncation(psi)).toBe(true);
  });

  it('no typicality phrase is also a vocabulary or degree phrase (the typicality pass reads first)', () => {
    const norm = (s: string) => s.toLowerCase().replace(/[\s-]+/g, ' ');
    const taken = new Set([
      ...vocabularySections().flatMap(([, entries]) => entries.flatMap((e) => e.say.map(norm))),
      ...Object.keys(DATA.degrees.degrees).map(norm),
      ...Object.keys(DATA.degrees.adjectives).map(norm),
    ]);
    for (const phrase of Object.keys(DATA.typicality.phrases)) expect(taken.has(norm(phrase)), phrase).toBe(false);
  });

  it('keeps the meaning of what is around the phrase: negations, and phrases the vocabulary owns', () => {
    expect(parseDescription('no typical beard').weights.No_Beard).toBeGreaterThan(0);
    expect(parseDescription('without ordinary glasses').weights.Eyeglasses).toBeLessThan(0);
    expect(parseDescription('not a typical smiling man').weights.Smiling).toBe(parseDescription('not a smiling man').weights.Smiling);
    expect(parseDescription('wild eyebrows').weights.Bushy_Eyebrows).toBeGreaterThan(0);
    const ordinaryLooking = parseDescription('an ordinary-looking man');
    expect(ordinaryLooking.weights.Attractive).toBeLessThan(0);
    expect(ordinaryLooking.truncation).toBeUndefined();
  });

  it('a negation before the phrase turns it round', () => {
    const typical = parseDescription('typical').truncation!;
    expect(parseDescription('not very typical').truncation).toBe(1);
    expect(parseDescription('nothing unusual').truncation).toBe(typical);
    expect(parseDescription('not unusual at all').truncation).toBeLessThan(1);
  });

  it('reads only the first MAX_CHARS characters, typicality included, and says so', () => {
    const long = `${'smiling '.repeat(300)} unusual`;
    const r = parseDescription(long);
    expect(r.truncation).toBeUndefined();
    const cut = parseDescription(`typical ${'x'.repeat(2100)} older`);
    expect(cut.truncation).toBeLessThan(1);
    expect(cut.weights.Young).toBeUndefined();
    expect(cut.notes.join(' ')).toMatch(/first 2000 characters/);
  });
});
