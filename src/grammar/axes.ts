/** The controls, grouped, with everyday example words: for "/face axes" help. */
import { ATTRIBUTES, type AttributeName } from '../face/attributes.js';
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
