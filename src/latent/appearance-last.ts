/**
 * An appearance asked for with other words is drawn last: "a south asian man" is steered as "a man", then as
 * "make him south asian" on that face, holding what the rest asked for (docs/skin-tone.md, "Drawn last").
 *
 * Why: the appearance probes read much of what the other goals do. The loop for "a man" alone lifts the
 * South_Asian probe from logit −7.6 to 12.7 on seed 2, and from about 0 to 4–19 on a fifth of seeds 1–200, while
 * the same words with "south asian" stopped where the appearance goal counted as met (its level, or the seed's
 * own reading + APPEARANCE_RISE) and drew a face the probe read as less South Asian than plain "a man" on 21 of
 * 200 seeds. Rising from the face the other words make instead, the appearance is measured against what the
 * words would draw without it, as a user comparing the two would.
 *
 * Only the appearance goals that rise (RISES_FROM_START, the first time the chain names them) split an edit, and
 * only when the edit asks for something besides its appearance; the skin-tone words that come with them ("black":
 * Dark_Skin, Pale_Skin) go with them. The second part holds the first part's targets and age as an edit holds an
 * earlier edit's goals (./held-checks.ts), with the engine's own gender and age holds.
 */
import type { AttributeName } from '../face/attributes.js';
import type { Edit } from '../face/record.js';
import type { EditOptions } from './edit.js';
import { RISES_FROM_START } from './goal-checks.js';
import { goalsSet } from './held-checks.js';

/**
 * The appearances drawn last: of RISES_FROM_START, not Black nor East_Asian. "a black man" drawn last rose by its probe
 * as often (94% held, 93.5% in one go) but the independent check's top class fell 61% -> 55% (seeds 1-200). "an east
 * asian woman" drawn last read as a woman more often (the judge, as users get them: 84% -> 92%) but held its age less
 * (own probe held 89.5% -> 86% on seeds 5001-5200) and the check named East Asian on 46% -> 22% (docs/skin-tone.md).
 */
export const DRAWN_LAST: ReadonlySet<string> = new Set(['South_Asian']);

/** The skin-tone attributes that go with an appearance drawn last (what "black" and "south asian" also set). */
export const WITH_APPEARANCE: ReadonlySet<string> = new Set(['Dark_Skin', 'Pale_Skin']);

/** An edit as two: `rest` first, then `appearance` on its face, holding the rest's goals. */
export interface AppearanceLast {
  rest: Edit;
  appearance: Edit;
}

const asked = (w: number | undefined) => w !== undefined && Number.isFinite(w) && w !== 0;

/** The edit split so its rising appearance is drawn last, or undefined when it is steered in one go. */
export function appearanceLast(edit: Edit, options: EditOptions = {}): AppearanceLast | undefined {
  const names = Object.keys(edit.weights) as AttributeName[];
  const rising = names.filter((n) => RISES_FROM_START.has(n) && DRAWN_LAST.has(n) && edit.weights[n]! > 0 && Number.isFinite(edit.weights[n])
    && edit.mode[n] !== 'step' && !options.namedBefore?.has(n));
  if (rising.length === 0) return undefined;
  const last = new Set<AttributeName>([...rising, ...names.filter((n) => WITH_APPEARANCE.has(n))]);
  const restNames = names.filter((n) => !last.has(n));
  if (!restNames.some((n) => asked(edit.weights[n])) && !edit.age) return undefined;
  const pick = (keep: (n: AttributeName) => boolean) => ({
    weights: Object.fromEntries(names.filter(keep).map((n) => [n, edit.weights[n]!])) as Edit['weights'],
    mode: Object.fromEntries(names.filter(keep).map((n) => [n, edit.mode[n]]).filter(([, m]) => m !== undefined)) as Edit['mode'],
  });
  const rest: Edit = { ...edit, ...pick((n) => !last.has(n)) };
  const appearance: Edit = { text: edit.text, ...pick((n) => last.has(n)), locks: edit.locks };
  // what the edit held from earlier edits, and the rest's own targets and age (the rest names them: they win)
  const restGoals = goalsSet(rest);
  const earlier = (edit.held?.version === 1 ? edit.held.goals : []).filter((g) => !restGoals.some((r) => r.name === g.name));
  const goals = [...earlier, ...restGoals];
  return { rest, appearance: goals.length > 0 ? { ...appearance, held: { version: 1, goals } } : appearance };
}
