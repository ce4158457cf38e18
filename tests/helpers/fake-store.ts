import type { FaceRecord } from '../../src/latent/face.js';
import type { FaceStore } from '../../src/store/types.js';

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
  async close(): Promise<void> {}
}
