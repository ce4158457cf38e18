/**
 * parseDescription: free English -> weights on the 40 CelebA attributes.
 *
 * One left-to-right pass over the tokens. Modifier words (degrees, size words, comparatives,
 * negations, "too") wait in `pending` for the next feature in the same clause; a clause ends
 * at punctuation such as a comma. Each understood feature becomes a Mention; the mentions are
 * combined in order at the end (see combine.ts), then pronoun gender and locks are applied.
 */
import { ALL_ATTRIBUTES, ATTRIBUTES, SUNGLASSES, type AttributeName } from '../face/attributes.js';
import type { AgeRequest, Weights } from '../face/record.js';
import { emptyParse, type ParseResult } from './types.js';
import { DATA } from './data.js';
import { tokenize } from './tokenize.js';
import { Input, type Match } from './match.js';
import { lookup, type Colour, type Term, type HeadSense, type LockObject } from './vocabulary.js';
import { startsFeature, sizeNounAhead } from './lookahead.js';
import { readColour } from './colour.js';
import { readLockAfterVerb, readLockAfterWord, type LockRead } from './locks.js';
import { ageForYoungWeight, matchAge, yearsForYoungStep } from './age.js';
import { Combiner } from './combine.js';
import { UnknownSpans } from './unknown.js';
import { untrainedReplies } from './untrained.js';
import { readTypicality } from './typicality.js';
import { blankDiscordMarkup } from './discord-markup.js';
import { parseWeightList } from './weight-list.js';

/** Longer inputs are cut: parse time stays bounded whatever is pasted. */
export const MAX_CHARS = 2000;
export const MAX_TOKENS = 160;
/** Uncached typo searches per input. */
const FUZZY_BUDGET = 12;
const MAX_NOTES = 8;
const MAX_MENTION_CHARS = 40;
/** "Young=-0.5" inside a sentence: a weight, not the word "young" and an age of 0.5. */
const INLINE_WEIGHT = /(?<![\p{L}\p{N}])[\p{L}_]+\s*=\s*[+-]?(?:\d+\.?\d*|\.\d+)/gu;

const STEP_SIZE = DATA.degrees.stepSize;
const NOT_VERY = DATA.degrees.notVery;
const CLAMP = DATA.degrees.clamp;
/** The largest age move in years: what a step at the clamp stands for ("older" twenty times is not +300 years). */
const MAX_STEP_YEARS = Math.abs(yearsForYoungStep(-CLAMP, STEP_SIZE));

/** One understood feature, with the modifiers that apply to it. */
interface Mention {
  base: Weights;
  inherentStep: boolean;
  start: number;
  end: number;
  clause: number;
  factor: number;
  degreeGiven: boolean;
  comparative: 0 | 1 | -1;
  too: boolean;
  negated: boolean;
  /** An age in years the words named ("70 year old"). */
  years?: number;
}

interface Pending {
  factor: number;
  degreeGiven: boolean;
  /** The last degree word may also follow its feature ("smiling a lot"). */
  degreeAfter: boolean;
  comparative: 0 | 1 | -1;
  comparativeAt: number;
  too: boolean;
  /** First token of the modifiers, for the mention text. */
  start: number;
  /** The size-word part of `factor` ("big", "thin"), and where the first one was. */
  adjective: number;
  adjectiveAt: number;
}

interface Negation {
  scope: 'one' | 'list';
  state: 'fresh' | 'afterTerm' | 'continued';
  alone: Weights | undefined;
  start: number;
  end: number;
}

function freshPending(): Pending {
  return { factor: 1, degreeGiven: false, degreeAfter: false, comparative: 0, comparativeAt: -1, too: false, start: -1, adjective: 1, adjectiveAt: -1 };
}

function round(w: number): number {
  return Math.round(w * 1000) / 1000;
}

