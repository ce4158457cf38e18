import { z } from 'zod';

/**
 * The JSON parts of a stored face (FaceRecord.edits, .jitter, .origin), checked when a store reads them
 * back. Shared by the stores so that a field added to the record is read back by every one of them; the
 * objects keep keys they do not know (a face written by a newer tellaface loses nothing when read).
 */
export const EditSchema = z.looseObject({
  text: z.string(),
  weights: z.record(z.string(), z.number()),
  mode: z.record(z.string(), z.enum(['target', 'step'])),
  locks: z.array(z.string()),
  age: z.object({ mode: z.enum(['exact', 'atLeast', 'atMost', 'step']), years: z.number() }).optional(),
  made: z.enum(['mix', 'analogy', 'photo']).optional(),
  source: z.enum(['studio']).optional(),
  start: z.looseObject({ version: z.number().int(), set: z.number().int().min(0), pick: z.number().int().min(0) }).optional(),
  held: z.looseObject({
    version: z.number().int(),
    goals: z.array(z.looseObject({
      name: z.string(), weight: z.number().optional(), said: z.string(),
      age: z.object({ mode: z.enum(['exact', 'atLeast', 'atMost', 'step']), years: z.number() }).optional(),
    })),
  }).optional(),
});
export const EditsSchema = z.array(EditSchema);
export const JitterSchema = z.array(z.object({ seed: z.number().int().min(0).max(0xffffffff), scale: z.number() }));
export const OriginSchema = z.looseObject({
  kind: z.enum(['mix', 'analogy', 'photo']),
  parts: z.array(z.object({ faceId: z.string(), weight: z.number() })),
  z: z.string(),
  fromPhoto: z.literal(true).optional(),
});
