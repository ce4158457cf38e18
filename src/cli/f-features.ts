/**
 * npx tsx src/cli/f-features.ts --images FILE.u8 --count N --out FILE.f32 [--models-dir DIR]
 * F's `features` (the layer its logits head reads) of N real 64×64 RGB crops stored as raw uint8 NHWC, written
 * as raw float32 [N, D]. training/fit_realism.py calls it: the realism guard's density of real faces is fitted
 * in the same feature space the engine reads on every rendered face.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Classifier } from '../render/classifier.js';
import { CLASSIFIER_FILE } from '../render/models.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { images: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' }, 'models-dir': { type: 'string', default: 'models' } },
  });
  const count = Number(values.count);
  if (!values.images || !values.out || !Number.isInteger(count) || count < 1) {
    throw new Error('usage: f-features --images FILE.u8 --count N --out FILE.f32 [--models-dir DIR]');
  }
  const side = 64;
  const bytes = fs.readFileSync(values.images);
  if (bytes.length !== count * side * side * 3) throw new Error(`${values.images} holds ${bytes.length} bytes, not ${count} crops of 64×64×3`);
  const f = await Classifier.load(path.join(path.resolve(values['models-dir']!), CLASSIFIER_FILE), 'cpu');
  if (!f.hasFeatures) throw new Error('this classifier has no `features` output');
  const out = fs.openSync(values.out, 'w');
  const batch = 128;
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const data = new Float32Array(n * 3 * side * side);
    for (let k = 0; k < n; k++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          for (let c = 0; c < 3; c++) {
            data[((k * 3 + c) * side + y) * side + x] = bytes[(((i + k) * side + y) * side + x) * 3 + c]! / 127.5 - 1;
          }
        }
      }
    }
    const { features } = await f.read({ data, count: n, size: side });
    fs.writeSync(out, Buffer.from(features!.buffer, features!.byteOffset, features!.byteLength));
  }
  fs.closeSync(out);
  await f.close();
}

main().catch((err: unknown) => {
  console.error(`f-features: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
