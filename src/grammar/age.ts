/**
 * Ages written with numbers: "an 80 year old", "aged 45", "in her twenties", "late 30s",
 * "thirty-something", "a man, 60". Turns the age into a target weight on Young, and keeps the years for
 * models with an age head. "10 years older" / "5 years younger" are moves in years.
 *
 * A number is an age only where the words say so (prompts/ages.json _doc): a unit, an age word, or a
 * person right before it. "version 3.5", "rated 10/10", "2 earrings", "42" on its own and "80s hair"
 * are not ages.
 */
import { DATA } from './data.js';
import type { Input } from './match.js';

const A = DATA.ages;
const NUMBER = /^(\d{1,3})(s|'s|yo|y|yr|yrs|ish|\+)?$/;
const UNIT_SUFFIXES = new Set(['yo', 'y', 'yr', 'yrs']);
const LOOSE_BEFORE = new Set(A.looseBefore);
const BARE_LINKS = new Set(A.bare.links);
const SUBJECTS = new Set(A.bare.subjects);
const DIRECT = new Set(A.bare.direct);
const DECADE_BEFORE = new Set(A.decadeBefore);
const ERA_BEFORE = new Set(A.eraBefore);
const ARTICLES = new Set(['a', 'an']);
/** Links between a person and a bare age: "a man, 60", "she is 80", "a man who is 70". */
const MAX_LINKS = 3;
/** A spelled bare number below this is a count or a pronoun ("one"), not an age. */
const MIN_SPELLED_BARE = 10;
/** Marks that join two numbers into one expression ("3.5", "10/10", "1=1", "4:3", "1,000"). */
const JOINS = /^[.,/:=*^+×]$/;
/** Marks that glue a number to whatever is before it ("Male=1", "<@-1>", "id:123"): part of code, not an age. */
const GLUED_BEFORE = /^[=:@<>_~^*\\]$/;
/** Marks that make a number an amount ("50%", "$40", "#1"). */
const AMOUNT = /^[%$€£#°]$/;
const DIGIT = /^\p{N}$/u;

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
  /** The token of a number written in digits. */
  digits?: number;
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
      return decade ? { value, end: p + 1, digits: p, decade, unit: false, roughly: false, spelled: false } : null;
    }
    return { value, end: p + 1, digits: p, unit: UNIT_SUFFIXES.has(suffix), roughly: suffix === 'ish' || suffix === '+', spelled: false };
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
  /** "older by 10 years": the move is the years, so it stands in for the "older" just before "by". */
  restatesStep?: boolean;
}

/** Young step weight (before the step size) for a move of `years` ("10 years older" = -10/12). */
function youngStepForYears(years: number): number {
  return -years / A.yearsPerStep;
}

/** A number glued to another by a mark ("3.5", "10/10", "1=1"), or to an amount sign ("50%"): not an age. */
function partOfExpression(input: Input, t: number): boolean {
  const tok = input.tokens[t];
  if (!tok) return false;
  const text = input.text;
  const before = text[tok.start - 1] ?? '';
  const after = text[tok.end] ?? '';
  if (AMOUNT.test(before) || AMOUNT.test(after)) return true;
  const signed = before === '-' || before === '+';
  if (GLUED_BEFORE.test(signed ? (text[tok.start - 2] ?? '') : before)) return true;
  return (JOINS.test(before) && DIGIT.test(text[tok.start - 2] ?? '')) || (JOINS.test(after) && DIGIT.test(text[tok.end + 1] ?? ''));
}

/**
 * What kind of person word ends at token j: a noun ("man", "granny"), a word that says "is" itself
 * ("she's", "I'm", "M" in "M, 40"), or a he/she word or subject that needs a link ("she is", "I am").
 */
function personEndingAt(input: Input, j: number): 'noun' | 'direct' | 'pronoun' | null {
  const tok = input.tokens[j];
  if (!tok) return null;
  if (DIRECT.has(tok.text)) return 'direct';
  for (let k = Math.max(0, j - 3); k <= j; k++) {
    const m = input.at(k);
    if (!m || m.end !== j + 1) continue;
    if (m.meanings.term?.person || m.meanings.person) return 'noun';
    if (m.meanings.pronoun !== undefined) return 'pronoun';
  }
  return SUBJECTS.has(tok.text) ? 'pronoun' : null;
}

function personStartingAt(input: Input, j: number): boolean {
  const m = input.at(j);
  return m !== null && (m.meanings.term?.person === true || m.meanings.person === true || m.meanings.pronoun !== undefined);
}

/** The number ends its phrase: nothing follows that it could count or describe ("over 70", "late teens, smiling"). */
function endsPhrase(input: Input, p: number): boolean {
  return input.atClauseEnd(p) || input.at(p)?.meanings.conj !== undefined || personStartingAt(input, p);
}

