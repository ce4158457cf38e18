/**
 * The attribute set, as data: CelebA's 40 (F's outputs) plus the attributes added with
 * `npm run attribute -- add` (prompts/added.json: each one's words and caption labels; its probe on F's
 * features and its axis live with the models, in axes.json). Age in years is not an attribute here: it has
 * its own axis and its own path through the grammar (AgeRequest).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The 40 CelebA attributes, in the order of the official list_attr_celeba.txt and of F's outputs. */
export const ATTRIBUTES = [
  '5_o_Clock_Shadow', 'Arched_Eyebrows', 'Attractive', 'Bags_Under_Eyes', 'Bald', 'Bangs',
  'Big_Lips', 'Big_Nose', 'Black_Hair', 'Blond_Hair', 'Blurry', 'Brown_Hair', 'Bushy_Eyebrows',
  'Chubby', 'Double_Chin', 'Eyeglasses', 'Goatee', 'Gray_Hair', 'Heavy_Makeup', 'High_Cheekbones',
  'Male', 'Mouth_Slightly_Open', 'Mustache', 'Narrow_Eyes', 'No_Beard', 'Oval_Face', 'Pale_Skin',
  'Pointy_Nose', 'Receding_Hairline', 'Rosy_Cheeks', 'Sideburns', 'Smiling', 'Straight_Hair',
  'Wavy_Hair', 'Wearing_Earrings', 'Wearing_Hat', 'Wearing_Lipstick', 'Wearing_Necklace',
  'Wearing_Necktie', 'Young',
] as const;

/** One of F's 40 outputs. */
export type CelebaAttribute = (typeof ATTRIBUTES)[number];

/**
 * An attribute's name. The type names the 40, so a misspelt name in code ('Smilling') is a type error and
 * tables of the 40 (prompts/attributes.json) stay exhaustive; at run time it may also be the name of an
 * added attribute (ALL_ATTRIBUTES: isAttributeName says yes to both). Code that looks a name up in a table
 * of the 40, or reads F's logits by index, checks isCelebaAttribute first (attributeIndex gives -1).
 * (An open union here, CelebA | branded string, gives every Partial<Record<AttributeName, T>> an index
 * signature of T | undefined, which breaks code that passes such records on as Record<string, T>.)
 */
export type AttributeName = CelebaAttribute;

/** What an added attribute's name may look like: CelebA's style, a letter then letters, digits and '_'. */
export const ADDED_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** One added attribute in prompts/added.json. */
export const AddedAttributeSchema = z.object({
  /** The caption word for it ("freckles"). */
  label: z.string().min(1).max(60),
  /** Caption words for a target [when negative, when positive]. */
  target: z.tuple([z.string().min(1), z.string().min(1)]),
  /** The phrases that ask for it (each a target of +1: "with freckles"; "more", "no", "a bit" work as for any feature). */
  say: z.array(z.string().min(1)).min(1),
  /** A few of them, for the axes help. */
  examples: z.array(z.string().min(1)).min(1).max(6),
  /** Where it was learned from (for the record and for re-adding it). */
  source: z.object({ positive: z.string(), negative: z.string(), crop: z.string() }).optional(),
});
export type AddedAttributeInfo = z.infer<typeof AddedAttributeSchema>;

export const AddedFileSchema = z.object({
  _doc: z.string().optional(),
  attributes: z.record(z.string().regex(ADDED_NAME, 'an added attribute name is a letter, then letters, digits or _'), AddedAttributeSchema),
});
export type AddedFile = z.infer<typeof AddedFileSchema>;

/** prompts/added.json, or the file ADDED_ATTRIBUTES_FILE names (tests, and a bot with its own attributes). */
export function addedAttributesFile(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.ADDED_ATTRIBUTES_FILE?.trim();
  return fromEnv ? path.resolve(fromEnv) : fileURLToPath(new URL('../../prompts/added.json', import.meta.url));
}

const CELEBA_SET: ReadonlySet<string> = new Set(ATTRIBUTES);
const CELEBA_LOWER: ReadonlySet<string> = new Set(ATTRIBUTES.map((a) => a.toLowerCase()));

/** Reads and checks an added-attributes file; a missing file is an empty one. Errors name the file. */
export function readAddedFile(file: string): AddedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { attributes: {} };
    throw new Error(`cannot read the added attributes file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
  const parsed = AddedFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file} is not a valid added attributes file: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  for (const name of Object.keys(parsed.data.attributes)) {
    if (CELEBA_LOWER.has(name.toLowerCase())) throw new Error(`${file}: the added attribute ${name} has the name of a CelebA attribute`);
  }
  return parsed.data;
}

const ADDED_FILE = readAddedFile(addedAttributesFile());

/** The added attributes (prompts/added.json), in the file's order. */
export const ADDED_ATTRIBUTES: readonly AttributeName[] = Object.keys(ADDED_FILE.attributes) as AttributeName[];

/** Each added attribute's words and labels. */
export const ADDED_INFO: ReadonlyMap<AttributeName, AddedAttributeInfo> = new Map(
  Object.entries(ADDED_FILE.attributes).map(([name, info]) => [name as AttributeName, info]),
);

/** Every attribute the words can ask for: the 40, then the added ones. */
export const ALL_ATTRIBUTES: readonly AttributeName[] = [...ATTRIBUTES, ...ADDED_ATTRIBUTES];

const ALL_SET: ReadonlySet<string> = new Set(ALL_ATTRIBUTES);

/** One of the 40 (F reads it directly). */
/**
 * The added attribute for dark lenses (prompts/added.json; training/attribute_folders.py --celeba-lenses): the
 * grammar, the caption and the held goals pair it with Eyeglasses (docs/seed-search-and-realism.md).
 */
export const SUNGLASSES = 'Sunglasses' as AttributeName;

export function isCelebaAttribute(name: string): boolean {
  return CELEBA_SET.has(name);
}

/** One of the 40 or an added attribute this process knows (prompts/added.json). */
export function isAttributeName(name: string): name is AttributeName {
  return ALL_SET.has(name);
}

/** A name that may be an added attribute's (the shape is right and it is not one of the 40), or undefined. */
export function asAddedName(name: string): AttributeName | undefined {
  return ADDED_NAME.test(name) && !CELEBA_LOWER.has(name.toLowerCase()) ? (name as AttributeName) : undefined;
}

/** The index of one of the 40 in F's logits; -1 for an added attribute (its probe reads F's features instead). */
export function attributeIndex(name: AttributeName): number {
  return isCelebaAttribute(name) ? ATTRIBUTES.indexOf(name) : -1;
}
