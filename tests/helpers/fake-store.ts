import type { FaceRecord } from '../../src/face/record.js';
import type { FaceStore, ForgetCounts } from '../../src/store/types.js';
import { derivedFaces } from '../../src/store/derived-faces.js';

/** An in-memory FaceStore for engine tests; `faces` is exposed for assertions. */
export class FakeStore implements FaceStore {
  readonly faces = new Map<string, FaceRecord>();
  readonly current = new Map<string, string>();
  readonly messages = new Map<string, string>();

  async saveFace(face: FaceRecord): Promise<void> {
    if (this.faces.has(face.id)) throw new Error(`duplicate face id ${face.id}`);
    this.faces.set(face.id, structuredClone(face));
  }
  async getFace(id: string): Promise<FaceRecord | undefined> {
    const face = this.faces.get(id);
    return face && structuredClone(face);
  }
  async getCurrentFaceId(ownerId: string): Promise<string | undefined> {
    return this.current.get(ownerId);
  }
  async setCurrentFaceId(ownerId: string, faceId: string | null): Promise<void> {
    if (faceId === null) this.current.delete(ownerId);
    else this.current.set(ownerId, faceId);
  }
  async linkMessage(messageId: string, faceId: string): Promise<void> {
    this.messages.set(messageId, faceId);
  }
  async getFaceIdByMessage(messageId: string): Promise<string | undefined> {
    return this.messages.get(messageId);
  }
  async forgetUser(ownerId: string): Promise<ForgetCounts> {
    const own = [...this.faces.values()].filter((f) => f.ownerId === ownerId).map((f) => f.id);
    const others = derivedFaces(own, (id) => [...this.faces.values()]
      .filter((f) => f.parentId === id || (f.origin !== undefined && JSON.stringify(f.origin).includes(id)))
      .map((f) => ({ id: f.id, owner: f.ownerId })));
    const all = new Set([...own, ...others.keys()]);
    const counts: ForgetCounts = {
      faces: own.length, currentFace: this.current.delete(ownerId), messageLinks: 0,
      othersFaces: others.size, otherOwners: new Set(others.values()).size, otherCurrentFaces: 0,
    };
    for (const [owner, faceId] of this.current) {
      if (all.has(faceId)) {
        this.current.delete(owner);
        counts.otherCurrentFaces++;
      }
    }
    for (const [messageId, faceId] of this.messages) {
      if (all.has(faceId)) {
        this.messages.delete(messageId);
        counts.messageLinks++;
      }
    }
    for (const id of all) this.faces.delete(id);
    return counts;
  }
  async close(): Promise<void> {}
}
