/**
 * Text helpers for the action agent's rules: normalizing speech-to-text output, number words,
 * and fuzzy matching ("kitchn lihgts") on the shared edit distance.
 */
import { COMMON_CONTRACTIONS, expandContractions, type Contractions } from './text-contractions.js';
import { editDistance } from './text-distance.js';
import { TENS_VALUES as TENS, UNIT_VALUES as UNITS } from './words-numbers.js';

const CONTRACTIONS: Contractions = [
  ...COMMON_CONTRACTIONS,
  [/\bwhats\b/g, 'what is'],
  [/\bim\b/g, 'i am'],
  [/\bisn't\b/g, 'is not'],
  [/\baren't\b/g, 'are not'],
  [/\bdon't\b/g, 'do not'],
  [/\bdont\b/g, 'do not'],
  [/\bi'd\b/g, 'i would'],
  [/\bthey're\b/g, 'they are'],
];

/** Lower case, contractions expanded, punctuation gone (keeping decimals and percent signs). */
export function normalize(text: string): string {
  let t = expandContractions(text.toLowerCase().replace(/[\u2018\u2019]/g, "'"), CONTRACTIONS);
  t = t
    .replace(/(\d)\s*%/g, '$1 percent ')
    .replace(/(\d)\s*°\s*[cf]?/g, '$1 degrees ')
    .replace(/(\d),(\d)/g, '$1.$2')
    .replace(/(\d)\.(?!\d)/g, '$1 ')
    .replace(/[^a-z0-9.\s-]/g, ' ')
    .replace(/(^|\s)[.-]+|[.-]+(?=\s|$)/g, ' ')
    .replace(/-/g, ' ');
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * Number words become digits ("twenty one" → 21, "a hundred" → 100, "nineteen point five" → 19.5);
 * digits stay. Runs on normalized text. Deliberately narrower than `readNumber` (words-numbers.ts):
 * it rewrites text in place for the action rules, and leaves a bare "one" alone.
 */
export function wordsToNumbers(text: string): string {
  const words = text.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    // "hundred", "a hundred", "one hundred" … "nine hundred"
    if (w === 'hundred' || (words[i + 1] === 'hundred' && (w === 'a' || UNITS[w] > 0))) {
      out.push(String(w === 'hundred' || w === 'a' ? 100 : UNITS[w] * 100));
      if (w !== 'hundred') i++;
      continue;
    }
    if (w in TENS) {
      let n = TENS[w];
      if (words[i + 1] in UNITS && UNITS[words[i + 1]] < 10 && UNITS[words[i + 1]] > 0) n += UNITS[words[++i]];
      out.push(String(n));
      continue;
    }
    // "one" alone is usually a pronoun ("the other one"); only convert it before a unit.
    if (w in UNITS && (w !== 'one' || /^(percent|degree|degrees)$/.test(words[i + 1] ?? ''))) {
      out.push(String(UNITS[w]));
      continue;
    }
    if (w === 'point' && /^\d+$/.test(out.at(-1) ?? '') && (words[i + 1] in UNITS || /^\d$/.test(words[i + 1] ?? ''))) {
      const d = words[++i];
      out.push(`${out.pop()}.${d in UNITS ? UNITS[d] : d}`);
      continue;
    }
    out.push(w);
  }
  return out.join(' ');
}

/** How many typos a word of this length may carry and still count as a match. */
const typoBudget = (word: string): number => (word.length <= 3 ? 0 : word.length <= 6 ? 1 : 2);

/**
 * The closest vocabulary word to `word` within its typo budget, or undefined. A tie that the
 * word's ends cannot break is no match: guessing there would act on the wrong device.
 */
export function closest(word: string, vocabulary: Iterable<string>): string | undefined {
  const budget = typoBudget(word);
  if (budget === 0) return undefined;
  // Ties are broken by sharing the first and last letters ("lockd" is "locked", not "locks").
  const ends = (v: string) => (v[0] === word[0] ? 1 : 0) + (v.at(-1) === word.at(-1) ? 1 : 0);
  let best: string | undefined;
  let bestScore = -Infinity;
  let tie = false;
  for (const v of vocabulary) {
    if (Math.abs(v.length - word.length) > budget || v.length <= 3) continue;
    const d = editDistance(word, v, budget);
    if (d > budget) continue;
    const score = -d * 10 + ends(v);
    if (score > bestScore) [best, bestScore, tie] = [v, score, false];
    else if (score === bestScore && v !== best) tie = true;
  }
  return best !== undefined && !tie ? best : undefined;
}