class Parser {
  private readonly input: Input;
  private readonly mentions: Mention[] = [];
  private readonly pronouns: Array<{ sign: 1 | -1; at: number }> = [];
  private readonly locks: LockObject[] = [];
  private readonly unknown: UnknownSpans;
  private readonly notes: string[] = [];
  private pending = freshPending();
  private negation: Negation | null = null;
  private clause = 0;
  private lastHead: { sense: HeadSense; at: number; end: number } | null = null;

  constructor(text: string) {
    let source = text;
    if (source.length > MAX_CHARS) {
      source = source.slice(0, MAX_CHARS);
      this.notes.push(`only the first ${MAX_CHARS} characters were read; the rest was ignored`);
    }
    const unmarked = blankDiscordMarkup(source);
    source = unmarked.text;
    if (unmarked.customEmoji.length > 0) this.note(`custom emoji such as ${unmarked.customEmoji[0]} are pictures I cannot read; they were ignored`);
    source = source.replace(INLINE_WEIGHT, (m) => {
      this.note(`'${m.slice(0, MAX_MENTION_CHARS)}' was not read: weights such as Male=1 work only as a whole list ("Male=1, Young=-0.5")`);
      return ' '.repeat(m.length);
    });
    const { tokens, truncated } = tokenize(source, MAX_TOKENS);
    if (truncated && text.length <= MAX_CHARS) this.notes.push(`only the first ${MAX_TOKENS} words were read; the rest was ignored`);
    this.input = new Input(source, tokens, { left: FUZZY_BUDGET });
    this.unknown = new UnknownSpans(this.input);
  }

  run(): ParseResult {
    const input = this.input;
    let i = 0;
    while (i < input.length) {
      if (input.isBreak(i)) {
        this.endClause();
        i++;
        continue;
      }
      i = this.step(i);
    }
    this.endClause();
    return this.finish();
  }

  /**
   * Reads whatever starts at token i; returns the index after it. The stages, in order: an age in
   * numbers, a word read together with the head noun before it, a word the vocabulary does not know,
   * then a known phrase (see readPhrase).
   */
  private step(i: number): number {
    const m = this.input.at(i);
    return this.readAge(i, m) ?? this.readAfterHead(i, m) ?? (m ? this.readPhrase(i, m) : this.readUnmatched(i));
  }

  /**
   * A known phrase: a feature that starts inside it ("a little nose"), a lock, "off" after a feature, a
   * size word, another modifier that waits for its feature, or content (feature, colour, pronoun, ...).
   */
  private readPhrase(i: number, m: Match): number {
    return (
      this.skipIntoFeature(i, m) ??
      this.readLock(i, m) ??
      this.readPostNegator(i, m) ??
      this.readSizeWord(i, m) ??
      this.readModifier(i, m) ??
      this.readContent(i, m)
    );
  }

  /** "an 80 year old", "in his 40s", "10 years older": an age, as a target or a move in years. */
  private readAge(i: number, m: Match | null): number | null {
    const mm = m?.meanings;
    const numeric = this.input.tokens[i]?.kind === 'num';
    if (!numeric && !(mm && (mm.agePrefix !== undefined || mm.decadeModifier !== undefined || mm.number !== undefined || mm.decade))) return null;
    const age = matchAge(this.input, i);
    if (!age) return null;
    const young = { Young: age.weight };
    const term = age.stepYears !== undefined ? { step: young } : { set: young };
    // "older by 10 years": the years replace the plain step that "older" made ("by" sits between them)
    const stated = this.mentions.at(-1);
    if (age.restatesStep && stated?.base.Young !== undefined && stated.end === i - 1) this.mentions.pop();
    const before = this.mentions.length;
    this.apply({ ...term, person: false, hairWord: false, sizeNoun: false }, i, age.end);
    if (age.years !== undefined && this.mentions.length > before) this.mentions.at(-1)!.years = age.years;
    return age.end;
  }

  /** "his nose is big": a word after a head noun (see readWithHeadBehind). */
  private readAfterHead(i: number, m: Match | null): number | null {
    if (!this.lastHead || this.input.words[i] === null) return null;
    return this.readWithHeadBehind(i, m ?? { meanings: {}, end: i + 1 });
  }

