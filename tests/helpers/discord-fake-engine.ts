import type { ConversationEngine, CurrentFace, EngineContext, EngineReply } from '../../src/conversation/types.js';
import type { Edit, FaceRecord } from '../../src/face/record.js';
import type { FaceStore } from '../../src/store/types.js';

/** A valid 1×1 PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const KNOWN: Record<string, string> = {
  older: 'older ▲',
  younger: 'younger ▲',
  smiling: 'smiling ▲',
  beard: 'beard ▲',
  glasses: 'glasses ▲',
};

export interface EngineCall {
  method: 'describe' | 'refine' | 'reroll' | 'undo' | 'reset' | 'forget' | 'explain';
  userId: string;
  text?: string;
  faceId?: string;
  seed?: number;
}

/**
 * A small ConversationEngine for bot tests: a face is a seed plus the words it understood, kept in the
 * given FaceStore like the real engine does. Records every call; can fail, wait, or report queue positions.
 */
export class FakeFaceEngine implements ConversationEngine {
  readonly calls: EngineCall[] = [];
  /** Thrown by the next engine call (then cleared). */
  failNext: Error | undefined;
  /** Reported through ctx.onQueued, one every `queueStepMs`, before the render finishes. */
  queuePositions: number[] = [];
  queueStepMs = 5;
  /** Extra render time. */
  renderMs = 0;
  private nextSeed = 1000;
  private nextId = 1;

  constructor(readonly store: FaceStore) {}

  describe(ctx: EngineContext, text: string, seed?: number): Promise<EngineReply> {
    this.calls.push({ method: 'describe', userId: ctx.userId, text, seed });
    return this.render(ctx, { seed, edits: [edit(text)], parentId: null, unknownFrom: text });
  }

  async refine(ctx: EngineContext, text: string, faceId?: string): Promise<EngineReply> {
    this.calls.push({ method: 'refine', userId: ctx.userId, text, faceId });
    const base = await this.faceOf(ctx, faceId);
    if (!base) return { kind: 'text', reason: 'no-face', text: 'There is no face to work on yet.' };
    return this.render(ctx, { seed: base.seed, edits: [...base.edits, edit(text)], parentId: base.id, unknownFrom: text });
  }

  async reroll(ctx: EngineContext, faceId?: string): Promise<EngineReply> {
    this.calls.push({ method: 'reroll', userId: ctx.userId, faceId });
    const base = await this.faceOf(ctx, faceId);
    if (!base) return { kind: 'text', reason: 'no-face', text: 'There is no face to work on yet.' };
    return this.render(ctx, { seed: undefined, edits: base.edits, parentId: base.id });
  }

  /** The real rule (only your current face may be undone from a button) is the engine's; this only stands in. */
  async undo(ctx: EngineContext, faceId?: string): Promise<EngineReply> {
    this.calls.push({ method: 'undo', userId: ctx.userId, ...(faceId ? { faceId } : {}) });
    const current = await this.faceOf(ctx);
    if (faceId && faceId !== current?.id) return { kind: 'text', reason: 'nothing-to-undo', text: 'Only the latest face of its owner can be undone.' };
    const parent = current?.parentId ? await this.store.getFace(current.parentId) : undefined;
    if (!parent) return { kind: 'text', reason: 'nothing-to-undo', text: 'Nothing to undo.' };
    await this.store.setCurrentFaceId(ctx.userId, parent.id);
    return this.reply(parent, []);
  }

  async reset(ctx: EngineContext): Promise<EngineReply> {
    this.calls.push({ method: 'reset', userId: ctx.userId });
    await this.store.setCurrentFaceId(ctx.userId, null);
    return { kind: 'text', reason: 'info', text: 'Forgot your face.' };
  }

  async forget(ctx: EngineContext): Promise<EngineReply> {
    this.calls.push({ method: 'forget', userId: ctx.userId });
    const counts = await this.store.forgetUser(ctx.userId);
    return { kind: 'text', reason: 'info', text: `Deleted ${counts.faces} faces and ${counts.messageLinks} links.` };
  }

