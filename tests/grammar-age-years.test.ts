import { describe, expect, it } from 'vitest';
import { ageForYoungWeight, youngWeightForAge } from '../src/grammar/age.js';
import { parseDescription } from '../src/grammar/index.js';

describe('ages in years', () => {
  it.each([
    ['a 70 year old man', { mode: 'exact', years: 70 }],
    ['a 25 year old man', { mode: 'exact', years: 25 }],
    ['in her thirties', { mode: 'exact', years: 35 }],
    ['an old man', { mode: 'atLeast', years: 53 }],
    ['a young person', { mode: 'atMost', years: 27 }],
    ['older', { mode: 'step', years: 15 }],
    ['a bit older', { mode: 'step', years: 7.5 }],
    ['younger', { mode: 'step', years: -15 }],
    ['10 years older', { mode: 'step', years: 10 }],
    ['make him 5 years younger', { mode: 'step', years: -5 }],
  ])('%s -> %j', (text, age) => {
    expect(parseDescription(text).age).toEqual(age);
  });

  it('moves in years go the right way on Young too (for models without an age head)', () => {
    const older = parseDescription('10 years older');
    expect(older.mode.Young).toBe('step');
    expect(older.weights.Young!).toBeLessThan(0);
    const younger = parseDescription('5 years younger');
    expect(younger.weights.Young!).toBeGreaterThan(0);
    expect(Math.abs(younger.weights.Young!)).toBeLessThan(Math.abs(older.weights.Young!));
  });

  it('"older by 10 years" is a move of 10 years, the same as "10 years older" (it used to ask for a 10-year-old)', () => {
    const by = parseDescription('make him older by 10 years');
    expect(by.age).toEqual({ mode: 'step', years: 10 });
    expect(by.weights.Young).toBe(parseDescription('make him 10 years older').weights.Young);
    expect(by.weights.Young!).toBeLessThan(0);
    expect(parseDescription('younger by 5').age).toEqual({ mode: 'step', years: -5 });
    expect(parseDescription('an old man, older by 20 years').age).toEqual({ mode: 'atLeast', years: 73 });
  });

  it('a step after a target moves the target', () => {
    expect(parseDescription('old man, a bit younger').age).toEqual({ mode: 'atLeast', years: 45.5 });
  });

  it('"10 years old" is still an age, not a move', () => {
    expect(parseDescription('a 10 years old boy').age).toEqual({ mode: 'exact', years: 10 });
  });

  it('no age when the age is kept or not mentioned', () => {
    expect(parseDescription('keep the age, more beard').age).toBeUndefined();
    expect(parseDescription('smiling woman').age).toBeUndefined();
  });

  it('ageForYoungWeight inverts youngWeightForAge on the curve', () => {
    for (const age of [16, 22, 27, 40, 45, 55, 65, 75]) {
      expect(Math.abs(ageForYoungWeight(youngWeightForAge(age)) - age)).toBeLessThanOrEqual(1);
    }
    expect(ageForYoungWeight(5)).toBe(ageForYoungWeight(2));
    expect(ageForYoungWeight(-5)).toBe(75);
  });
});