  /** A token the vocabulary does not know. */
  private readUnmatched(i: number): number {
    // A count before a feature ("2 earrings") is fine; anything else is not understood.
    if (this.input.tokens[i]?.kind === 'num' && startsFeature(this.input, i + 1)) return i + 1;
    this.unknown.add(i, i + 1);
    this.lastHead = null;
    return i + 1;
  }

  /** "a little nose", "a lot of hair": a feature phrase that starts inside a degree phrase and runs past it wins. */
  private skipIntoFeature(i: number, m: Match): number | null {
    const mm = m.meanings;
    if (mm.term || (mm.degree === undefined && !mm.stop) || mm.negator !== undefined || mm.comparative !== undefined) return null;
    for (let k = i + 1; k < m.end; k++) {
      const inner = this.input.at(k);
      if (inner?.meanings.term && inner.end > m.end) return k;
    }
    return null;
  }

  /** "keep the gender", "hair unchanged". */
  private readLock(i: number, m: Match): number | null {
    const mm = m.meanings;
    if (mm.lockVerb) {
      const read = readLockAfterVerb(this.input, m.end);
      if (read) return this.lock(read);
    }
    if (mm.lockObject || mm.term) {
      const read = readLockAfterWord(this.input, m);
      if (read) return this.lock(read);
    }
    return null;
  }

  /** "glasses off". */
  private readPostNegator(i: number, m: Match): number | null {
    return m.meanings.postNegator && this.negateLastMention(i) ? m.end : null;
  }

  /** "big smile", "thin moustache": a size word waits for its feature; before anything else it is a size we cannot draw. */
  private readSizeWord(i: number, m: Match): number | null {
    const input = this.input;
    const mm = m.meanings;
    // A comparative ("more") comes first: readModifier.
    if (mm.adjective === undefined || this.readsAsComparative(m)) return null;
    const sizeNoun = sizeNounAhead(input, m.end);
    if (mm.term !== undefined && !sizeNoun) return null;
    if (sizeNoun) {
      this.pending.factor *= mm.adjective;
      this.pending.adjective *= mm.adjective;
      if (this.pending.adjectiveAt < 0) this.pending.adjectiveAt = i;
      this.pending.degreeGiven = true;
      this.markStart(i);
      return m.end;
    }
    if (mm.colour !== undefined || mm.degree !== undefined) return null;
    // "long" in "long blonde hair", "big" in "big guy": a size we cannot draw.
    const next = input.at(m.end);
    this.unknown.add(i, next?.meanings.head ? next.end : m.end);
    return m.end;
  }

  /** A comparative ("more", "less") that applies to what follows, not a feature of its own. */
  private readsAsComparative(m: Match): boolean {
    const mm = m.meanings;
    const hasContent = mm.term !== undefined || mm.colour !== undefined || mm.conj !== undefined;
    return mm.comparative !== undefined && (!hasContent || startsFeature(this.input, m.end));
  }

  /** Comparatives, degree words, negators and "too": they wait in `pending` for the next feature. */
  private readModifier(i: number, m: Match): number | null {
    const input = this.input;
    const mm = m.meanings;
    const hasContent = mm.term !== undefined || mm.colour !== undefined || mm.conj !== undefined;
    if (this.readsAsComparative(m)) {
      this.pending.comparative = mm.comparative!;
      this.pending.comparativeAt = i;
      this.markStart(i);
      return m.end;
    }
    if (mm.degree !== undefined && (!hasContent || startsFeature(input, m.end))) {
      this.pending.factor *= mm.degree;
      this.pending.degreeGiven = true;
      this.pending.degreeAfter = mm.degreeAfter === true;
      this.markStart(i);
      return m.end;
    }
    if (mm.negator !== undefined && mm.term === undefined) {
      this.negation = { scope: mm.negator, state: 'fresh', alone: mm.negatorAlone, start: i, end: m.end };
      return m.end;
    }
    if (mm.too) {
      this.pending.too = true;
      this.markStart(i);
      return m.end;
    }
    return null;
  }

