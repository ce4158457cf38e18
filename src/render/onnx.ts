import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { log } from '../log.js';

// onnxruntime (1.2x on Linux) keeps a telemetry device id under ~/.cache (outside the Docker image's volume;
// a warning on stderr where HOME is not writable) and can send usage events: off unless ORT_DISABLE_TELEMETRY
// is set otherwise. Read when the first session is made, so setting it here, after the import, is in time.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

/** A model file that is missing, unreadable or not the model we expect. The message names the file. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export interface LoadedSession {
  session: ort.InferenceSession;
  provider: 'cuda' | 'cpu';
}

/** The side of the square images an NCHW input reads, from the model's input shape (undefined when it does not say). */
export function squareInputSide(loaded: LoadedSession, input: string): number | undefined {
  const meta = loaded.session.inputMetadata?.find?.((m) => m.name === input);
  const dims = meta && 'shape' in meta ? (meta.shape as Array<number | string>) : [];
  return typeof dims[3] === 'number' ? dims[3] : undefined;
}

/**
 * Every session's options. The intra-op threads do not spin-wait for work (session.intra_op.allow_spinning 0):
 * onnxruntime's default keeps them, and the thread that runs the model, busy-waiting between and after runs,
 * which on 2 cores shared with anything else (the bot's own JavaScript between G+F passes, other processes)
 * takes the cores from the work: a one-message face took 3-5x as long (docs/seed-search-and-realism.md, "Cost").
 * The numbers are the same bits either way (the threads only decide who computes which part).
 */
export function sessionOptions(provider: 'cuda' | 'cpu'): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: Math.max(1, Math.min(os.availableParallelism(), 8)),
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/**
 * Whether onnxruntime-node's CUDA provider library was installed (ONNXRUNTIME_NODE_INSTALL=cuda12).
 * Asking for CUDA without it makes onnxruntime print a loader error before we fall back, so don't.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const bin = path.join(pkg, 'bin');
    const stack = [bin];
    while (stack.length) {
      const dir = stack.pop()!;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) stack.push(path.join(dir, entry.name));
        else if (/onnxruntime_providers_cuda\.(so|dll)/.test(entry.name)) return true;
      }
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * Opens an ONNX model once. 'auto' tries CUDA (present only when installed with
 * ONNXRUNTIME_NODE_INSTALL=cuda12) and falls back to the CPU build that ships in the npm package.
 */
export async function openSession(file: string, choice: ProviderChoice): Promise<LoadedSession> {
  if (!fs.existsSync(file)) {
    throw new ModelLoadError(`model file not found: ${file} (models/ ships with the repository; see models/MODEL_CARD.md)`);
  }
  const order: Array<'cuda' | 'cpu'> = choice === 'auto' ? (cudaProviderInstalled() ? ['cuda', 'cpu'] : ['cpu']) : [choice];
  let lastError: unknown;
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(file, sessionOptions(provider));
      return { session, provider };
    } catch (err) {
      lastError = err;
      if (provider === 'cuda' && choice === 'auto') {
        log.debug({ file }, 'CUDA execution provider unavailable, falling back to CPU');
      }
    }
  }
  const reason = lastError instanceof Error ? lastError.message.split('\n')[0] : String(lastError);
  throw new ModelLoadError(`cannot load model ${file} on ${order.join('/')}: ${reason}`);
}

/** Checks a session's input and output names against what the code expects. */
export function expectNames(loaded: LoadedSession, file: string, inputs: string[], outputs: string[]): void {
  const { inputNames, outputNames } = loaded.session;
  const ok = inputs.every((n) => inputNames.includes(n)) && outputs.every((n) => outputNames.includes(n));
  if (!ok) {
    throw new ModelLoadError(
      `${file} has inputs [${inputNames.join(', ')}] and outputs [${outputNames.join(', ')}]; ` +
        `expected [${inputs.join(', ')}] -> [${outputs.join(', ')}]`,
    );
  }
}
