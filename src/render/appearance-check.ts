import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import type { ImageBatch } from './generator.js';
import { expectNames, ModelLoadError, openSession, type LoadedSession, type ProviderChoice } from './onnx.js';

/**
 * The appearance check (models/appearance_check.onnx, training/train_appearance_check.py): a small CNN on G's
 * pixels that reads UTKFace's labels (White, Black, East_Asian, South_Asian, and Others, never steered to). It
 * shares nothing with what the closed loop steers by (F, F's features, the probes): `npm run eval:skin` grades the
 * appearance words with it as well as with the probes the loop pushed, so a loop that fools its own gauge shows.
 */
export const APPEARANCE_CHECK_INPUT = 'image';
export const APPEARANCE_CHECK_OUTPUT = 'probs';

const infoSchema = z.object({ classes: z.array(z.string()).min(2) });

export class AppearanceCheck {
  private constructor(private readonly loaded: LoadedSession, readonly classes: readonly string[]) {}

  /** The network and its classes (the .json beside it); a missing or foreign file is a ModelLoadError. */
  static async load(file: string, infoFile: string, provider: ProviderChoice): Promise<AppearanceCheck> {
    if (!fs.existsSync(infoFile)) throw new ModelLoadError(`model info not found: ${infoFile}`);
    const info = infoSchema.safeParse(JSON.parse(fs.readFileSync(infoFile, 'utf8')));
    if (!info.success) throw new ModelLoadError(`${infoFile} does not list the classes: ${info.error.message}`);
    const loaded = await openSession(file, provider);
    expectNames(loaded, file, [APPEARANCE_CHECK_INPUT], [APPEARANCE_CHECK_OUTPUT]);
    return new AppearanceCheck(loaded, info.data.classes);
  }

  /** P(class) for each face of the batch (G's output), by class name. */
  async probabilities(batch: ImageBatch): Promise<Array<Record<string, number>>> {
    const input = new ort.Tensor('float32', batch.data, [batch.count, 3, batch.size, batch.size]);
    const out = (await this.loaded.session.run({ [APPEARANCE_CHECK_INPUT]: input }))[APPEARANCE_CHECK_OUTPUT]!;
    const probs = out.data as Float32Array;
    const k = this.classes.length;
    if (probs.length !== batch.count * k) throw new ModelLoadError(`the appearance check gave ${probs.length} numbers for ${batch.count} faces of ${k} classes`);
    return Array.from({ length: batch.count }, (_, i) => Object.fromEntries(this.classes.map((c, j) => [c, probs[i * k + j]!])));
  }

  async close(): Promise<void> {
    await this.loaded.session.release();
  }
}