  /** A feature, a colour, a pronoun, a list word, a head noun, a word without content, or else not understood. */
  private readContent(i: number, m: Match): number {
    const mm = m.meanings;
    if (mm.term) {
      this.apply(mm.term, i, m.end);
      return m.end;
    }
    if (mm.colour) return this.colour(i, m, mm.colour);
    if (mm.pronoun !== undefined) {
      this.pronouns.push({ sign: mm.pronoun, at: i });
      return m.end;
    }
    if (mm.conj) {
      this.conjunction(mm.conj);
      return m.end;
    }
    if (mm.head) {
      this.lastHead = { sense: mm.head, at: i, end: m.end };
      return m.end;
    }
    if (mm.stop || mm.person || mm.lockObject || mm.lockVerb || mm.postLock || mm.postNegator || mm.degree !== undefined || mm.comparative !== undefined) {
      return m.end;
    }
    // Age words that turned out not to be an age ("late", "years"), and the like.
    this.unknown.add(i, m.end);
    return m.end;
  }

  private markStart(i: number): void {
    if (this.pending.start < 0) this.pending.start = i;
  }

  /** "his nose is big", "lips fuller": a word after a head noun, read together as "big nose". */
  private readWithHeadBehind(i: number, m: Match): number | null {
    const head = this.lastHead;
    if (!head || (head.sense === 'hair' && m.meanings.colour)) return null;
    const words = this.input.words.slice(i, m.end) as string[];
    const headWords = this.input.words.slice(head.at, head.end) as string[];
    const phrase = lookup([...words, ...headWords]);
    if (!phrase?.term) return null;
    this.lastHead = null;
    this.apply(phrase.term, i, m.end, head.at);
    return m.end;
  }

  /** Applies a feature with the pending modifiers. */
  private apply(term: Term, start: number, end: number, mentionStart?: number): void {
    const p = this.pending;
    let factor = p.factor;
    if (term.person) {
      // "big guy": a size word does not scale a person; nor does "a little" in "a little boy".
      if (p.adjectiveAt >= 0) this.unknown.add(p.adjectiveAt, p.adjectiveAt + 1);
      factor = 1;
    }
    let negated = false;
    let negationStart = start;
    const neg = this.negation;
    if (neg) {
      if (neg.state === 'afterTerm' && neg.scope === 'one') this.negation = null;
      else {
        negated = true;
        if (neg.state === 'fresh') negationStart = neg.start;
        neg.state = 'afterTerm';
      }
    }
    const from = Math.min(mentionStart ?? start, p.start >= 0 ? p.start : start, negationStart);
    this.mentions.push({
      base: (p.comparative !== 0 ? (term.set ?? term.step) : (term.step ?? term.set)) ?? {},
      inherentStep: term.step !== undefined,
      start: from,
      end,
      clause: this.clause,
      factor,
      degreeGiven: p.degreeGiven,
      comparative: p.comparative,
      too: p.too,
      negated,
    });
    this.pending = freshPending();
    this.lastHead = null;
  }

  /** "glasses off", "beard gone": turns off the feature just before. */
  private negateLastMention(i: number): boolean {
    const last = this.mentions[this.mentions.length - 1];
    if (!last || last.clause !== this.clause || last.negated) return false;
    for (let j = last.end; j < i; j++) {
      if (!this.input.at(j)?.meanings.stop) return false;
    }
    last.negated = true;
    last.end = this.input.at(i)?.end ?? i + 1;
    return true;
  }

  private conjunction(kind: 'and' | 'or' | 'with' | 'break'): void {
    this.lastHead = null;
    if (kind === 'break') {
      this.endClause();
      return;
    }
    const neg = this.negation;
    if (!neg || neg.state !== 'afterTerm') {
      if (kind === 'with' && neg) this.negation = null;
      return;
    }
    if (kind === 'or' || (kind === 'and' && neg.scope === 'list')) neg.state = 'continued';
    else this.negation = null;
  }

