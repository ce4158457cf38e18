import type { FaceReading, ReadOptions } from '../latent/steer.js';
import type { ImageBatch } from './generator.js';
import { RecentByLatent } from './recent.js';
import { probeLogits, type Probe } from '../latent/probe.js';
import type { Classifier } from './classifier.js';
import { sigmoid } from './classifier.js';
import type { Generator } from './generator.js';
import type { FaceScorer } from './types.js';
import type { RealismModel } from '../latent/realism.js';
import { criticRealism, type CriticCalibration } from '../latent/realism-critic.js';
import type { Critic } from './critic.js';
import type { IdentityNet } from './identity.js';

/** The realism critic with its calibration (src/latent/realism-critic.ts). */
export interface CriticGuard {
  critic: Critic;
  calibration: CriticCalibration;
}

/** What F reads on many rendered faces, row-major. */
export interface ManyReadings {
  /** [n, 40] */
  logits: Float32Array;
  /** [n] years, when F has an age head. */
  ages?: Float32Array;
  /** [n, probes] the added attributes' probe logits, when there are probes. */
  added?: Float32Array;
  /** [n, featureDim] F's features, when asked for and F gives them. */
  features?: Float32Array;
  featureDim?: number;
  /** [n] the realism critic's logit, when asked for and there is a critic. */
  realness?: Float32Array;
  /** One identity embedding per face asked for (undefined for the others), when there is an identity network. */
  identity?: Array<Float32Array | undefined>;
}

/**
 * F(G(z)): the classifier's reading of the face a latent renders to. With probes (added attributes, from
 * axes.json), each reading also carries their logits, read on F's `features` in the same pass.
 */
export class LatentScorer implements FaceScorer {
  private recent = new RecentByLatent<FaceReading>(0);

  constructor(
    private readonly generator: Generator,
    private readonly classifier: Classifier,
    private readonly probes: readonly Probe[] = [],
    /** The realism guard's density of real faces in F's features (src/latent/realism.ts): each reading then carries `realism`. */
    private readonly realism?: RealismModel,
    /** The realism critic: when given, each reading's `realism` is the critic's, not the density's (it tells smears from faces). */
    private readonly critic?: CriticGuard,
    /** The identity network: when given, each reading carries the face's embedding (the identity hold's measure, src/latent/identity-hold.ts). */
    private readonly identity?: IdentityNet,
  ) {
    if (probes.length > 0 && !classifier.hasFeatures) {
      throw new Error(
        `${classifier.file} has no \`features\` output, which the added attributes (${probes.map((p) => p.name).join(', ')}) read: ` +
          'add it with /usr/bin/python3 training/onnx_features.py',
      );
    }
    if (realism && !critic && !classifier.hasFeatures) throw new Error(`${classifier.file} has no \`features\` output, which the realism guard reads`);
  }

  /** Remember the readings of the last `faces` faces (about 1 KB each), so that a latent read again is not drawn and read again; 0: none. */
  remember(faces: number): void {
    this.recent = new RecentByLatent(faces);
  }

  /** Whether each reading carries the realism guard's distance. */
  get readsRealism(): boolean {
    return this.realism !== undefined || this.critic !== undefined;
  }

  /** Whether F reads age in years too. */
  get readsAge(): boolean {
    return this.classifier.hasAge;
  }

  /** The added attributes this scorer reads. */
  get probeNames(): string[] {
    return this.probes.map((p) => p.name);
  }

  /** Logits for many latents, row-major [n, 40], run in chunks of `batch`. */
  async logits(latents: readonly Float32Array[], batch = 256): Promise<Float32Array> {
    return (await this.readMany(latents, batch)).logits;
  }

  /** F's 40 logits, then the probes' logits: row-major [n, 40 + probes] (axis discovery with added attributes). */
  async logitsWithAdded(latents: readonly Float32Array[], batch = 256): Promise<Float32Array> {
    return (await this.readWithAdded(latents, batch)).logits;
  }

  /** logitsWithAdded, and the ages [n] when F has an age head, from one pass. */
  async readWithAdded(latents: readonly Float32Array[], batch = 256): Promise<{ logits: Float32Array; ages?: Float32Array }> {
    const r = await this.readMany(latents, batch);
    return { logits: joinColumns(r, latents.length, this.probes.length), ...(r.ages ? { ages: r.ages } : {}) };
  }

