// Embeddings of a raw float32 image batch by an identity ONNX (issue 25's contract: `image` [N,3,64,64] in [-1,1]
// -> `embedding` [N,D], L2-normalised), for training/eval_encoder.py (Python here has no onnxruntime).
//   node training/identity_embed.mjs MODEL IN.f32 N OUT.f32
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';

const [model, src, count, dst] = process.argv.slice(2);
const n = Number(count);
const buf = fs.readFileSync(src);
const images = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
const per = 3 * 64 * 64;
const parts = [];
for (let i = 0; i < n; i += 64) {
  const m = Math.min(64, n - i);
  const out = await session.run({ image: new ort.Tensor('float32', images.slice(i * per, (i + m) * per), [m, 3, 64, 64]) });
  parts.push(Buffer.from((out.embedding.data).buffer.slice(0)));
}
fs.writeFileSync(dst, Buffer.concat(parts));