  /** A colour word: what it means depends on the noun it describes (colour.ts). */
  private colour(i: number, first: Match, colour: Colour): number {
    const reading = readColour(this.input, i, first.end, colour, this.lastHead);
    const { run, end, sense, nounEnd, nounIsFeature, weights } = reading;
    if (sense === 'describes') return end; // "black hat", "red lipstick": the colour of something we draw anyway
    if (weights.every((w) => w === null)) {
      this.unknown.add(reading.unknownFrom, Math.max(nounEnd, end)); // "blue eyes", "pink hair"
      this.pending = freshPending();
      return end;
    }
    const mentionEnd = sense === 'hair' || sense === 'skin' ? Math.max(nounEnd, end) : end;
    // "a thick black beard", "no grey beard": size words and negation also reach the noun after the colour.
    const savedPending = this.pending;
    const savedNegation = this.negation ? { ...this.negation } : null;
    const keepSize = nounIsFeature && savedPending.adjectiveAt >= 0;
    if (keepSize) this.pending = freshPending();
    run.forEach((r, k) => {
      const w = weights[k];
      if (!w) return;
      const term: Term = { person: false, hairWord: false, sizeNoun: false, ...(r.colour.step ? { step: w } : { set: w }) };
      this.apply(term, r.at, k === run.length - 1 ? mentionEnd : r.at + 1);
    });
    if (keepSize) this.pending = savedPending;
    if (nounIsFeature) this.negation = savedNegation;
    return end;
  }

  private lock(read: LockRead): number {
    this.locks.push(...read.objects);
    this.pronouns.push(...read.pronouns);
    return read.end;
  }

  private endClause(): void {
    const p = this.pending;
    const last = this.mentions[this.mentions.length - 1];
    const lastInClause = last && last.clause === this.clause ? last : null;
    if (p.comparative !== 0) {
      if (lastInClause && lastInClause.comparative === 0 && !lastInClause.inherentStep) {
        // "smile more", "make the beard bigger"
        lastInClause.comparative = p.comparative;
        lastInClause.end = Math.max(lastInClause.end, p.comparativeAt + 1);
        if (p.degreeGiven && !lastInClause.degreeGiven) lastInClause.factor *= p.factor;
      } else {
        const word = this.input.typed(p.comparativeAt, p.comparativeAt + 1);
        this.note(`'${word}' needs a feature to apply to (e.g. '${word} smile')`);
      }
    } else if (p.degreeGiven && p.degreeAfter && lastInClause && !lastInClause.degreeGiven) {
      lastInClause.factor *= p.factor; // "smiling a lot"
      lastInClause.degreeGiven = true;
    }
    const neg = this.negation;
    if (neg && neg.state === 'fresh' && neg.alone) {
      this.negation = null;
      this.apply({ set: neg.alone, person: false, hairWord: false, sizeNoun: false }, neg.start, neg.end);
    }
    this.pending = freshPending();
    this.negation = null;
    this.lastHead = null;
    this.clause++;
  }

  private note(text: string): void {
    if (this.notes.length < MAX_NOTES && !this.notes.includes(text)) this.notes.push(text);
  }

  /** A move in years is capped at what the clamped weight stands for; an age at the grammar's age range. */
  private boundAge(age: AgeRequest): AgeRequest {
    const [lo, hi] = age.mode === 'step' ? [-MAX_STEP_YEARS, MAX_STEP_YEARS] : DATA.ages.range;
    const years = Math.min(hi, Math.max(lo, age.years));
    if (years === age.years) return age;
    this.note(age.mode === 'step' ? `the age move was capped at ${years > 0 ? '+' : ''}${years} years` : `the age was capped at ${years} years`);
    return { mode: age.mode, years };
  }

