/**
 * Loads and validates the grammar's vocabulary data (prompts/*.json) once, at module load.
 * A malformed file throws here, at startup, never while parsing user text.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ADDED_NAME, ATTRIBUTES, isAttributeName, type AttributeName } from '../face/attributes.js';
import { TRUNCATION_MAX, TRUNCATION_MIN } from '../latent/truncation.js';

const PROMPTS_DIR = new URL('../../prompts/', import.meta.url);

const attributeName = z.enum(ATTRIBUTES);
/**
 * One of the 40, or an added attribute's name (prompts/added.json: "Dark_Skin"). A name of the added kind that
 * this bot has not loaded (`npm run attribute -- remove`, or another ADDED_ATTRIBUTES_FILE) is left out when
 * the data is read: the words keep the rest of their meaning (see prompts/appearance.json).
 */
const anyAttributeName = z.union([attributeName, z.string().regex(ADDED_NAME)]);
const loadedOnly = <T>(entries: Array<[string, T]>): Array<[AttributeName, T]> =>
  entries.filter((e): e is [AttributeName, T] => isAttributeName(e[0]));
const weights = z
  .record(anyAttributeName, z.number().min(-2).max(2))
  .transform((w) => Object.fromEntries(loadedOnly(Object.entries(w))) as Partial<Record<AttributeName, number>>);
const lockNames = z.array(anyAttributeName).transform((names) => names.filter(isAttributeName));
const phrases = z.array(z.string().min(1));

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const vocabularyEntry = z
  .object({ say: phrases, set: weights.optional(), step: weights.optional(), person: z.boolean().optional() })
  .refine((e) => (e.set === undefined) !== (e.step === undefined), { message: 'an entry needs exactly one of set / step' });

const schemas = {
  attributes: z.object({
    groups: z.array(z.string()),
    attributes: z.record(
      attributeName,
      z.object({
        group: z.string(),
        label: z.string(),
        inverted: z.boolean().optional(),
        steps: z.tuple([z.string(), z.string()]).optional(),
        graded: z.boolean().optional(),
        target: z.tuple([z.string(), z.string()]),
        examples: z.array(z.string()).min(1).max(6),
      }),
    ),
  }),
  vocabulary: z.record(z.string(), z.union([z.string(), z.array(vocabularyEntry)])),
  /** Skin tone and appearance words (issue 26): vocabulary sections that may name added attributes, and the
   * words for looks this model was not trained to draw, each with the reply that says so. */
  appearance: z.object({
    _doc: z.string().optional(),
    sections: z.record(z.string(), z.array(vocabularyEntry)),
    untrained: z.array(z.object({ say: phrases, reply: z.string().min(1) })),
  }),
  degrees: z.object({
    stepSize: z.number().positive(),
    notVery: z.number().positive(),
    clamp: z.number().positive(),
    degrees: z.record(z.string(), z.number().positive()),
    after: phrases,
    adjectives: z.record(z.string(), z.number().positive()),
    sizeNouns: phrases,
    comparatives: z.record(z.string(), z.union([z.literal(1), z.literal(-1)])),
    too: phrases,
  }),
  negations: z.object({
    before: z.record(z.string(), z.enum(['one', 'list'])),
    alone: z.record(z.string(), weights),
    after: phrases,
  }),
  stopwords: z.object({
    function: phrases,
    filler: phrases,
    fillerPatterns: z.array(z.string().refine(isRegExp, { message: 'not a regular expression' })),
    persons: phrases,
    heads: z.object({ hair: phrases, skin: phrases, other: phrases }),
    pronouns: z.record(z.string(), z.union([z.literal(1), z.literal(-1)])),
    conjunctions: z.record(z.string(), z.enum(['and', 'or', 'with', 'break'])),
    realWords: phrases,
  }),
  colours: z.object({
    colours: z.record(
      z.string(),
      z.object({ hair: weights.nullable(), skin: weights.nullable(), shade: weights.optional(), step: z.boolean().optional() }),
    ),
    hairWords: phrases,
  }),
  locks: z.object({
    verbs: phrases,
    after: phrases,
    objects: z.array(
      z.object({ name: z.string(), say: phrases, lock: lockNames.optional(), rest: z.boolean().optional() }),
    ),
  }),
  ages: z
    .object({
      numberWords: z.record(z.string(), z.number().int().min(0)),
      decades: z.record(z.string(), z.tuple([z.number(), z.number(), z.number()])),
      decadeModifiers: z.record(z.string(), z.union([z.literal(0), z.literal(1), z.literal(2)])),
      somethings: phrases,
      units: phrases,
      olds: phrases,
      before: z.record(z.string(), z.number()),
      looseBefore: phrases,
      bare: z.object({ links: phrases, subjects: phrases, direct: phrases }),
      decadeBefore: phrases,
      eraBefore: phrases,
      youngCurve: z.array(z.tuple([z.number(), z.number()])).min(2),
      range: z.tuple([z.number(), z.number()]),
      relative: z.record(z.string().min(1), z.union([z.literal(1), z.literal(-1)])),
      yearsPerStep: z.number().positive(),
    })
    .refine((a) => a.looseBefore.every((p) => a.before[p] !== undefined), { message: 'every looseBefore phrase must also be in before' }),
  typicality: z.object({
    phrases: z.record(z.string().min(1), z.number().min(TRUNCATION_MIN).max(TRUNCATION_MAX)),
  }),
};

type Schemas = typeof schemas;
export type GrammarData = { [K in keyof Schemas]: z.infer<Schemas[K]> };
export type VocabularyEntry = z.infer<typeof vocabularyEntry>;

function load<K extends keyof Schemas>(name: K): GrammarData[K] {
  const file = new URL(`${name}.json`, PROMPTS_DIR);
  const parsed = schemas[name].safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`prompts/${name}.json is invalid: ${parsed.error.message}`);
  return parsed.data as GrammarData[K];
}

export const DATA: GrammarData = {
  attributes: load('attributes'),
  vocabulary: load('vocabulary'),
  appearance: load('appearance'),
  degrees: load('degrees'),
  negations: load('negations'),
  stopwords: load('stopwords'),
  colours: load('colours'),
  locks: load('locks'),
  ages: load('ages'),
  typicality: load('typicality'),
};

/** Vocabulary sections (keys not starting with '_'), each a list of entries. */
export function vocabularySections(): Array<[string, VocabularyEntry[]]> {
  const own = Object.entries(DATA.vocabulary).flatMap(([name, v]): Array<[string, VocabularyEntry[]]> => (name.startsWith('_') || typeof v === 'string' ? [] : [[name, v]]));
  // an appearance entry whose every attribute is not loaded here means nothing: its words stay unknown
  const appearance = Object.entries(DATA.appearance.sections).map(([name, entries]): [string, VocabularyEntry[]] => [
    `appearance.${name}`, entries.filter((e) => Object.keys(e.set ?? e.step ?? {}).length > 0),
  ]);
  return [...own, ...appearance];
}
