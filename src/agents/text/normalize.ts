/**
 * The one normalizer for what people say and type, used by the router, the instant agent and the
 * action agent alike: lower case, contractions expanded, chat spellings fixed ("pls", "whats"),
 * punctuation dropped. Arithmetic symbols and decimals stay for the maths; a comma becomes its own
 * "," token so clauses can be split on it. Typo correction is typos.ts, number words src/numbers.ts.
 */
import { SHORT_FIXES } from './typos.js';

/** Specific words first, then the generic suffixes (possessive "'s" is dropped: "the kitchen's lights"). */
const CONTRACTIONS: readonly (readonly [RegExp, string])[] = [
  [/\bwhat's\b/g, 'what is'], [/\bit's\b/g, 'it is'], [/\bthat's\b/g, 'that is'], [/\bhow's\b/g, 'how is'],
  [/\bwhere's\b/g, 'where is'], [/\bwho's\b/g, 'who is'], [/\blet's\b/g, 'let us'], [/\bi'm\b/g, 'i am'],
  [/\bcan't\b/g, 'can not'], [/\bwon't\b/g, 'will not'], [/n't\b/g, ' not'], [/'re\b/g, ' are'], [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'], [/'ve\b/g, ' have'], [/'s\b/g, ''],
];

/**
 * Normalized tokens of an utterance. Keeps digits with their decimals ("21.5"), joins digit
 * grouping ("1,000" → 1000; "21,5" is a decimal comma → 21.5), spells "%" as "percent" and "°C"
 * as "degrees celsius", splits hyphenated words, and keeps + - * / ^ ( ) × ÷ as tokens.
 */
export function tokenize(text: string): string[] {
  let s = text.toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'");
  if (s.includes("'")) for (const [re, to] of CONTRACTIONS) s = s.replace(re, to);
  if (/[%°]/.test(s)) s = s.replace(/%/g, ' percent ').replace(/°\s*c\b/g, ' degrees celsius ').replace(/°\s*f\b/g, ' degrees fahrenheit ').replace(/°/g, ' degrees ');
  s = s
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/(\d),(?=\d)/g, '$1.')
    .replace(/([a-z])-(?=[a-z])/g, '$1 ')
    .replace(/[^a-z0-9.,+\-*/^()×÷\s]/g, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/,/g, ' , ');
  const out: string[] = [];
  for (const t of s.split(/\s+/)) {
    if (!t) continue;
    const fix = SHORT_FIXES[t];
    if (fix === undefined) out.push(t);
    else for (const f of fix.split(' ')) out.push(f);
  }
  return out;
}

const WORD = /[a-z0-9]/;

/** The words alone, as one string: for matching names and phrases, where symbols and commas mean nothing. */
export function normalizeWords(text: string): string {
  return tokenize(text)
    .filter((t) => WORD.test(t))
    .join(' ');
}

/**
 * One word as its singular, so a name and what is said of it match however either is counted:
 * "lights" → "light", "switches" → "switch", "batteries" → "battery"; "glass" and words of three
 * letters or fewer ("gas", "tvs") stay as they are. Both sides of a match go through it.
 */
export function singular(word: string): string {
  if (word.length <= 3 || !word.endsWith('s') || word.endsWith('ss')) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(?:ch|sh|x)es$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

/** "would you mind turning off…": verb forms the rules read as the plain verb. */
export const PLAIN_VERBS: Readonly<Record<string, string>> = {
  turning: 'turn', switching: 'switch', locking: 'lock', unlocking: 'unlock', dimming: 'dim', setting: 'set', putting: 'put',
  shutting: 'shut', making: 'make', raising: 'raise', lowering: 'lower', opening: 'open', closing: 'close', starting: 'start',
  brightening: 'brighten', activating: 'activate', checking: 'check', pausing: 'pause', stopping: 'stop', muting: 'mute',
  skipping: 'skip',
};
