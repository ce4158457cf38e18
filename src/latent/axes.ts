import fs from 'node:fs';
import { z } from 'zod';
import { ATTRIBUTES, asAddedName, type AttributeName } from '../face/attributes.js';
import type { Probe } from './probe.js';
import type { LocalModel } from './surrogate.js';
import type { IdentityHold } from './identity-hold.js';
import type { SceneLight } from './scene-light.js';

/** One feature axis: a unit direction in z-space along which F's logit for the attribute rises. */
export interface Axis {
  name: AttributeName;
  /** Unit vector, length zDim. */
  vector: Float32Array;
  /** Coordinate z·axis at which F's mean probability for the attribute is 0.5. */
  center: number;
  /** Coordinate change that weight 1 stands for (calibrated: +1 clearly present for most seeds). */
  scale: number;
  /** Mean and spread of z·axis over random seeds (about 0 and 1 for unit axes). */
  coordMean: number;
  coordStd: number;
  /** Held-out AUC of the linear score z·axis for F's own label (logit > 0). */
  quality: number;
  /** Held-out R² of the ridge fit of F's logit. */
  r2: number;
  /** Whether +1 / -1 edits reliably switch the attribute on and off (measured at calibration). */
  controllable: boolean;
  /** Measured fraction of calibration seeds where +1 made the attribute present and -1 absent. */
  successRate: number;
  /**
   * The same, apart for the calibration seeds F reads as women and as men before the edit (through the closed
   * loop, which keeps the gender): "works on women's faces" when G draws it on one gender only.
   */
  successByGender?: { women: number; men: number };
  /** F's logit change per unit of coordinate (the ridge slope); the closed loop's first guess. */
  gain?: number;
  /**
   * The same fit made apart on the sampled faces F reads as women and as men: the direction along which the
   * attribute rises within one gender. The engine edits a face along its own gender's direction
   * ("bushy eyebrows" on a man's face moves the way men's eyebrows vary in G, not the population's mix).
   */
  byGender?: { women?: GenderDirection; men?: GenderDirection };
}

/**
 * One gender's direction for an axis: a unit vector, F's logit change per unit along it, and where F reads 50%.
 * `npm run axes` keeps it only where the closed loop did better with it than with the population's axis on
 * the calibration seeds of that gender (`success` against `populationSuccess`).
 */
export interface GenderDirection {
  vector: Float32Array;
  gain: number;
  center: number;
  success?: number;
  populationSuccess?: number;
}

export type Gender = 'women' | 'men';

/** The on/off success rate from which an axis counts as reliable (and a gender's share of it, apart). */
export const RELIABLE_RATE = 0.75;

/** The gender an axis is reliable on when it is on that one only (its calibration split), else undefined. */
export function reliableOnlyOn(axis: Pick<Axis, 'successByGender'> | undefined): 'women' | 'men' | undefined {
  const by = axis?.successByGender;
  if (!by) return undefined;
  if (by.women >= RELIABLE_RATE && by.men < RELIABLE_RATE) return 'women';
  if (by.men >= RELIABLE_RATE && by.women < RELIABLE_RATE) return 'men';
  return undefined;
}

const GenderDirectionJson = z.object({
  axis: z.array(z.number()), gain: z.number().positive(), center: z.number(),
  success: z.number().optional(), populationSuccess: z.number().optional(),
});

const AxisJson = z.object({
  axis: z.array(z.number()),
  center: z.number(),
  scale: z.number().positive(),
  coordMean: z.number(),
  coordStd: z.number().positive(),
  quality: z.number(),
  r2: z.number(),
  controllable: z.boolean(),
  successRate: z.number(),
  successByGender: z.object({ women: z.number(), men: z.number() }).optional(),
  gain: z.number().optional(),
  openLoopSuccessRate: z.number().optional(),
  byGender: z.object({ women: GenderDirectionJson.optional(), men: GenderDirectionJson.optional() }).optional(),
});

/** An axis record's fields as an Axis (the vectors as Float32Array), its lengths checked against zDim. */
function axisFromJson(name: AttributeName, a: z.infer<typeof AxisJson>, zDim: number, source: string, what: string): Axis {
  if (a.axis.length !== zDim) throw new AxesFileError(`${source}: ${what} has ${a.axis.length} numbers, expected ${zDim}`);
  const { axis, byGender, ...rest } = a;
  const directions: NonNullable<Axis['byGender']> = {};
  for (const g of ['women', 'men'] as const) {
    const d = byGender?.[g];
    if (!d) continue;
    if (d.axis.length !== zDim) throw new AxesFileError(`${source}: ${what}'s direction for ${g} has ${d.axis.length} numbers, expected ${zDim}`);
    const { axis: v, ...numbers } = d;
    directions[g] = { vector: Float32Array.from(v), ...numbers };
  }
  return { name, vector: Float32Array.from(axis), ...rest, ...(directions.women || directions.men ? { byGender: directions } : {}) };
}