  private mentionText(m: Mention): string {
    const t = this.input.typed(m.start, m.end);
    return t.length > MAX_MENTION_CHARS ? `${t.slice(0, MAX_MENTION_CHARS - 1)}…` : t;
  }

  private finish(): ParseResult {
    const combiner = new Combiner(CLAMP);
    let explicitGender = false;
    let age: AgeRequest | undefined;
    lensesOnlyWhenGlassesAsked(this.mentions);
    for (const m of this.mentions) {
      const isStep = m.inherentStep || m.comparative !== 0 || m.too;
      const sign = (m.comparative < 0 ? -1 : 1) * (m.negated ? -1 : 1) * (m.too ? -1 : 1);
      const factor = m.negated && !isStep && m.factor > 1 ? NOT_VERY : m.factor;
      const scale = (isStep ? STEP_SIZE : 1) * factor * sign;
      const text = this.mentionText(m);
      for (const [attr, w] of Object.entries(m.base) as Array<[AttributeName, number]>) {
        if (attr === 'Male') explicitGender = true;
        combiner.add(attr, w * scale, isStep ? 'step' : 'target', text);
      }
      if (m.base.Young !== undefined) age = foldAge(age, m, m.base.Young * scale, isStep);
    }
    if (!explicitGender && this.pronouns.length > 0) {
      let previous: { sign: 1 | -1; at: number } | null = null;
      for (const p of this.pronouns) {
        const word = this.input.typed(p.at, p.at + 1);
        if (previous && previous.sign !== p.sign) {
          combiner.note(`'${word}' overrides the earlier '${this.input.typed(previous.at, previous.at + 1)}'`);
        }
        previous = p;
      }
      if (previous) combiner.add('Male', previous.sign, 'target', this.input.typed(previous.at, previous.at + 1), true);
    }
    lensesWithTheGlasses(combiner);

    const result = emptyParse();
    const locked = new Set<AttributeName>();
    for (const lock of this.locks) {
      // "keep everything else" holds the 40; an added attribute is held when named ("keep the schoolchild")
      const attrs = lock.rest ? ATTRIBUTES.filter((a) => !combiner.entries.has(a)) : lock.attributes;
      for (const a of attrs) locked.add(a);
    }
    for (const a of locked) {
      const e = combiner.entries.get(a);
      if (e) {
        combiner.entries.delete(a);
        if (!e.implicit) combiner.note(`'${e.source}' was not applied: you asked to keep it`);
      }
    }
    result.locks = ALL_ATTRIBUTES.filter((a) => locked.has(a));
    for (const [attr, e] of combiner.entries) {
      const w = round(e.w);
      result.weights[attr] = w;
      result.mode[attr] = e.mode;
    }
    if (age && result.weights.Young !== undefined && result.weights.Young !== 0) result.age = this.boundAge(age);
    if (result.weights.Male !== undefined && combiner.entries.get('Male')?.implicit) result.genderFromPronoun = true;
    result.unknown = this.unknown.list();
    const typoNotes = this.input.typos
      .filter(([at]) => !this.unknown.covers(at))
      .map(([at, word]) => `read '${this.input.typed(at, at + 1)}' as '${word}'`);
    result.notes = [...untrainedReplies(result.unknown), ...this.notes, ...combiner.notes, ...typoNotes].slice(0, MAX_NOTES);
    return result;
  }
}

/**
 * The lenses (the added Sunglasses) go with the glasses. Where glasses are asked away ("no glasses", "no
 * sunglasses", "no clear glasses"), no lens goal is left on a face without them. Sunglasses asked of a woman are
 * drawn as glasses, and the reply says why: with dark lenses this model turned most women's faces into men's
 * (F v1 read the woman asked for on 28% of "a woman in sunglasses" against 64% of "a woman with glasses";
 * docs/seed-search-and-realism.md, "Clear glasses and sunglasses").
 */
