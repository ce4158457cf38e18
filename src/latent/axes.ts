import fs from 'node:fs';
import { z } from 'zod';
import { ATTRIBUTES, type AttributeName } from '../face/attributes.js';

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
  /** F's logit change per unit of coordinate (the ridge slope); the closed loop's first guess. */
  gain?: number;
}


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
  gain: z.number().optional(),
  openLoopSuccessRate: z.number().optional(),
});

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

/** The age axis: a unit direction in z along which F's age head (years) rises, fitted like the others. */
export type AgeAxis = Omit<z.infer<typeof AgeAxisJson>, 'axis'> & { vector: Float32Array };

export const AxesFileSchema = z.object({
  version: z.literal(1),
  zDim: z.number().int().positive(),
  attributes: z.record(z.string(), AxisJson),
  /** Present when F has an age head (classifier.onnx output `age`). */
  age: AgeAxisJson.optional(),
});

export type AxesFile = z.infer<typeof AxesFileSchema>;

export class AxesFileError extends Error {
  override name = 'AxesFileError';
}

export class AxisSet {
  private constructor(
    readonly zDim: number,
    private readonly axes: ReadonlyMap<AttributeName, Axis>,
    /** The age axis, when the models have an age head. */
    readonly age?: AgeAxis,
  ) {}

  static fromAxes(zDim: number, axes: readonly Axis[], age?: AgeAxis): AxisSet {
    return new AxisSet(zDim, new Map(axes.map((a) => [a.name, a])), age);
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
      if (a.axis.length !== zDim) {
        throw new AxesFileError(`${source}: axis ${name} has ${a.axis.length} numbers, expected ${zDim}`);
      }
      const { axis, ...rest } = a;
      axes.push({ name, vector: Float32Array.from(axis), ...rest });
    }
    if (age && age.axis.length !== zDim) {
      throw new AxesFileError(`${source}: the age axis has ${age.axis.length} numbers, expected ${zDim}`);
    }
    const ageAxis = age ? (({ axis, ...rest }) => ({ vector: Float32Array.from(axis), ...rest }))(age) : undefined;
    return AxisSet.fromAxes(zDim, axes, ageAxis);
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

  get(name: AttributeName): Axis | undefined {
    return this.axes.get(name);
  }

  require(name: AttributeName): Axis {
    const a = this.axes.get(name);
    if (!a) throw new Error(`no axis for ${name}`);
    return a;
  }

  names(): AttributeName[] {
    return [...this.axes.keys()];
  }
}
