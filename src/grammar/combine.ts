/**
 * Combines the weights of every mention, in order, into one result:
 * - a target after a target of the other sign replaces it ("the last mention wins", with a note);
 *   of the same sign, the stronger one stays ("80 year old grandpa");
 * - a step after a target adjusts that target ("old man, a bit younger");
 * - a step after a step adds up ("older, even older"), unless it goes the other way (then it replaces it).
 */
import type { AttributeName } from '../face/attributes.js';
import type { EditMode } from '../face/record.js';

interface Entry {
  w: number;
  mode: EditMode;
  /** The mention that set it, as typed. */
  source: string;
  /** Set by a pronoun rather than by words about the face. */
  implicit: boolean;
}

export class Combiner {
  readonly entries = new Map<AttributeName, Entry>();
  readonly notes: string[] = [];

  constructor(private readonly clamp: number) {}

  private limit(w: number): number {
    return Math.max(-this.clamp, Math.min(this.clamp, w));
  }

  add(attr: AttributeName, w: number, mode: EditMode, source: string, implicit = false): void {
    if (!Number.isFinite(w)) return;
    w = this.limit(w);
    const prev = this.entries.get(attr);
    if (!prev) {
      this.entries.set(attr, { w, mode, source, implicit });
      return;
    }
    const sameSign = Math.sign(prev.w) === Math.sign(w);
    if (mode === 'step' && prev.mode === 'target') {
      prev.w = this.limit(prev.w + w);
      if (!sameSign) this.note(`'${source}' adjusts the earlier '${prev.source}'`);
      prev.source = source;
      return;
    }
    if (sameSign) {
      if (mode === 'step' && prev.mode === 'step') prev.w = this.limit(prev.w + w);
      else if (mode !== prev.mode || Math.abs(w) >= Math.abs(prev.w)) {
        prev.w = w;
        prev.mode = mode;
      }
      prev.source = source;
      prev.implicit = prev.implicit && implicit;
      return;
    }
    if (prev.source !== source) this.note(`'${source}' overrides the earlier '${prev.source}'`);
    this.entries.set(attr, { w, mode, source, implicit });
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }
}