  async currentFace(ctx: EngineContext): Promise<CurrentFace | undefined> {
    const face = await this.faceOf(ctx);
    return face && { face, caption: face.edits.map((e) => e.text).join(' · ') };
  }

  /** Fails the next message link or look-up with this error (then cleared). */
  failNextLink: Error | undefined;

  async linkMessage(messageId: string, faceId: string): Promise<void> {
    this.throwIfLinkFails();
    await this.store.linkMessage(messageId, faceId);
  }

  async faceForMessage(messageId: string): Promise<string | undefined> {
    this.throwIfLinkFails();
    return this.store.getFaceIdByMessage(messageId);
  }

  async faceOwner(faceId: string): Promise<string | undefined> {
    return (await this.store.getFace(faceId))?.ownerId;
  }

  private throwIfLinkFails(): void {
    const err = this.failNextLink;
    this.failNextLink = undefined;
    if (err) throw err;
  }

  async explain(ctx: EngineContext, faceId?: string): Promise<EngineReply> {
    this.calls.push({ method: 'explain', userId: ctx.userId, faceId });
    const face = await this.faceOf(ctx, faceId);
    if (!face) return { kind: 'text', reason: 'no-face', text: 'There is no face to work on yet.' };
    return { kind: 'text', reason: 'info', text: 'I see: Smiling 0.91, Male 0.88, Young 0.12' };
  }

  axesHelp(): string {
    return 'Age: older, younger\nExpression: smiling\nHair: beard, bald\nAccessories: glasses, hat';
  }

  private async faceOf(ctx: EngineContext, faceId?: string): Promise<FaceRecord | undefined> {
    const id = faceId ?? (await this.store.getCurrentFaceId(ctx.userId));
    return id ? this.store.getFace(id) : undefined;
  }

  private async render(
    ctx: EngineContext,
    spec: { seed: number | undefined; edits: Edit[]; parentId: string | null; unknownFrom?: string },
  ): Promise<EngineReply> {
    const words = (spec.unknownFrom ?? '').toLowerCase().split(/[^a-z]+/).filter(Boolean);
    const unknown = words.filter((w) => !KNOWN[w] && !['make', 'him', 'her', 'a', 'bit', 'more'].includes(w));
    if (spec.unknownFrom !== undefined && words.length && words.every((w) => !KNOWN[w])) {
      return { kind: 'text', reason: 'nothing-understood', text: `I did not understand any of: ${unknown.join(', ')}` };
    }
    for (const position of this.queuePositions) {
      ctx.onQueued?.(position);
      await sleep(this.queueStepMs);
    }
    if (this.renderMs) await sleep(this.renderMs);
    const err = this.failNext;
    this.failNext = undefined;
    if (err) throw err;
    const face: FaceRecord = {
      id: `face-${this.nextId++}`,
      ownerId: ctx.userId,
      seed: spec.seed ?? this.nextSeed++,
      edits: spec.edits,
      parentId: spec.parentId,
      createdAt: Date.now(),
      model: 'fake',
      truncation: 1,
    };
    await this.store.saveFace(face);
    await this.store.setCurrentFaceId(ctx.userId, face.id);
    return this.reply(face, unknown);
  }

  private reply(face: FaceRecord, unknown: string[]): EngineReply {
    const applied = face.edits.flatMap((e) => e.text.toLowerCase().split(/[^a-z]+/).filter((w) => KNOWN[w]).map((w) => KNOWN[w]));
    const caption = [...new Set(applied)].join(', ');
    return { kind: 'face', face, png: TINY_PNG, altText: `AI-generated face of a person who does not exist (tellaface): ${caption}`, caption, unknown, notes: [] };
  }
}

function edit(text: string): Edit {
  return { text, weights: {}, mode: {}, locks: [] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
