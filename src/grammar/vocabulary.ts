/**
 * Compiles the vocabulary data (prompts/*.json) once, at module load, into one phrase trie keyed by
 * normalised words. A trie node carries every meaning its phrase has (a phrase may be both a
 * feature and a degree word, e.g. "pretty", "heavy"); the parser picks one from context.
 */
import { ADDED_INFO, type AttributeName } from '../face/attributes.js';
import type { Weights } from '../face/record.js';
import { DATA, vocabularySections } from './data.js';
import { expandPattern } from './patterns.js';
import { tokenize } from './tokenize.js';

export type HeadSense = 'hair' | 'skin' | 'other';
export type Conjunction = 'and' | 'or' | 'with' | 'break';

export interface Term {
  /** Target weights (a plain property) … */
  set?: Weights;
  /** … or step weights (a comparative such as "older"). Exactly one is present. */
  step?: Weights;
  /** A noun for a person ("man", "granny"). */
  person: boolean;
  /** A facial-hair word that takes a hair colour ("grey beard"). */
  hairWord: boolean;
  /** Ends in a noun that size words can scale ("big smile", "thin moustache"). */
  sizeNoun: boolean;
}

export interface Colour {
  hair: Weights | null;
  skin: Weights | null;
  shade?: Weights;
  step: boolean;
}

export interface LockObject {
  name: string;
  attributes: AttributeName[];
  /** Lock every attribute the description does not change ("keep everything else"). */
  rest: boolean;
}

/** Every meaning a phrase can have. */
export interface Meanings {
  term?: Term;
  degree?: number;
  /** The degree word may also follow its feature ("smiling a lot"). */
  degreeAfter?: boolean;
  adjective?: number;
  comparative?: 1 | -1;
  too?: true;
  negator?: 'one' | 'list';
  negatorAlone?: Weights;
  postNegator?: true;
  lockVerb?: true;
  postLock?: true;
  lockObject?: LockObject;
  colour?: Colour;
  pronoun?: 1 | -1;
  head?: HeadSense;
  person?: true;
  conj?: Conjunction;
  stop?: true;
  number?: number;
  decade?: readonly [number, number, number];
  decadeModifier?: 0 | 1 | 2;
  ageUnit?: true;
  ageOld?: true;
  ageSomething?: true;
  agePrefix?: number;
}

export interface TrieNode {
  next: Map<string, TrieNode> | null;
  meanings: Meanings | null;
}

/** Problems found while compiling (duplicate phrases); a test asserts there are none. */
export const compileWarnings: string[] = [];

export const ROOT: TrieNode = { next: null, meanings: null };
/** Every word that occurs in any phrase. */
export const LEXICON = new Set<string>();

export function phraseWords(phrase: string): string[] {
  return tokenize(phrase, 64).tokens.map((t) => t.text);
}

function nodeFor(words: readonly string[]): TrieNode {
  let node = ROOT;
  for (const w of words) {
    LEXICON.add(w);
    node.next ??= new Map();
    let child = node.next.get(w);
    if (!child) {
      child = { next: null, meanings: null };
      node.next.set(w, child);
    }
    node = child;
  }
  return node;
}

function add<K extends keyof Meanings>(patterns: readonly string[], key: K, value: Meanings[K], source: string): void {
  for (const pattern of patterns) {
    for (const phrase of expandPattern(pattern)) {
      const words = phraseWords(phrase);
      if (words.length === 0) continue;
      const node = nodeFor(words);
      node.meanings ??= {};
      if (node.meanings[key] !== undefined && key !== 'stop') {
        if (JSON.stringify(node.meanings[key]) !== JSON.stringify(value)) {
          compileWarnings.push(`"${phrase}" has two different ${key} meanings (${source})`);
        }
        continue;
      }
      node.meanings[key] = value;
    }
  }
}

const SIZE_NOUNS = new Set(DATA.degrees.sizeNouns);
const HAIR_WORDS = new Set(DATA.colours.hairWords);