const AgeAxisJson = z.object({
  axis: z.array(z.number()),
  /** Fitted age (years) at coordinate 0, and years per unit of coordinate. */
  intercept: z.number(),
  slope: z.number().positive(),
  coordMean: z.number(),
  coordStd: z.number().positive(),
  /** Held-out R² and mean absolute error (years) of the linear fit of the age head on z. */
  r2: z.number(),
  mae: z.number(),
  /** Mean and spread of the age head's reading over random seeds (years). */
  ageMean: z.number(),
  ageStd: z.number(),
});

/**
 * An added attribute's probe (`npm run attribute -- add`): logit = weights · F's features + bias, learned from
 * two folders of photos. It reads the features of the F whose fingerprint it records.
 */
const ProbeJson = z.object({
  weights: z.array(z.number()).min(1),
  bias: z.number(),
  /** The first 12 hex digits of the SHA-256 of the classifier.onnx whose `features` it reads. */
  classifier: z.string(),
  lambda: z.number().nonnegative(),
  positives: z.number().int().positive(),
  negatives: z.number().int().positive(),
  /** Held-out (cross-validated) accuracy, each folder weighted equally, and ROC AUC. */
  heldOutAccuracy: z.number(),
  heldOutAuc: z.number(),
  folds: z.number().int().positive(),
  /** The folders it was learned from and how they were framed, for the record and for adding it again. */
  positive: z.string(),
  negative: z.string(),
  crop: z.string(),
  createdAt: z.string().optional(),
});
export type ProbeRecord = z.infer<typeof ProbeJson>;

/** An added attribute in axes.json: its axis, fitted and calibrated like the 40, and the probe that defines it. */
const AddedAxisJson = AxisJson.extend({ probe: ProbeJson });
export type AddedAxisRecord = z.infer<typeof AddedAxisJson>;

/** The age axis: a unit direction in z along which F's age head (years) rises, fitted like the others. */
export type AgeAxis = Omit<z.infer<typeof AgeAxisJson>, 'axis'> & { vector: Float32Array };

export const AxesFileSchema = z.object({
  version: z.literal(1),
  zDim: z.number().int().positive(),
  attributes: z.record(z.string(), AxisJson),
  /** Present when F has an age head (classifier.onnx output `age`). */
  age: AgeAxisJson.optional(),
  /** Attributes added with `npm run attribute -- add`, by name (prompts/added.json holds their words). */
  added: z.record(z.string(), AddedAxisJson).optional(),
  /**
   * The scene's light (`npm run scene-light`, src/latent/scene-light.ts): the direction in z along which the frame's
   * border brightens, which skin-tone edits move off. Absent: not held.
   */
  sceneLight: z.object({ axis: z.array(z.number()), r2: z.number(), slope: z.number().positive() }).optional(),
});

export type AxesFile = z.infer<typeof AxesFileSchema>;

export class AxesFileError extends Error {
  override name = 'AxesFileError';
}

/** An added attribute as axes.json keeps it: its probe, and where it came from. */
export interface AddedAttributeModel {
  probe: Probe;
  record: ProbeRecord;
}

export class AxisSet {
  private constructor(
    readonly zDim: number,
    private readonly axes: ReadonlyMap<AttributeName, Axis>,
    /** The age axis, when the models have an age head. */
    readonly age?: AgeAxis,
    /** Added attributes (their axes are in `axes` too), by name. */
    private readonly addedModels: ReadonlyMap<AttributeName, AddedAttributeModel> = new Map(),
    /**
     * The surrogate of F(G(z)) fitted for these models (models/surrogate.json), when there is one: the closed
     * loop corrects each face along the surrogate's gradient at its z instead of along the fixed axis.
     */
    readonly surrogate?: LocalModel,
    /** The identity hold's band, when the scorer reads identity (src/latent/identity-hold.ts); absent: not held. */
    readonly identityHold?: IdentityHold,
    /** The scene's light, which skin-tone edits move off (src/latent/scene-light.ts); absent: not held. */
    readonly sceneLight?: SceneLight,
  ) {
    this.hasGenderDirections = [...axes.values()].some((a) => a.byGender);
  }

  /** The same axes with a surrogate for the closed loop (src/latent/surrogate.ts). */
  withSurrogate(surrogate: LocalModel | undefined): AxisSet {
    if (surrogate && surrogate.zDim !== this.zDim) throw new Error(`the surrogate takes z of ${surrogate.zDim} numbers, the axes ${this.zDim}`);
    return new AxisSet(this.zDim, this.axes, this.age, this.addedModels, surrogate, this.identityHold, this.sceneLight);
  }

  /** The same axes with (or, with undefined, without) the identity hold for the closed loop (src/latent/identity-hold.ts). */
  withIdentityHold(hold: IdentityHold | undefined): AxisSet {
    return new AxisSet(this.zDim, this.axes, this.age, this.addedModels, this.surrogate, hold, this.sceneLight);
  }