  /**
   * Logits row-major [n, 40], ages [n] when F has an age head, probe logits [n, probes] when there are probes,
   * and with `withFeatures` (when F gives them) F's features [n, featureDim]. `withIdentity`: the identity
   * embedding of every face, or of those flagged (one flag per latent).
   */
  async readMany(
    latents: readonly Float32Array[], batch = 256, withFeatures = false, withRealness = false, withIdentity: boolean | readonly boolean[] = false,
  ): Promise<ManyReadings> {
    const n = latents.length;
    const k = this.probes.length;
    const logits = new Float32Array(n * 40);
    const ages = this.classifier.hasAge ? new Float32Array(n) : undefined;
    const added = k > 0 ? new Float32Array(n * k) : undefined;
    const parts: Float32Array[] = [];
    const critic = withRealness ? this.critic?.critic : undefined;
    const realness = critic ? new Float32Array(n) : undefined;
    const flagged = (i: number) => (typeof withIdentity === 'boolean' ? withIdentity : withIdentity[i] === true);
    const net = latents.some((_, i) => flagged(i)) ? this.identity : undefined;
    const identity: Array<Float32Array | undefined> | undefined = net ? new Array<Float32Array | undefined>(n).fill(undefined) : undefined;
    for (let i = 0; i < n; i += batch) {
      const chunk = latents.slice(i, i + batch);
      const images = await this.generator.generate(chunk);
      const out = await this.classifier.read(images);
      if (critic && realness) realness.set(await critic.realness(images), i);
      if (net && identity) {
        const rows = chunk.map((_, j) => i + j).filter(flagged);
        const embedded = await net.embed(rows.length === chunk.length ? images : imagesOf(images, rows.map((r) => r - i)));
        rows.forEach((r, j) => (identity[r] = embedded[j]));
      }
      logits.set(out.logits, i * 40);
      if (ages && out.ages) ages.set(out.ages, i);
      if (added && out.features) {
        const dim = out.features.length / chunk.length;
        added.set(probeLogits(this.probes, out.features, chunk.length, dim), i * k);
      }
      if (withFeatures && out.features) parts.push(out.features);
    }
    const features = parts.length > 0 ? new Float32Array(parts.reduce((a, f) => a + f.length, 0)) : undefined;
    if (features) parts.reduce((at, f) => (features.set(f, at), at + f.length), 0);
    return {
      logits, ...(ages ? { ages } : {}), ...(added ? { added } : {}),
      ...(features ? { features, featureDim: features.length / n } : {}),
      ...(realness ? { realness } : {}),
      ...(identity ? { identity } : {}),
    };
  }

  /**
   * F's reading of each latent's face: 40 logits, the age in years when F has an age head, the probes' logits,
   * the realism guard's distance, and the identity embedding when asked for (`options.identity`: all, none, or
   * one flag per latent; by default all, when there is an identity network). With `remember`, the faces read last
   * are remembered: a latent read again is not drawn and read again (the closed loop starts from the face the
   * seed search read), and its identity, when asked for later, is read on the image G remembers.
   */
  async read(latents: Float32Array[], options: ReadOptions = {}): Promise<FaceReading[]> {
    const asked = options.identity;
    const wants = latents.map((_, i) => this.identity !== undefined && (typeof asked === 'boolean' ? asked : asked?.[i] ?? true));
    const known = latents.map((z) => this.recent.get(z));
    const fresh = latents.flatMap((_, i) => (known[i] ? [] : [i]));
    if (fresh.length > 0) {
      const read = await this.readFresh(fresh.map((i) => latents[i]!), fresh.map((i) => wants[i]!));
      fresh.forEach((i, j) => {
        known[i] = read[j]!;
        this.recent.set(latents[i]!, read[j]!);
      });
    }
    const unembedded = latents.flatMap((_, i) => (wants[i] && !known[i]!.identity ? [i] : []));
    if (unembedded.length > 0 && this.identity) {
      const embedded = await this.identity.embed(await this.generator.generate(unembedded.map((i) => latents[i]!)));
      unembedded.forEach((i, j) => {
        known[i] = { ...known[i]!, identity: embedded[j]! };
        this.recent.set(latents[i]!, known[i]!);
      });
    }
    return known.map((r) => ({ ...r! }));
  }

  private async readFresh(latents: Float32Array[], identity: readonly boolean[]): Promise<FaceReading[]> {
    const realism = this.critic ? undefined : this.realism;
    const cal = this.critic?.calibration;
    const out = await this.readMany(latents, 256, realism !== undefined, cal !== undefined, identity);
    const k = this.probes.length;
    return latents.map((_, i) => ({
      ...(realism && out.features ? { realism: realism.distance(out.features, i * out.featureDim!) } : {}),
      ...(cal && out.realness ? { realism: criticRealism(out.realness[i]!, cal) } : {}),
      logits: out.logits.slice(i * 40, (i + 1) * 40),
      ...(out.ages ? { age: out.ages[i]! } : {}),
      ...(out.added ? { added: Object.fromEntries(this.probes.map((p, j) => [p.name, out.added![i * k + j]!])) } : {}),
      ...(out.identity?.[i] ? { identity: out.identity[i] } : {}),
    }));
  }

  async scoreLatent(z: Float32Array): Promise<Float32Array> {
    return (await this.logits([z])).map(sigmoid);
  }
}

/** [n, 40] logits and [n, k] probe logits side by side: [n, 40 + k]. */
function joinColumns(r: ManyReadings, n: number, k: number): Float32Array {
  if (k === 0) return r.logits;
  const out = new Float32Array(n * (40 + k));
  for (let i = 0; i < n; i++) {
    out.set(r.logits.subarray(i * 40, (i + 1) * 40), i * (40 + k));
    out.set(r.added!.subarray(i * k, (i + 1) * k), i * (40 + k) + 40);
  }
  return out;
}

/** The images of `rows` of a batch, as a batch of their own. */
function imagesOf(images: ImageBatch, rows: readonly number[]): ImageBatch {
  const each = images.data.length / images.count;
  const data = new Float32Array(rows.length * each);
  rows.forEach((r, j) => data.set(images.data.subarray(r * each, (r + 1) * each), j * each));
  return { data, count: rows.length, size: images.size };
}
