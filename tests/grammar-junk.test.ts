import { describe, expect, it } from 'vitest';
import { parseDescription } from '../src/grammar/index.js';

describe('junk does not make weights (issue 29 item 5)', () => {
  it('reads the weights syntax of npm run face as those weights, not as "male" and an age of 1', () => {
    const r = parseDescription('Male=1,Young=-0.5');
    expect(r.weights).toEqual({ Male: 1, Young: -0.5 });
    expect(r.age?.mode).toBe('atLeast');
  });

  it('does not read a weight inside a sentence as a word and an age', () => {
    const r = parseDescription('a man Young=-0.5');
    expect(r.weights).toEqual({ Male: 1 });
    expect(r.notes.join(' ')).toMatch(/Young=-0\.5' was not read/);
  });

  it('refuses a weights list with a name that is not an attribute, saying which', () => {
    const r = parseDescription('Male=1,Wings=2');
    expect(r.weights).toEqual({});
    expect(r.notes.join(' ')).toMatch(/Wings/);
  });

  it.each(['x 7 y', '@everyone <@-1>', '<@!123> <#45> <@&6> <t:1700000000:R>', 'id:12', 'n=5'])('%s sets no age', (text) => {
    const r = parseDescription(text);
    expect(r.weights.Young).toBeUndefined();
    expect(r.age).toBeUndefined();
  });

  it('still reads real ages', () => {
    expect(parseDescription('a 7 y old').age).toEqual({ mode: 'exact', years: 7 });
    expect(parseDescription('a man, 60').age).toEqual({ mode: 'exact', years: 60 });
    expect(parseDescription('7y boy').age?.years).toBe(7);
  });

  it('caps a pile of "older"s at what the clamped weight means, and says so', () => {
    const r = parseDescription(Array(20).fill('older').join(' '));
    expect(r.weights.Young).toBe(-2);
    expect(r.age?.mode).toBe('step');
    expect(r.age!.years).toBeLessThanOrEqual(50);
    expect(r.notes.join(' ')).toMatch(/capped/);
  });

  it('does not read a custom emoji by its name, and says it was ignored', () => {
    const r = parseDescription('a man <:smile:123>');
    expect(r.weights).toEqual({ Male: 1 });
    expect(r.notes.join(' ')).toMatch(/custom emoji/);
  });

  it('keeps reading the words around a mention', () => {
    expect(parseDescription('<@123456> smiling, glasses').weights).toEqual({ Smiling: 1, Eyeglasses: 1 });
  });
});
