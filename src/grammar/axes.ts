/** The controls, grouped, with everyday example words: for "/face axes" help. */
import { ADDED_INFO, ATTRIBUTES, type AttributeName } from '../face/attributes.js';
import { DATA } from './data.js';

export interface AxisGroup {
  group: string;
  /** label: the attribute present ("man", "bald"); opposite: absent ("woman", "full head of hair"). */
  attributes: Array<{ name: AttributeName; label: string; opposite: string; examples: string[] }>;
}

export function axisGroups(): AxisGroup[] {
  const info = DATA.attributes.attributes;
  const order = Object.keys(info) as AttributeName[];
  return DATA.attributes.groups.map((group) => ({
    group,
    attributes: order
      .filter((name) => ATTRIBUTES.includes(name) && info[name].group === group)
      .map((name) => ({ name, label: info[name].target[1], opposite: info[name].target[0], examples: [...info[name].examples] })),
  }));
}

/** The name of the group that lists added attributes (`npm run attribute -- add`). */
export const ADDED_GROUP = 'your own';

/**
 * The added attributes (prompts/added.json) as one more group, for help that lists every control; undefined
 * when there are none. Kept apart from axisGroups(), which lists the 40 CelebA attributes.
 */
export function addedAxisGroup(): AxisGroup | undefined {
  if (ADDED_INFO.size === 0) return undefined;
  return {
    group: ADDED_GROUP,
    attributes: [...ADDED_INFO].map(([name, a]) => ({ name, label: a.target[1], opposite: a.target[0], examples: [...a.examples] })),
  };
}
