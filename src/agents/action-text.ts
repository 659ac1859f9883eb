/**
 * Text helpers for the action agent's rules: normalizing speech-to-text output, number words, and
 * the edit distance behind fuzzy matching ("kitchn lihgts").
 */

const CONTRACTIONS: [RegExp, string][] = [
  [/\bwhat's\b/g, 'what is'],
  [/\bwhats\b/g, 'what is'],
  [/\bhow's\b/g, 'how is'],
  [/\bit's\b/g, 'it is'],
  [/\bi'm\b/g, 'i am'],
  [/\bim\b/g, 'i am'],
  [/\bthat's\b/g, 'that is'],
  [/\bwhere's\b/g, 'where is'],
  [/\bisn't\b/g, 'is not'],
  [/\baren't\b/g, 'are not'],
  [/\bdon't\b/g, 'do not'],
  [/\bdont\b/g, 'do not'],
  [/\bi'd\b/g, 'i would'],
  [/\blet's\b/g, 'let us'],
  [/\bthey're\b/g, 'they are'],
];

/** Lower case, contractions expanded, punctuation gone (keeping decimals and percent signs). */
export function normalize(text: string): string {
  let t = text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  for (const [re, to] of CONTRACTIONS) t = t.replace(re, to);
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

const UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };

/**
 * Number words become digits ("twenty one" → 21, "a hundred" → 100, "half" → 50 when followed by
 * nothing numeric); digits stay. Runs on normalized text.
 */
export function wordsToNumbers(text: string): string {
  const words = text.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if ((w === 'hundred' || w === 'one' || w === 'a') && (w === 'hundred' || words[i + 1] === 'hundred')) {
      out.push('100');
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

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j];
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** How many typos a word of this length may carry and still count as a match. */
export const typoBudget = (word: string): number => (word.length <= 3 ? 0 : word.length <= 6 ? 1 : 2);

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
