import fs from 'node:fs';
import { z } from 'zod';
import { REALISM_LIMIT } from './realism-guard.js';

/**
 * The realism critic's reading (src/render/critic.ts: one logit, higher = more like a real crop) on the realism
 * guard's scale (./realism-guard.ts), so the guard and the seed search treat it like the density of
 * ./realism.ts: larger is less real, REALISM_LIMIT is "clearly less real".
 *
 * models/critic.json (training/train_critic.py, calibrated on the shipped G) says where: `limitLogit` is the
 * 5th percentile of unedited seeds (a face the critic finds less real than 95 of 100 faces G draws unedited
 * maps to REALISM_LIMIT), and each logit below it adds `perLogit` (0.35: a drop of one logit from the face
 * before the edit is the guard's margin). The percentiles of held-out real crops and of unedited seeds are kept
 * in the file for the docs and the tests.
 */
export const CriticCalibrationSchema = z.object({
  version: z.literal(1),
  limitLogit: z.number(),
  perLogit: z.number().positive(),
  heldoutAuc: z.number().min(0).max(1).optional(),
  real: z.record(z.string(), z.number()).optional(),
  unedited: z.record(z.string(), z.number()).optional(),
});
export type CriticCalibration = z.infer<typeof CriticCalibrationSchema>;

export function readCriticCalibration(file: string): CriticCalibration {
  return CriticCalibrationSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The critic's logit as a realism distance: REALISM_LIMIT at `limitLogit`, `perLogit` more for each logit below. */
export function criticRealism(logit: number, cal: CriticCalibration): number {
  return REALISM_LIMIT + cal.perLogit * (cal.limitLogit - logit);
}