  /** The same axes with (or, with undefined, without) the scene's light held by skin-tone edits (src/latent/scene-light.ts). */
  withSceneLight(light: SceneLight | undefined): AxisSet {
    if (light && light.vector.length !== this.zDim) throw new Error(`the scene's light has ${light.vector.length} numbers, the axes ${this.zDim}`);
    return new AxisSet(this.zDim, this.axes, this.age, this.addedModels, this.surrogate, this.identityHold, light);
  }

  /** Whether any axis has a direction of its own for a gender (`byGender`), so that forGender changes something. */
  readonly hasGenderDirections: boolean;

  static fromAxes(zDim: number, axes: readonly Axis[], age?: AgeAxis, added: readonly AddedAttributeModel[] = []): AxisSet {
    return new AxisSet(zDim, new Map(axes.map((a) => [a.name, a])), age, new Map(added.map((m) => [m.probe.name, m])));
  }

  static fromJSON(json: unknown, source = 'axes.json'): AxisSet {
    const parsed = AxesFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new AxesFileError(`${source} is not a valid axes file: ${parsed.error.issues[0]?.message}`);
    }
    const { zDim, attributes, age } = parsed.data;
    const axes: Axis[] = [];
    for (const name of ATTRIBUTES) {
      const a = attributes[name];
      if (!a) throw new AxesFileError(`${source} has no axis for ${name}`);
      axes.push(axisFromJson(name, a, zDim, source, `axis ${name}`));
    }
    if (age && age.axis.length !== zDim) {
      throw new AxesFileError(`${source}: the age axis has ${age.axis.length} numbers, expected ${zDim}`);
    }
    const ageAxis = age ? (({ axis, ...rest }) => ({ vector: Float32Array.from(axis), ...rest }))(age) : undefined;
    const added: AddedAttributeModel[] = [];
    for (const [key, a] of Object.entries(parsed.data.added ?? {})) {
      const name = asAddedName(key);
      if (!name) throw new AxesFileError(`${source}: "${key}" is not a valid name for an added attribute (a letter, then letters, digits or _; not one of the 40)`);
      const { probe, ...rest } = a;
      axes.push(axisFromJson(name, rest, zDim, source, `the axis of the added attribute ${key}`));
      added.push({ probe: { name, weights: Float32Array.from(probe.weights), bias: probe.bias }, record: probe });
    }
    const widths = new Set(added.map((m) => m.probe.weights.length));
    if (widths.size > 1) throw new AxesFileError(`${source}: the added attributes' probes read different numbers of features (${[...widths].join(', ')})`);
    const light = parsed.data.sceneLight;
    if (light && light.axis.length !== zDim) throw new AxesFileError(`${source}: the scene's light has ${light.axis.length} numbers, expected ${zDim}`);
    const set = AxisSet.fromAxes(zDim, axes, ageAxis, added);
    return light ? set.withSceneLight({ vector: Float32Array.from(light.axis), r2: light.r2, slope: light.slope }) : set;
  }

  static fromFile(path: string): AxisSet {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch {
      throw new AxesFileError(`cannot read the axes file ${path}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AxesFileError(`${path} is not valid JSON`);
    }
    return AxisSet.fromJSON(json, path);
  }

  private readonly gendered = new Map<Gender, AxisSet>();

  /**
   * The axes a face of this gender is edited along: each axis with a direction of its own for the gender
   * (`byGender`) takes that direction, gain and centre (its calibrated scale and spread stay); the rest as
   * they are. The same set when no axis has one.
   */
  forGender(gender: Gender): AxisSet {
    if (!this.hasGenderDirections) return this;
    let set = this.gendered.get(gender);
    if (!set) {
      const axes = [...this.axes.values()].map((a) => {
        const d = a.byGender?.[gender];
        return d ? { ...a, vector: d.vector, gain: d.gain, center: d.center } : a;
      });
      set = new AxisSet(this.zDim, new Map(axes.map((a) => [a.name, a])), this.age, this.addedModels, this.surrogate, this.identityHold, this.sceneLight);
      this.gendered.set(gender, set);
    }
    return set;
  }

  get(name: AttributeName): Axis | undefined {
    return this.axes.get(name);
  }

  require(name: AttributeName): Axis {
    const a = this.axes.get(name);
    if (!a) throw new Error(`no axis for ${name}`);
    return a;
  }

  /** Every axis's name: the 40, then the added attributes. */
  names(): AttributeName[] {
    return [...this.axes.keys()];
  }

  /** The added attributes' probes, in axes.json's order (the scorer reads them on F's features). */
  probes(): Probe[] {
    return [...this.addedModels.values()].map((m) => m.probe);
  }

  /** The added attributes, with their probes' records. */
  added(): AddedAttributeModel[] {
    return [...this.addedModels.values()];
  }

  /** Whether `name` is an added attribute of these axes. */
  isAdded(name: AttributeName): boolean {
    return this.addedModels.has(name);
  }
}
