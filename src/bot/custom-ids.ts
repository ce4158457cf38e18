/**
 * Button custom ids: `face:<action>:<faceId>` (Discord allows 100 characters). Reroll and Undo sit under a
 * face; Pick and Vary under a grid of four (one button per face, each carrying that face's id).
 */
export type FaceButtonAction = 'reroll' | 'undo' | 'pick' | 'vary';

const PREFIX = 'face';
const ACTIONS: readonly FaceButtonAction[] = ['reroll', 'undo', 'pick', 'vary'];
export const MAX_CUSTOM_ID = 100;

export function faceButtonId(action: FaceButtonAction, faceId: string): string {
  return `${PREFIX}:${action}:${faceId}`;
}

export function fitsCustomId(faceId: string): boolean {
  return ACTIONS.every((a) => faceButtonId(a, faceId).length <= MAX_CUSTOM_ID);
}

export function parseFaceButtonId(customId: string): { action: FaceButtonAction; faceId: string } | undefined {
  const [prefix, action, ...rest] = customId.split(':');
  const faceId = rest.join(':');
  if (prefix !== PREFIX || !faceId) return undefined;
  if (!ACTIONS.includes(action as FaceButtonAction)) return undefined;
  return { action: action as FaceButtonAction, faceId };
}