function lensesWithTheGlasses(combiner: Combiner): void {
  const lenses = combiner.entries.get(SUNGLASSES);
  if (!lenses) return;
  const glasses = combiner.entries.get('Eyeglasses');
  if (glasses && glasses.mode === 'target' && glasses.w < 0) {
    combiner.entries.delete(SUNGLASSES);
    return;
  }
  const male = combiner.entries.get('Male');
  if (lenses.mode === 'target' && lenses.w > 0 && male && male.w < 0) {
    combiner.entries.delete(SUNGLASSES);
    combiner.note(`'${lenses.source}' is drawn as glasses on a woman: with dark lenses this model turns most women's faces into men's`);
  }
}

/**
 * "glasses but not sunglasses", "clear glasses, not shades": a negated sunglasses word beside glasses asked for
 * takes away the dark lenses, not the glasses (its entry sets both, and a negation turns both).
 */
function lensesOnlyWhenGlassesAsked(mentions: Mention[]): void {
  const asked = mentions.some((m) => !m.negated && m.comparative === 0 && (m.base.Eyeglasses ?? 0) > 0);
  if (!asked) return;
  for (const m of mentions) {
    const sun = m.base[SUNGLASSES];
    if (m.negated && sun !== undefined && sun > 0 && (m.base.Eyeglasses ?? 0) > 0) m.base = { [SUNGLASSES]: sun };
  }
}

/**
 * The age in years that the Young mentions ask for, folded in order like the weights: a target replaces
 * what came before; a step moves it ("old man, a bit younger" = at least 53 - 6).
 */
function foldAge(prev: AgeRequest | undefined, m: Mention, w: number, isStep: boolean): AgeRequest {
  if (isStep) {
    const years = yearsForYoungStep(w, STEP_SIZE);
    return prev ? { mode: prev.mode, years: round(prev.years + years) } : { mode: 'step', years };
  }
  if (m.years !== undefined && !m.negated) return { mode: 'exact', years: m.years };
  const bound: AgeRequest = { mode: w < 0 ? 'atLeast' : 'atMost', years: ageForYoungWeight(w) };
  // "a 10 year old boy", "80 year old grandpa": a word that agrees with an exact age keeps the exact age
  if (prev?.mode === 'exact' && (bound.mode === 'atLeast' ? prev.years >= bound.years : prev.years <= bound.years)) return prev;
  return bound;
}

/** "Male=1, Young=-0.5" (the weights syntax of npm run face): those weights, as targets, and nothing else. */
function readWeightList(text: string): ParseResult | null {
  const result = emptyParse();
  if (!/^\s*[A-Za-z_]/.test(text)) return null;
  let weights: Weights | undefined;
  try {
    weights = parseWeightList(text.slice(0, MAX_CHARS));
  } catch (err) {
    result.notes.push(err instanceof Error ? err.message : 'not a list of weights');
    return result;
  }
  if (!weights) return null;
  for (const [attr, w] of Object.entries(weights) as Array<[AttributeName, number]>) {
    result.weights[attr] = w;
    result.mode[attr] = 'target';
  }
  const young = result.weights.Young;
  if (young !== undefined && young !== 0) result.age = { mode: young < 0 ? 'atLeast' : 'atMost', years: ageForYoungWeight(young) };
  return result;
}

/** Never throws: any input gives a well-formed result. */
export function parseDescription(text: string): ParseResult {
  try {
    if (typeof text !== 'string' || text.length === 0) return emptyParse();
    const listed = readWeightList(text);
    if (listed) return listed;
    // Cut first, so typicality and the attribute grammar read the same characters.
    const typical = readTypicality(text.slice(0, MAX_CHARS));
    if (!typical) return new Parser(text).run();
    const result = new Parser(typical.rest).run();
    if (text.length > MAX_CHARS) result.notes.unshift(`only the first ${MAX_CHARS} characters were read; the rest was ignored`);
    return { ...result, truncation: typical.psi, typicality: typical.said };
  } catch (err) {
    const result = emptyParse();
    result.notes.push(`could not read this description (${err instanceof Error ? err.message : 'error'})`);
    return result;
  }
}