/**
 * A number with no unit and no age word in [start, end) is an age where a person comes just before it,
 * over at most MAX_LINKS links ("a man, 60", "man 60 bald", "she's 80", "she is 80", "a man of 50", "M, 40"),
 * or where it sits between "a"/"an" and a person ("a 35 woman"). Not "give him 2".
 */
function bareAge(input: Input, start: number, end: number): boolean {
  let links = 0;
  for (let j = start - 1; j >= 0; j--) {
    const kind = personEndingAt(input, j);
    if (kind === 'noun' || kind === 'direct' || (kind === 'pronoun' && links > 0)) return true;
    if (kind === 'pronoun') break;
    const tok = input.tokens[j] as { text: string };
    if (links >= MAX_LINKS || !(BARE_LINKS.has(tok.text) || BARE_LINKS.has(input.words[j] ?? ''))) break;
    links++;
  }
  const article = input.words[start - 1];
  const after = input.at(end);
  return article !== undefined && article !== null && ARTICLES.has(article) && (after?.meanings.term?.person === true || after?.meanings.person === true);
}

/** A decade is an age after "in" or his/her, or where its phrase ends ("40s woman", "late teens"); "80s hair", "the 80s" are eras. */
function decadeIsAge(input: Input, start: number, end: number): boolean {
  const before = input.words[start - 1];
  if (before) {
    if (DECADE_BEFORE.has(before)) return true;
    if (ERA_BEFORE.has(before)) return false;
  }
  return endsPhrase(input, end);
}

/** "7 y" with a space and nothing after: a letter, not "years" ("x 7 y"); "7 y old", "7 y/o", "aged 7 y" are ages. */
function loneLetterUnit(input: Input, p: number, end: number): boolean {
  return end === p + 1 && input.words[p] === 'y' && !input.at(end)?.meanings.ageOld;
}

export function matchAge(input: Input, i: number): AgeMatch | null {
  let p = i;
  let offset = 0;
  let prefix: 'none' | 'age' | 'loose' = 'none';
  let which: 0 | 1 | 2 = 1;
  let hasModifier = false;
  let m = input.at(p);
  if (m?.meanings.agePrefix !== undefined) {
    offset = m.meanings.agePrefix;
    prefix = LOOSE_BEFORE.has(input.words.slice(p, m.end).join(' ')) ? 'loose' : 'age';
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
  if (num.digits !== undefined && partOfExpression(input, num.digits)) return null;
  if (num.decade) {
    let end = num.end;
    const something = input.at(end);
    if (something?.meanings.ageSomething) end = something.end;
    if (!decadeIsAge(input, i, end)) return null;
    const years = num.decade[which] + offset;
    return { weight: youngWeightForAge(years), end, years };
  }
  if (hasModifier) return null;
  const numberAt = p;
  let value = num.value;
  p = num.end;
  let valid = prefix === 'age' || num.unit || num.roughly;
  const something = input.at(p);
  if (something?.meanings.ageSomething) {
    if (value % 10 === 0 && value >= 20) value += 5;
    p = something.end;
    valid = true;
  }
  let unitSaid = num.unit;
  if (!num.unit) {
    const unit = input.at(p);
    if (unit?.meanings.ageUnit && !(loneLetterUnit(input, p, unit.end) && prefix === 'none')) {
      valid = true;
      unitSaid = true;
      p = unit.end;
    }
  }
  const relative = unitSaid && prefix === 'none' ? A.relative[input.words[p] ?? ''] : undefined;
  if (relative !== undefined && value > 0 && value <= 100) {
    // "10 years older": a move, not an age
    const years = relative * value;
    return { weight: youngStepForYears(years), end: p + 1, stepYears: years };
  }
  // "older by 10 years", "younger by 5": a move too (the later match overrides the plain "older" step)
  const relativeBefore = prefix === 'none' && input.words[i - 1] === 'by' ? A.relative[input.words[i - 2] ?? ''] : undefined;
  if (relativeBefore !== undefined && value > 0 && value <= 100 && (unitSaid || !num.spelled)) {
    const years = relativeBefore * value;
    const old = input.at(p);
    return { weight: youngStepForYears(years), end: old?.meanings.ageOld ? old.end : p, stepYears: years, restatesStep: true };
  }
  if (valid) {
    const old = input.at(p);
    if (old?.meanings.ageOld) p = old.end;
  }
  // "over 70", "a woman of about 60"; not "about 3 earrings"
  if (!valid && prefix === 'loose') valid = endsPhrase(input, p);
  if (!valid && prefix === 'none' && value >= 1 && value <= 110 && (!num.spelled || value >= MIN_SPELLED_BARE)) valid = bareAge(input, numberAt, p);
  if (!valid) return null;
  const years = Math.max(A.range[0], Math.min(A.range[1], value + offset));
  return { weight: youngWeightForAge(years), end: p, years };
}
