/**
 * Typo correction, the one kind for the router ("trun" → "turn") and the action agent ("kitchn
 * lihgts"): chat spellings too short to correct by distance, the "turn of" slip, and correction
 * towards a vocabulary (the rules' keywords plus the home's own names) by edit distance.
 */

/**
 * Optimal-string-alignment distance (Damerau: insertions, deletions, substitutions and adjacent
 * swaps each count as one). Past `max` it stops early and returns `max + 1`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  const prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= m; j++) prev2[j] = prev[j];
    [prev, cur] = [cur, prev];
  }
  return prev[m];
}

/** Spellings too short or too far for edit distance: chat shorthand and the commonest slips. */
export const SHORT_FIXES: Readonly<Record<string, string>> = {
  teh: 'the', hte: 'the', u: 'you', ur: 'your', r: 'are', pls: 'please', plz: 'please', thx: 'thanks', ty: 'thanks',
  lite: 'light', lites: 'lights', nite: 'night', tmrw: 'tomorrow', wat: 'what', wut: 'what', whats: 'what is', hows: 'how is',
  thermo: 'thermostat', temp: 'temperature', goodnight: 'good night', okay: 'ok', dor: 'door', dors: 'doors', fna: 'fan',
  im: 'i am', dont: 'do not', cant: 'can not', wont: 'will not', isnt: 'is not', arent: 'are not', wheres: 'where is',
  whos: 'who is', thats: 'that is', lets: 'let us', its: 'it is',
};

/** How many typos a word of this length may carry and still count as a match. */
const typoBudget = (word: string): number => (word.length <= 3 ? 0 : word.length <= 6 ? 1 : 2);

/**
 * The closest vocabulary word to `word` within its typo budget, or undefined. A tie that the
 * word's ends cannot break is no match: guessing there would route or act on the wrong thing.
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

export interface Corrector {
  /** The vocabulary word `word` is a likely typo of, or `word` itself. */
  correct(word: string): string;
}

/**
 * A corrector towards `vocabulary`, with the words bucketed by length so a token is only compared
 * with words it could be a few edits from. `known` words are real words left alone ("burn" is not
 * "turn"). Corrections are remembered: utterances repeat their words, and typos are few.
 */
export function createCorrector(vocabulary: Iterable<string>, known: ReadonlySet<string> = new Set()): Corrector {
  const words = new Set(vocabulary);
  const byLength = new Map<number, string[]>();
  for (const w of words) {
    const list = byLength.get(w.length) ?? [];
    list.push(w);
    byLength.set(w.length, list);
  }
  const memo = new Map<string, string>();
  return {
    correct(w) {
      if (w.length <= 3 || words.has(w) || known.has(w) || /[^a-z]/.test(w)) return w;
      const hit = memo.get(w);
      if (hit !== undefined) return hit;
      const budget = typoBudget(w);
      // Typos rarely hit both of the first two letters: a cheap filter before the edit distances.
      const near: string[] = [];
      for (let len = w.length - budget; len <= w.length + budget; len++) {
        for (const v of byLength.get(len) ?? []) if (v[0] === w[0] || v[1] === w[1]) near.push(v);
      }
      const fixed = closest(w, near) ?? w;
      if (memo.size < 10_000) memo.set(w, fixed);
      return fixed;
    },
  };
}

/** Verbs after which "of" is a slip for "off" ("turn of the lights"), unless a real "of" follows ("turn of phrase"). */
const OFF_VERBS = new Set(['turn', 'switch', 'shut', 'power']);
const REAL_OF_AFTER = new Set(['phrase', 'events', 'fate', 'luck']);
/** Nouns after which a final "of" is "off" ("kitchen lights of please"). */
const OFF_NOUNS = new Set(['lights', 'light', 'lamp', 'lamps', 'fan', 'it', 'them', 'everything', 'heater', 'heating', 'tv']);
const CLAUSE_END = new Set([undefined, 'please', 'and', ',', 'now', 'then']);

/** Rewrites "of" that means "off" in place; returns how many it rewrote. */
export function fixOff(tokens: string[]): number {
  let fixed = 0;
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i] !== 'of') continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const afterVerb = OFF_VERBS.has(prev) && tokens[i - 2] !== 'the' && !REAL_OF_AFTER.has(next ?? '');
    // "switch the sauna of": a command that ends on "of".
    const endsCommand = next === undefined && OFF_VERBS.has(tokens[0]);
    if (afterVerb || endsCommand || (OFF_NOUNS.has(prev) && CLAUSE_END.has(next))) {
      tokens[i] = 'off';
      fixed++;
    }
  }
  return fixed;
}
