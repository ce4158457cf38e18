/**
 * A short human caption of what a parse applies, e.g. "older ▲, man, smiling, beard ▲, gender kept".
 * Targets read as plain words ("woman", "glasses", "very old"); steps as the label with
 * an arrow (▲ more, ▼ less; doubled for a big step). Labels come from prompts/attributes.json, and for added
 * attributes from prompts/added.json.
 */
import { ADDED_INFO, ALL_ATTRIBUTES, SUNGLASSES, type AttributeName } from '../face/attributes.js';
import type { ParseResult } from './types.js';
import { DATA } from './data.js';

/** An attribute's caption words (prompts/attributes.json's shape). */
type Info = (typeof DATA.attributes.attributes)[AttributeName];

/** Caption words of every attribute: prompts/attributes.json for the 40, prompts/added.json for added ones. */
const INFO: ReadonlyMap<AttributeName, Info> = new Map<AttributeName, Info>([
  ...(Object.entries(DATA.attributes.attributes) as Array<[AttributeName, Info]>),
  ...[...ADDED_INFO].map(([name, a]): [AttributeName, Info] => [name, { group: 'added', label: a.label, target: a.target, examples: a.examples }]),
]);
const BIG_STEP = 1;

function targetText(attr: AttributeName, w: number): string {
  const info = INFO.get(attr)!;
  const text = info.target[w < 0 ? 0 : 1];
  if (info.graded === false || /^(no|not) /.test(text)) return text;
  const size = Math.abs(w);
  if (size >= 1.5) return `very ${text}`;
  if (size <= 0.6) return `slightly ${text}`;
  return text;
}

function stepText(attr: AttributeName, w: number): string {
  const info = INFO.get(attr)!;
  const big = Math.abs(w) >= BIG_STEP;
  if (info.steps) return `${info.steps[w < 0 ? 0 : 1]} ${big ? '▲▲' : '▲'}`;
  const arrow = (info.inverted ? -w : w) > 0 ? '▲' : '▼';
  return `${info.label} ${big ? arrow + arrow : arrow}`;
}

/** "keep everything else" locks most attributes: say so instead of listing them. */
const MANY_LOCKS = 16;

export function lockTexts(locks: readonly AttributeName[]): string[] {
  if (locks.length >= MANY_LOCKS) return ['everything else kept'];
  const left = new Set(locks);
  const out: string[] = [];
  for (const object of DATA.locks.objects) {
    const attrs = object.lock ?? [];
    if (attrs.length > 1 && attrs.every((a) => left.has(a))) {
      out.push(`${object.name} kept`);
      for (const a of attrs) left.delete(a);
    }
  }
  if (left.size === 1 && left.has('Male')) return [...out, 'gender kept'];
  if (left.size === 1 && left.has('Young')) return [...out, 'age kept'];
  return [...out, ...ALL_ATTRIBUTES.filter((a) => left.has(a)).map((a) => `${(INFO.get(a)?.label ?? a).replace(/^older$/, 'age').replace(/^masculine$/, 'gender')} kept`)];
}

/**
 * Glasses asked for with their lenses ("clear glasses": Eyeglasses +1 and Sunglasses -1; "shades": both +1) read
 * as one word, "clear glasses" or "sunglasses", where "glasses" stands; undefined when the words do not pair them.
 */
function lensWord(result: ParseResult): string | undefined {
  const [glasses, lenses] = [result.weights.Eyeglasses, result.weights[SUNGLASSES]];
  if (glasses === undefined || lenses === undefined || glasses <= 0 || result.mode.Eyeglasses !== 'target' || result.mode[SUNGLASSES] !== 'target') return undefined;
  return lenses < 0 ? 'clear glasses' : 'sunglasses';
}

export function captionFor(result: ParseResult): string {
  const parts: string[] = [];
  const lenses = lensWord(result);
  for (const [attr, w] of Object.entries(result.weights) as Array<[AttributeName, number]>) {
    if (!Number.isFinite(w) || !INFO.has(attr) || (lenses && attr === SUNGLASSES)) continue;
    parts.push(lenses && attr === 'Eyeglasses' ? lenses : result.mode[attr] === 'step' ? stepText(attr, w) : targetText(attr, w));
  }
  parts.push(...lockTexts(result.locks));
  return parts.join(', ');
}
