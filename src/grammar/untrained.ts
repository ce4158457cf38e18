/**
 * Words for looks this model was not trained to draw (prompts/appearance.json `untrained`: "latina",
 * "middle eastern", "hispanic"). They stay not understood, and the reply says why: the model's data labels
 * skin tone and four groups only, so the word is never silently dropped nor quietly turned into something else.
 */
import { DATA } from './data.js';
import { phraseWords } from './vocabulary.js';

const ENTRIES = DATA.appearance.untrained.map((u) => ({ phrases: u.say.map(phraseWords), reply: u.reply }));

function containsRun(words: readonly string[], run: readonly string[]): boolean {
  if (run.length === 0) return false;
  for (let i = 0; i + run.length <= words.length; i++) {
    if (run.every((w, k) => words[i + k] === w)) return true;
  }
  return false;
}

/** For phrases not understood: one reply per kind of untrained look they name ('"latina": this model was not trained …'). */
export function untrainedReplies(unknown: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of ENTRIES) {
    const hit = unknown.find((text) => {
      const words = phraseWords(text);
      return entry.phrases.some((p) => containsRun(words, p));
    });
    if (hit !== undefined) out.push(`"${hit}": ${entry.reply}`);
  }
  return out;
}
