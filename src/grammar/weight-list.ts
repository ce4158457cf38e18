import { isAttributeName } from '../face/attributes.js';
import type { Weights } from '../face/record.js';

/** "Male=1,Young=-0.5" -> weights, or undefined when the text is not such a list. Unknown names throw. */
export function parseWeightList(text: string): Weights | undefined {
  const parts = text.split(/[,\s]+/).filter(Boolean);
  if (parts.length === 0 || !parts.every((p) => /^[\w]+=[+-]?(\d+\.?\d*|\.\d+)$/.test(p))) return undefined;
  const weights: Weights = {};
  for (const p of parts) {
    const [name, value] = p.split('=') as [string, string];
    if (!isAttributeName(name)) throw new Error(`unknown attribute "${name}" (names are CelebA's, e.g. Male, Young, Smiling)`);
    weights[name] = Math.max(-2, Math.min(2, Number(value)));
  }
  return weights;
}
