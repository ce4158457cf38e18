import type { ConversationEngine, CurrentFace, EngineContext, EngineReply } from '../../src/conversation/types.js';
import type { FaceRecord } from '../../src/face/record.js';

/**
 * A scripted engine for front-end tests: records each call as "method:arg", takes `delayMs` per call
 * (to catch front ends that do not wait), and makes faces whose seed is 100 + the number of faces made.
 * Like the real engine, refine without a current face draws a new one; `current` starts as given.
 */
export class FakeEngine implements ConversationEngine {
  readonly calls: string[] = [];
  /** Calls running right now; should never exceed 1 for a sequential front end. */
  maxInFlight = 0;
  failNext: Error | undefined;
  private inFlight = 0;
  private count = 0;
  constructor(
    private readonly delayMs = 5,
    private current: FaceRecord | undefined = undefined,
  ) {}

  private async step<T>(call: string, fn: () => T): Promise<T> {
    this.calls.push(call);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.failNext) {
        const err = this.failNext;
        this.failNext = undefined;
        throw err;
      }
      return fn();
    } finally {
      this.inFlight -= 1;
    }
  }

  private face(seed: number, text: string | undefined, parent: FaceRecord | undefined): EngineReply {
    this.count += 1;
    const edits = [...(parent?.edits ?? []), ...(text ? [{ text, weights: {}, mode: {}, locks: [] }] : [])];
    const face: FaceRecord = { id: `f${this.count}`, ownerId: 'console', seed, edits, parentId: parent?.id ?? null, createdAt: 0, model: 'fake', truncation: 1 };
    this.current = face;
    return { kind: 'face', face, png: Buffer.from(`png of ${face.id}`), altText: `AI-generated face: ${text ?? 'same'}`, caption: text ?? 'same', unknown: text?.includes('zz') ? ['zz'] : [], notes: [] };
  }

  describe(_ctx: EngineContext, text: string): Promise<EngineReply> {
    return this.step(`describe:${text}`, () => this.face(100 + this.count, text, undefined));
  }
  refine(_ctx: EngineContext, text: string): Promise<EngineReply> {
    return this.step(`refine:${text}`, () => this.face(this.current?.seed ?? 100 + this.count, text, this.current));
  }
  reroll(): Promise<EngineReply> {
    return this.step('reroll', () => this.face(900 + this.count, undefined, this.current));
  }
  undo(): Promise<EngineReply> {
    return this.step('undo', (): EngineReply => ({ kind: 'text', text: 'nothing to undo', reason: 'nothing-to-undo' }));
  }
  reset(): Promise<EngineReply> {
    return this.step('reset', (): EngineReply => {
      this.current = undefined;
      return { kind: 'text', text: 'forgotten', reason: 'info' };
    });
  }
  forget(): Promise<EngineReply> {
    return this.step('forget', (): EngineReply => {
      this.current = undefined;
      return { kind: 'text', text: 'Deleted everything stored about you', reason: 'info' };
    });
  }
  async currentFace(): Promise<CurrentFace | undefined> {
    return this.current && { face: this.current, caption: this.current.edits.map((e) => e.text).join(' · ') };
  }
  async linkMessage(): Promise<void> {}
  async faceForMessage(): Promise<string | undefined> {
    return undefined;
  }
  async faceOwner(faceId: string): Promise<string | undefined> {
    return this.current?.id === faceId ? this.current.ownerId : undefined;
  }
  explain(): Promise<EngineReply> {
    return this.step('explain', (): EngineReply => ({ kind: 'text', text: 'I see: smiling (90%)', reason: 'info' }));
  }
  axesHelp(): string {
    this.calls.push('axes');
    return 'Expression — smiling: "smiling"';
  }
}
