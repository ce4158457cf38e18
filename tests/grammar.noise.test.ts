/**
 * What is not a description must not become one: numbers that are not ages, gibberish that is not a
 * typo, and chat filler. Each would otherwise turn into an edit of the face (issue 13).
 */
import { describe, expect, it } from 'vitest';
import { parseDescription, type ParseResult } from '../src/grammar/index.js';
import { typoCost } from '../src/grammar/fuzzy.js';
import { DATA } from '../src/grammar/data.js';
import { lookup, phraseWords } from '../src/grammar/vocabulary.js';

/** The engine's test for "nothing understood" (src/conversation/engine.ts understoodAnything): then no face is drawn. */
function understoodAnything(r: ParseResult): boolean {
  return Object.keys(r.weights).length > 0 || r.locks.length > 0 || r.truncation !== undefined;
}

describe('numbers are ages only where the words say so', () => {
  it.each([
    ['version 3.5', ['3.5']],
    ['rated 10/10', ['rated 10/10']],
    ['1=1', ['1=1']],
    ['42', ['42']],
    ['blonde, 25, glasses', ['25']],
    ['a man with glasses, 70', ['70']],
    ['give him 5', ['5']],
    ['50%', ['50']],
  ])('a bare number is not an age: %s (reported as not understood)', (text, unknown) => {
    const r = parseDescription(text);
    expect(r.weights.Young).toBeUndefined();
    expect(r.age).toBeUndefined();
    expect(r.unknown).toEqual(unknown);
  });

  it.each(['about 3 earrings', 'give him 2 earrings', '2 men', '80s hair', 'a 70s hairstyle', '90s vibe', 'in the 80s', 'late 80s style'])(
    'a count or an era is not an age: %s',
    (text) => {
      const r = parseDescription(text);
      expect(r.weights.Young).toBeUndefined();
      expect(r.age).toBeUndefined();
    },
  );

  it('a decimal is not read as two numbers ("3.5 years older" is not 3 years old)', () => {
    expect(parseDescription('3.5 years older').age).toEqual({ mode: 'step', years: 15 });
  });

  it.each([
    ['a 70 year old', 70],
    ['70 years old', 70],
    ['aged 70', 70],
    ['age 70', 70],
    ['age: 70', 70],
    ['a 30-year-old', 30],
    ['70yo', 70],
    ['70 y/o', 70],
    ['30ish', 30],
    ['a 30 something woman', 35],
    ['in his 70s', 75],
    ['in her seventies', 75],
    ['in her early twenties', 21],
    ['40s woman', 45],
    ['late teens', 18],
    ['a man, 70', 70],
    ['man 60 bald', 60],
    ['a man, 60 bald', 60],
    ["she's 80", 80],
    ['she is 80', 80],
    ['he is twenty', 20],
    ['a man of 50', 50],
    ['a man who is 70', 70],
    ["I'm 25", 25],
    ['M, 40, beard', 40],
    ['F, 25, blonde', 25],
    ['a woman (35)', 35],
    ['a 35 woman', 35],
    ['a woman of about 60', 60],
    ['over 70', 75],
    ['turning 40', 40],
  ])('age talk is still an age: %s -> %i', (text, years) => {
    expect(parseDescription(text).age).toEqual({ mode: 'exact', years });
  });

  it('moves in years are still moves', () => {
    expect(parseDescription('10 years older').age).toEqual({ mode: 'step', years: 10 });
    expect(parseDescription('make her 5 years younger').age).toEqual({ mode: 'step', years: -5 });
  });
});

describe('typos need a plausible slip', () => {
  it.each(['xyzzy plugh', 'plugh', 'bdony', 'moksy', 'panle', 'durad', 'flnsied', 'thecn', 'werte'])('gibberish is not understood: %s', (text) => {
    const r = parseDescription(text);
    expect(r.weights).toEqual({});
    expect(r.unknown).toEqual([text]);
    expect(r.notes).toEqual([]);
  });

  it.each([
    ['glases', 'Eyeglasses'],
    ['blnde', 'Blond_Hair'],
    ['smilling', 'Smiling'],
    ['smilw', 'Smiling'],
    ['beerd', 'No_Beard'],
    ['mustash', 'Mustache'],
    ['bushey eyebrows', 'Bushy_Eyebrows'],
    ['womn', 'Male'],
    ['yung', 'Young'],
    ['granpa', 'Male'],
    ['lbonde', 'Blond_Hair'],
    ['frwn', 'Smiling'],
    ['brwn hair', 'Brown_Hair'],
  ])('real typos are still read, with a note: %s', (text, attribute) => {
    const r = parseDescription(text);
    expect(r.weights[attribute as keyof typeof r.weights]).toBeDefined();
    expect(r.unknown).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/^read '/);
  });

  it('a drawn-out word is emphasis, not a typo', () => {
    const r = parseDescription('smiiiiling');
    expect(r.weights).toEqual({ Smiling: 1 });
    expect(r.notes).toEqual([]);
    expect(parseDescription('aaaargh').unknown).toEqual(['aaaargh']);
  });

  it('typoCost: a dropped, doubled or swapped letter, a neighbouring key or a vowel costs 1; an unlikely letter 2', () => {
    expect(typoCost('glases', 'glasses', 2)).toBe(1);
    expect(typoCost('smilling', 'smiling', 2)).toBe(1);
    expect(typoCost('baerd', 'beard', 2)).toBe(1);
    expect(typoCost('smilw', 'smile', 2)).toBe(1); // w is next to e
    expect(typoCost('beerd', 'beard', 2)).toBe(1); // a vowel for a vowel
    expect(typoCost('plugh', 'plugs', 2)).toBe(2); // h is nowhere near s
    expect(typoCost('panle', 'pale', 2)).toBe(2); // a stray n between a and l
    expect(typoCost('plugh', 'plugs', 1)).toBe(2); // capped: above the cap is cap + 1
  });
});

describe('chat filler is not a description', () => {
  it.each(['lol', 'lmao', 'lmfao', 'haha', 'hahahaha', 'lolol', 'lmaooo', 'xD', 'rofl', '😂', '🤣', '👍', '🙏', 'pls', 'thx', 'haha lol 😂 pls thx'])(
    '%s alone: nothing understood, nothing reported, no face',
    (text) => {
      const r = parseDescription(text);
      expect(r.weights).toEqual({});
      expect(r.unknown).toEqual([]);
      expect(understoodAnything(r)).toBe(false);
    },
  );

  it('filler next to a description changes nothing', () => {
    const plain = parseDescription('make him older');
    for (const text of ['make him older lol', 'lmao make him older', 'make him older 😂', 'I mean, make him older', 'haha ok, make him older pls 👍']) {
      const r = parseDescription(text);
      expect(r.weights, text).toEqual(plain.weights);
      expect(r.unknown, text).toEqual([]);
    }
  });

  it('no filler phrase is also a feature, modifier or colour (the vocabulary would win over it)', () => {
    const meaningful = DATA.stopwords.filler.filter((phrase) => {
      const meanings = lookup(phraseWords(phrase)) ?? {};
      return Object.keys(meanings).some((k) => k !== 'stop' && k !== 'ageUnit'); // "yo" is also "70 yo"
    });
    expect(meaningful).toEqual([]);
  });

  it('laughing and face emoji still describe a face', () => {
    expect(parseDescription('laughing').weights).toMatchObject({ Smiling: 1 });
    expect(parseDescription('😀').weights).toEqual({ Smiling: 1 });
    expect(parseDescription('a smiling man, nice smile').weights.Smiling).toBeGreaterThan(0);
  });
});