function compile(): void {
  for (const [section, entries] of vocabularySections()) {
    for (const entry of entries) {
      for (const pattern of entry.say) {
        for (const phrase of expandPattern(pattern)) {
          const words = phraseWords(phrase);
          const last = words[words.length - 1] ?? '';
          const term: Term = {
            person: entry.person === true,
            hairWord: words.some((w) => HAIR_WORDS.has(w)),
            sizeNoun: SIZE_NOUNS.has(last),
            ...(entry.set ? { set: entry.set } : { step: entry.step }),
          };
          add([phrase], 'term', term, `vocabulary.${section}`);
        }
      }
    }
  }
  // added attributes (prompts/added.json): each phrase is a plain target of +1, like "with glasses"
  for (const [name, info] of ADDED_INFO) {
    for (const pattern of info.say) {
      for (const phrase of expandPattern(pattern)) {
        const words = phraseWords(phrase);
        const last = words[words.length - 1] ?? '';
        const term: Term = { person: false, hairWord: false, sizeNoun: SIZE_NOUNS.has(last), set: { [name]: 1 } };
        add([phrase], 'term', term, `added.${name}`);
      }
    }
  }
  const d = DATA.degrees;
  for (const [phrase, factor] of Object.entries(d.degrees)) add([phrase], 'degree', factor, 'degrees');
  for (const phrase of d.after) {
    if (d.degrees[phrase] === undefined) add([phrase], 'degree', 1, 'degrees.after');
    add([phrase], 'degreeAfter', true, 'degrees.after');
  }
  for (const [phrase, factor] of Object.entries(d.adjectives)) add([phrase], 'adjective', factor, 'degrees.adjectives');
  for (const [phrase, sign] of Object.entries(d.comparatives)) add([phrase], 'comparative', sign, 'degrees.comparatives');
  add(d.too, 'too', true, 'degrees.too');

  const n = DATA.negations;
  for (const [phrase, scope] of Object.entries(n.before)) add([phrase], 'negator', scope, 'negations.before');
  for (const [phrase, w] of Object.entries(n.alone)) add([phrase], 'negatorAlone', w, 'negations.alone');
  add(n.after, 'postNegator', true, 'negations.after');

  const s = DATA.stopwords;
  add(s.function, 'stop', true, 'stopwords.function');
  add(s.filler, 'stop', true, 'stopwords.filler');
  add(s.persons, 'person', true, 'stopwords.persons');
  add(s.heads.hair, 'head', 'hair', 'stopwords.heads');
  add(s.heads.skin, 'head', 'skin', 'stopwords.heads');
  add(s.heads.other, 'head', 'other', 'stopwords.heads');
  for (const [phrase, sign] of Object.entries(s.pronouns)) add([phrase], 'pronoun', sign, 'stopwords.pronouns');
  for (const [phrase, c] of Object.entries(s.conjunctions)) add([phrase], 'conj', c, 'stopwords.conjunctions');

  for (const [phrase, c] of Object.entries(DATA.colours.colours)) {
    const colour: Colour = { hair: c.hair, skin: c.skin, step: c.step === true, ...(c.shade ? { shade: c.shade } : {}) };
    add([phrase], 'colour', colour, 'colours');
  }

  const l = DATA.locks;
  add(l.verbs, 'lockVerb', true, 'locks.verbs');
  add(l.after, 'postLock', true, 'locks.after');
  for (const o of l.objects) {
    add(o.say, 'lockObject', { name: o.name, attributes: o.lock ?? [], rest: o.rest === true }, 'locks.objects');
  }

  const a = DATA.ages;
  for (const [phrase, v] of Object.entries(a.numberWords)) add([phrase], 'number', v, 'ages.numberWords');
  for (const [phrase, v] of Object.entries(a.decades)) add([phrase], 'decade', v, 'ages.decades');
  for (const [phrase, v] of Object.entries(a.decadeModifiers)) add([phrase], 'decadeModifier', v, 'ages.decadeModifiers');
  add(a.somethings, 'ageSomething', true, 'ages.somethings');
  add(a.units, 'ageUnit', true, 'ages.units');
  add(a.olds, 'ageOld', true, 'ages.olds');
  for (const [phrase, v] of Object.entries(a.before)) add([phrase], 'agePrefix', v, 'ages.before');
}

compile();

/** Looks up a whole phrase (already normalised words). */
export function lookup(words: readonly string[]): Meanings | null {
  let node: TrieNode | undefined = ROOT;
  for (const w of words) {
    node = node.next?.get(w);
    if (!node) return null;
  }
  return node.meanings;
}
