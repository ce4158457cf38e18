import fs from 'node:fs';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { log } from '../log.js';

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

/** A model file that is missing, unreadable or not the model we expect. The message names the file. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export interface LoadedSession {
  session: ort.InferenceSession;
  provider: 'cuda' | 'cpu';
}

function sessionOptions(provider: 'cuda' | 'cpu'): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: Math.max(1, Math.min(os.availableParallelism(), 8)),
    interOpNumThreads: 1,
  };
}

/**
 * Opens an ONNX model once. 'auto' tries CUDA (present only when installed with
 * ONNXRUNTIME_NODE_INSTALL=cuda12) and falls back to the CPU build that ships in the npm package.
 */
export async function openSession(file: string, choice: ProviderChoice): Promise<LoadedSession> {
  if (!fs.existsSync(file)) {
    throw new ModelLoadError(`model file not found: ${file} (models/ ships with the repository; see models/MODEL_CARD.md)`);
  }
  const order: Array<'cuda' | 'cpu'> = choice === 'auto' ? ['cuda', 'cpu'] : [choice];
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
