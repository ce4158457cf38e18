/**
 * Ages written with numbers: "an 80 year old", "aged 45", "in her twenties", "late 30s",
 * "thirty-something", "a man, 60". Turns the age into a target weight on Young, and keeps the years for
 * models with an age head. "10 years older" / "5 years younger" are moves in years.
 */
import { DATA } from './data.js';
import type { Input } from './match.js';

const A = DATA.ages;
const NUMBER = /^(\d{1,3})(s|'s|yo|y|yr|yrs|ish|\+)?$/;
const UNIT_SUFFIXES = new Set(['yo', 'y', 'yr', 'yrs']);

/** Young weight for an age, by linear interpolation along ages.json youngCurve. */
export function youngWeightForAge(age: number): number {
  const curve = A.youngCurve;
  const [lo, hi] = A.range;
  const a = Math.min(hi, Math.max(lo, age));
  let w = (curve[curve.length - 1] as [number, number])[1];
  for (let k = 1; k < curve.length; k++) {
    const [x1, y1] = curve[k] as [number, number];
    if (a <= x1) {
      const [x0, y0] = curve[k - 1] as [number, number];
      w = x1 === x0 ? y1 : y0 + ((y1 - y0) * (a - x0)) / (x1 - x0);
      break;
    }
  }
  // Keep a visible direction: an age is never "exactly neutral".
  if (Math.abs(w) < 0.1) w = w > 0 ? 0.1 : -0.1;
  return Math.round(w * 100) / 100;
}

interface NumberRead {
  value: number;
  end: number;
  decade?: readonly [number, number, number];
  unit: boolean;
  roughly: boolean;
  spelled: boolean;
}

function readNumber(input: Input, p: number): NumberRead | null {
  const tok = input.tokens[p];
  if (!tok) return null;
  if (tok.kind === 'num') {
    const m = NUMBER.exec(tok.text);
    if (!m) return null;
    const value = Number(m[1]);
    const suffix = m[2] ?? '';
    if (suffix === 's' || suffix === "'s") {
      const decade = A.decades[`${value}s`];
      return decade ? { value, end: p + 1, decade, unit: false, roughly: false, spelled: false } : null;
    }
    return { value, end: p + 1, unit: UNIT_SUFFIXES.has(suffix), roughly: suffix === 'ish' || suffix === '+', spelled: false };
  }
  const m = input.at(p);
  if (!m) return null;
  if (m.meanings.decade) return { value: 0, end: m.end, decade: m.meanings.decade, unit: false, roughly: false, spelled: true };
  if (m.meanings.number === undefined) return null;
  let value = m.meanings.number;
  let end = m.end;
  const next = input.at(end);
  const ones = next?.meanings.number;
  if (value >= 20 && value < 100 && value % 10 === 0 && ones !== undefined && ones > 0 && ones < 10 && next) {
    value += ones;
    end = next.end;
  }
  return { value, end, unit: false, roughly: false, spelled: true };
}

/**
 * The age that a Young weight stands for: the inverse of youngCurve ("old" = Young -1 -> 53, "young" = +1
 * -> 27). The curve is flat at both ends; weights past them give its end ages.
 */
export function ageForYoungWeight(w: number): number {
  const curve = A.youngCurve;
  const ys = curve.map(([, y]) => y);
  const v = Math.min(Math.max(...ys), Math.max(Math.min(...ys), w));
  for (let k = 1; k < curve.length; k++) {
    const [x0, y0] = curve[k - 1] as [number, number];
    const [x1, y1] = curve[k] as [number, number];
    if (y0 === y1) continue;
    if (v >= Math.min(y0, y1) && v <= Math.max(y0, y1)) return Math.round(x0 + ((x1 - x0) * (v - y0)) / (y1 - y0));
  }
  return (curve[0] as [number, number])[0];
}

/** Years of a plain Young step of weight w (w is already scaled by the step size: "older" = -stepSize). */
export function yearsForYoungStep(w: number, stepSize: number): number {
  return Math.round((-w / stepSize) * A.yearsPerStep * 10) / 10;
}

export interface AgeMatch {
  weight: number;
  end: number;
  /** The age in years the words name ("a 70 year old" = 70); absent for a move. */
  years?: number;
  /** A move in years ("10 years older" = +10); the weight is then a Young step of the same size. */
  stepYears?: number;
}

/** Young step weight (before the step size) for a move of `years` ("10 years older" = -10/12). */
function youngStepForYears(years: number): number {
  return -years / A.yearsPerStep;
}

export function matchAge(input: Input, i: number): AgeMatch | null {
  let p = i;
  let offset = 0;
  let prefixed = false;
  let which: 0 | 1 | 2 = 1;
  let hasModifier = false;
  let m = input.at(p);
  if (m?.meanings.agePrefix !== undefined) {
    offset = m.meanings.agePrefix;
    prefixed = true;
    p = m.end;
    m = input.at(p);
  }
  if (m?.meanings.decadeModifier !== undefined) {
    which = m.meanings.decadeModifier;
    hasModifier = true;
    p = m.end;
  }
  const num = readNumber(input, p);
  if (!num) return null;
  if (num.decade) {
    let end = num.end;
    const something = input.at(end);
    if (something?.meanings.ageSomething) end = something.end;
    const years = num.decade[which] + offset;
    return { weight: youngWeightForAge(years), end, years };
  }
  if (hasModifier) return null;
  let value = num.value;
  p = num.end;
  let valid = prefixed || num.unit || num.roughly;
  const something = input.at(p);
  if (something?.meanings.ageSomething) {
    if (value % 10 === 0 && value >= 20) value += 5;
    p = something.end;
    valid = true;
  }
  let unitSaid = num.unit;
  if (!num.unit) {
    const unit = input.at(p);
    if (unit?.meanings.ageUnit) {
      valid = true;
      unitSaid = true;
      p = unit.end;
    }
  }
  const relative = unitSaid && !prefixed ? A.relative[input.words[p] ?? ''] : undefined;
  if (relative !== undefined && value > 0 && value <= 100) {
    // "10 years older": a move, not an age
    const years = relative * value;
    return { weight: youngStepForYears(years), end: p + 1, stepYears: years };
  }
  if (valid) {
    const old = input.at(p);
    if (old?.meanings.ageOld) p = old.end;
  }
  if (!valid && !num.spelled && value >= 1 && value <= 110) {
    // A bare number is an age only where nothing else can follow it: "a man, 60" / "60 man".
    const next = input.at(p);
    const before = input.at(i - 1);
    valid =
      input.atClauseEnd(p) ||
      next?.meanings.term?.person === true ||
      next?.meanings.person === true ||
      (before?.end === i && (before.meanings.term?.person === true || before.meanings.person === true));
  }
  if (!valid) return null;
  const years = Math.max(A.range[0], Math.min(A.range[1], value + offset));
  return { weight: youngWeightForAge(years), end: p, years };
}
