import { log } from '../log.js';
import type { PhotoDeps } from '../conversation/photo.js';
import type { FaceModels } from '../render/models.js';
import { ModelLoadError, type ProviderChoice } from '../render/onnx.js';
import { stockCascade } from './haar.js';
import { loadPhotoInverter } from './inverter.js';
import { photoLimits } from './limits.js';

/**
 * Faces from photos for a front end: the encoder in MODELS_DIR with the loaded G and F, or the reason there are
 * none (no models/encoder.onnx, no face detector), said to whoever sends a photo and logged once here.
 */
export async function photoDepsFor(
  models: Pick<FaceModels, 'generator' | 'classifier'>, config: { MODELS_DIR: string; EXECUTION_PROVIDER: ProviderChoice; PHOTO_MAX_MB: number },
): Promise<PhotoDeps> {
  const limits = photoLimits(config.PHOTO_MAX_MB);
  if (!stockCascade()) {
    const problem = 'Faces from photos are not available here: the face detector (Debian\'s opencv-data package) is not installed.';
    log.warn(problem);
    return { problem, limits };
  }
  try {
    const loaded = await loadPhotoInverter(config.MODELS_DIR, models.generator, models.classifier, config.EXECUTION_PROVIDER);
    if ('problem' in loaded) {
      log.info(loaded.problem);
      return { problem: loaded.problem, limits };
    }
    return { inverter: loaded.inverter, limits };
  } catch (err) {
    if (!(err instanceof ModelLoadError)) throw err;
    log.warn({ err: err.message }, 'the photo encoder could not be loaded: photos are refused');
    return { problem: 'Faces from photos are not available here right now: the photo encoder could not be loaded.', limits };
  }
}
