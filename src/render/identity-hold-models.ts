import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { IdentityHold } from '../latent/identity-hold.js';
import { fingerprint } from './fingerprint.js';
import { IdentityNet } from './identity.js';
import type { ProviderChoice } from './onnx.js';

export const IDENTITY_FILE = 'identity.onnx';
export const IDENTITY_INFO_FILE = 'identity.json';

/**
 * The numbers of models/identity.json the hold needs (training/identity_report.py writes more): thresholds on
 * identityDistance (1 − cosine). `threshold` is the best-accuracy one on held-out CelebA people; `threshold_far_1e-2`
 * the strict one, under which only 1% of pairs of different people fall.
 */
const IdentityInfoSchema = z.object({
  threshold: z.number().positive().max(2).optional(),
  'threshold_far_1e-2': z.number().positive().max(2).optional(),
}).passthrough();

/**
 * The hold's default band from an identity.json, or why there is none: the strict threshold (FAR 1e-2) when the
 * file has it, else `threshold`. The best-accuracy threshold of a small 64 px network is loose (for the shipped one,
 * 31% of pairs of different G seeds fall under it): a face held within it could still be someone else.
 */
export function identityThreshold(file: string): { threshold?: number; problem?: string } {
  try {
    const info = IdentityInfoSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    const threshold = info['threshold_far_1e-2'] ?? info.threshold;
    return threshold !== undefined ? { threshold } : { problem: `${file} has no \`threshold\`` };
  } catch (err) {
    return { problem: `${file} is not readable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
}

export interface IdentitySetting {
  /** 'off': faces are drawn without the identity hold (the network is not loaded). Default 'on'. */
  hold?: 'on' | 'off';
  /** The band on identityDistance; default the network's strict threshold (identity.json, see identityThreshold). */
  band?: number;
}

/**
 * The identity network and the hold's band, when the hold is on and the files are there and load, or why not.
 * Optional like the realism critic: without it faces are drawn as before (the problem is logged by the caller).
 */
export async function identityHoldModels(
  onnx: string, info: string, provider: ProviderChoice, drawnSide: number, setting: IdentitySetting = {},
): Promise<{ net?: IdentityNet; hold?: IdentityHold; print?: string; problem?: string; note?: string }> {
  if (setting.hold === 'off' || !fs.existsSync(onnx)) return {};
  let band = setting.band;
  // a network without its numbers (a test fixture's, say) is not used: said at info level, not warned
  if (band === undefined && !fs.existsSync(info)) return { note: `${onnx} has no ${path.basename(info)} beside it: refinements are drawn without the identity hold (or set IDENTITY_BAND)` };
  if (band === undefined) {
    const t = identityThreshold(info);
    if (t.problem) return { problem: `${t.problem}: refinements are drawn without the identity hold (or set IDENTITY_BAND)` };
    band = t.threshold!;
  }
  let net: IdentityNet;
  try {
    net = await IdentityNet.load(onnx, provider);
  } catch (err) {
    return { problem: `${onnx} could not be loaded (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): refinements are drawn without the identity hold` };
  }
  const side = net.inputSize;
  if (side !== undefined && side !== drawnSide) {
    await net.close();
    return { problem: `${onnx} reads ${side} px faces, the generator draws ${drawnSide} px: refinements are drawn without the identity hold` };
  }
  return { net, hold: { band }, print: `${fingerprint(onnx).sha256}b${band}` };
}
