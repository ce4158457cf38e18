import type { Edit, FaceRecord } from '../../src/face/record.js';

let counter = 0;

export function makeEdit(text: string, weights: Edit['weights'] = { Smiling: 1 }): Edit {
  const mode: Edit['mode'] = {};
  for (const name of Object.keys(weights) as (keyof Edit['weights'])[]) mode[name] = 'step';
  return { text, weights, mode, locks: [] };
}

export function makeFace(overrides: Partial<FaceRecord> = {}): FaceRecord {
  counter += 1;
  return {
    id: `face${counter}`,
    ownerId: 'user1',
    seed: 1234 + counter,
    edits: [makeEdit('smiling')],
    parentId: null,
    createdAt: 1_700_000_000_000 + counter,
    model: 'abcdef123456',
    truncation: 1,
    ...overrides,
  };
}
