import { describe, expect, it } from 'vitest';
import { attributeIndex } from '../src/face/attributes.js';
import { AGE_HELD, comparePair, SATURATED_P, type Drawn } from '../src/cli/skin-eval.js';
import type { FaceReading } from '../src/latent/steer.js';

/** A reading with P(Male) = male, an age, and the given probe logits. */
function reading(male: number, age: number, added: Record<string, number> = {}): FaceReading {
  const logits = new Float32Array(40);
  logits[attributeIndex('Male')] = Math.log(male / (1 - male));
  return { logits, age, added: added as FaceReading['added'] };
}

const drawn = (text: string, readings: FaceReading[], ita: number[]): Drawn => ({ text, readings, ita, z: [] });

describe('eval:skin comparisons (the same seeds, plain against asked)', () => {
  it('skin tone: the share of seeds drawn darker and the median difference in ITA degrees', () => {
    const r = [reading(0.1, 30), reading(0.1, 30), reading(0.1, 30), reading(0.1, 30)];
    const plain = drawn('a woman', r, [50, 40, 30, 20]);
    const asked = drawn('a dark-skinned woman', [reading(0.1, 31), reading(0.9, 30), reading(0.1, 30 + AGE_HELD + 1), reading(0.1, 30)], [20, 10, 35, 0]);
    const out = comparePair({ plain: 'a woman', asked: 'a dark-skinned woman', measure: 'ita' }, plain, asked);
    expect(out.moved).toBe(0.75); // seeds 1, 2 and 4 darker; seed 3 lighter
    expect(out.movedHeld).toBe(0.5); // seeds 1 and 4 (seed 2 turned male; seed 3 aged past AGE_HELD and is lighter)
    expect(out.median).toBe(25); // differences 30, 30, -5, 20
    expect(out.reached).toBe(0.5); // ITA <= 10 on seeds 2 and 4
    expect(out.genderHeld).toBe(0.75);
  });

  it('a probe: the share of seeds where its probability rose, with a man asked for staying a man', () => {
    const plain = drawn('a man', [reading(0.9, 40, { Black: -2 }), reading(0.9, 40, { Black: 0 })], [0, 0]);
    const asked = drawn('a black man', [reading(0.9, 41, { Black: 1 }), reading(0.2, 40, { Black: 2 })], [0, 0]);
    const out = comparePair({ plain: 'a man', asked: 'a black man', measure: 'Black' as never }, plain, asked);
    expect(out.moved).toBe(1);
    expect(out.movedHeld).toBe(0.5); // the second face no longer reads as a man
    expect(out.reached).toBe(1);
    expect(out.plainReached).toBe(0);
    expect(out.askedMean).toBeGreaterThan(out.plainMean);
  });

  it('a probe pair is also graded over the seeds whose plain face the probe does not already read past SATURATED_P', () => {
    const past = Math.log(SATURATED_P / (1 - SATURATED_P)) + 0.1; // just past the line
    const plain = drawn('a man', [reading(0.9, 40, { South_Asian: -1 }), reading(0.9, 40, { South_Asian: 1 }),
      reading(0.9, 40, { South_Asian: 12 }), reading(0.9, 40, { South_Asian: past })], [0, 0, 0, 0]);
    const asked = drawn('a south asian man', [reading(0.9, 40, { South_Asian: 2 }), reading(0.2, 40, { South_Asian: 3 }),
      reading(0.9, 40, { South_Asian: 8 }), reading(0.9, 40, { South_Asian: past - 0.05 })], [0, 0, 0, 0]);
    const out = comparePair({ plain: 'a man', asked: 'a south asian man', measure: 'South_Asian' as never }, plain, asked);
    expect(out.moved).toBe(0.5); // seeds 1 and 2 rose; 3 and 4 fell from past the line
    expect(out.unsaturated).toEqual({ seeds: 2, moved: 1, movedHeld: 0.5 }); // seed 2 no longer reads as a man
    const ita = comparePair({ plain: 'a man', asked: 'a south asian man', measure: 'ita' }, plain, asked);
    expect(ita.unsaturated).toBeUndefined();
  });

  it('the share of plain and of asked faces F reads as smiling, side by side', () => {
    const smile = (r: FaceReading, logit: number) => { r.logits[attributeIndex('Smiling')] = logit; return r; };
    const plain = drawn('a woman', [smile(reading(0.1, 30), 2), smile(reading(0.1, 30), 1), smile(reading(0.1, 30), -1), smile(reading(0.1, 30), 3)], [40, 40, 40, 40]);
    const asked = drawn('an east asian woman', [smile(reading(0.1, 30), -2), smile(reading(0.1, 30), 0.5), smile(reading(0.1, 30), -1), smile(reading(0.1, 30), -3)], [40, 40, 40, 40]);
    const out = comparePair({ plain: 'a woman', asked: 'an east asian woman', measure: 'East_Asian' as never }, plain, asked);
    expect(out.smiling).toEqual({ plain: 0.75, asked: 0.25 });
  });

  it('a probe pair is also graded by the pixels (darker cheeks) and by the independent check when it was loaded', () => {
    const check = (black: number, white: number) => ({ White: white, Black: black, East_Asian: 0.05, South_Asian: 0.05, Others: 0.9 - black - white });
    const plain: Drawn = { ...drawn('a man', [reading(0.9, 40), reading(0.9, 40), reading(0.9, 40)], [40, 30, 20]),
      check: [check(0.1, 0.6), check(0.5, 0.2), check(0.2, 0.5)] };
    const asked: Drawn = { ...drawn('a black man', [reading(0.9, 40), reading(0.9, 40 + AGE_HELD + 1), reading(0.9, 40)], [10, 35, 5]),
      check: [check(0.7, 0.1), check(0.6, 0.1), check(0.1, 0.6)] };
    const out = comparePair({ plain: 'a man', asked: 'a black man', measure: 'Black' as never }, plain, asked);
    expect(out.darker).toBeCloseTo(2 / 3); // seeds 1 and 3; seed 2 lighter
    expect(out.check!.moved).toBeCloseTo(2 / 3); // P(Black) rose on seeds 1 and 2
    expect(out.check!.movedHeld).toBeCloseTo(1 / 3); // seed 2 aged past AGE_HELD
    expect(out.check!.plainTop).toBeCloseTo(1 / 3); // Black is the top class on plain seed 2 only
    expect(out.check!.askedTop).toBeCloseTo(2 / 3);
    const unchecked = comparePair({ plain: 'a man', asked: 'a black man', measure: 'Black' as never },
      { ...plain, check: undefined }, { ...asked, check: undefined });
    expect(unchecked.check).toBeUndefined();
  });
});
