/**
 * The one number reader: numbers as people say and write them ("twelve", "one hundred and five",
 * "three point one four", "two and a half", "1,000", "3.5"), for the maths, the unit conversions,
 * the dice, the action agent's levels and the simulator's demo tool arguments alike: shared by
 * every part, so it imports nothing. And the reverse: a number formatted so
 * text-to-speech reads it well (no 0.30000000000000004, no exponent notation, no grouping commas).
 */

/** zero to nineteen, as written. */
const UNIT_VALUES: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16,
  seventeen: 17, eighteen: 18, nineteen: 19,
};
/** twenty to ninety, as written. */
const TENS_VALUES: Readonly<Record<string, number>> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
// readNumber also hears "oh" ("three oh five") and the common misspelling "fourty".
const UNITS: Record<string, number> = { ...UNIT_VALUES, oh: 0 };
const TENS: Record<string, number> = { ...TENS_VALUES, fourty: 40 };
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };
const FRACTIONS: Record<string, number> = { half: 0.5, quarter: 0.25, third: 1 / 3 };

/** Every word that can be part of a spoken number (for the router's vocabulary). */
export const NUMBER_WORDS: readonly string[] = [
  ...Object.keys(UNITS), ...Object.keys(TENS), ...Object.keys(SCALES), ...Object.keys(FRACTIONS), 'hundred', 'point', 'dozen',
];

const DIGITS = /^\d+(?:\.\d+)?$/;

export interface NumberRead {
  value: number;
  /** Index of the first token after the number. */
  next: number;
}

/**
 * Reads one number starting at `tokens[i]`: digits, or a run of number words. "a hundred",
 * "a half" and "and a half" count; a bare "a" does not. Returns null when no number starts there.
 */
export function readNumber(tokens: readonly string[], i: number): NumberRead | null {
  const t = tokens[i];
  if (t === undefined) return null;
  if (DIGITS.test(t)) return withHalf(tokens, { value: Number(t), next: i + 1 });
  if (t === 'a' || t === 'an') {
    const n = tokens[i + 1];
    if (n === 'hundred' || n === 'thousand' || n === 'million' || n === 'dozen') {
      const rest = readWords(tokens, i + 1, true);
      if (rest) return rest;
    }
    if (n === 'half' || n === 'quarter' || n === 'third') return { value: FRACTIONS[n], next: i + 2 };
    return null;
  }
  if (t === 'half' || t === 'quarter') return { value: FRACTIONS[t], next: i + 1 };
  const words = readWords(tokens, i, false);
  return words ? withHalf(tokens, words) : null;
}

/** "two and a half" → 2.5 */
function withHalf(tokens: readonly string[], read: NumberRead): NumberRead {
  const j = read.next;
  if (tokens[j] === 'and' && tokens[j + 1] === 'a' && (tokens[j + 2] === 'half' || tokens[j + 2] === 'quarter')) {
    return { value: read.value + FRACTIONS[tokens[j + 2]], next: j + 3 };
  }
  return read;
}

function readWords(tokens: readonly string[], start: number, impliedOne: boolean): NumberRead | null {
  let total = 0;
  let group = impliedOne ? 1 : 0;
  let any = impliedOne;
  let i = start;
  // What the previous word allows next, so "five seven" or "twenty thirty" stop rather than add up.
  let lastKind: 'none' | 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' = impliedOne ? 'unit' : 'none';
  for (; i < tokens.length; i++) {
    const w = tokens[i];
    if (w in UNITS && w !== 'oh') {
      const v = UNITS[w];
      if (lastKind === 'unit' || lastKind === 'teen') break;
      if (lastKind === 'tens' && v >= 10) break;
      group += v;
      lastKind = v >= 10 ? 'teen' : 'unit';
    } else if (w in TENS) {
      if (lastKind === 'unit' || lastKind === 'teen' || lastKind === 'tens') break;
      group += TENS[w];
      lastKind = 'tens';
    } else if (w === 'hundred') {
      if (lastKind === 'hundred' || lastKind === 'none' || lastKind === 'scale' || group >= 100) break;
      group = (group || 1) * 100;
      lastKind = 'hundred';
    } else if (w === 'dozen') {
      if (lastKind !== 'unit' && lastKind !== 'teen' && lastKind !== 'tens') break;
      group *= 12;
      lastKind = 'scale';
    } else if (w in SCALES) {
      if (lastKind === 'none' || lastKind === 'scale') break;
      total += (group || 1) * SCALES[w];
      group = 0;
      lastKind = 'scale';
    } else if (w === 'and' && (lastKind === 'hundred' || lastKind === 'scale')) {
      // "one hundred and five"; but "a hundred and a half" is not a thing, so look ahead.
      // Nor is "a hundred and two hundred" 10,200: an "and" never starts a new hundred.
      const n = tokens[i + 1];
      if (n !== undefined && ((n in UNITS && n !== 'oh') || n in TENS) && !(lastKind === 'hundred' && tokens[i + 2] === 'hundred')) continue;
      break;
    } else if (w === '-' && lastKind === 'tens' && tokens[i + 1] in UNITS) {
      continue; // "twenty-one" split by the tokenizer
    } else {
      break;
    }
    any = true;
  }
  if (!any) return null;
  let value = total + group;
  // "three point one four": digits after "point" are read one by one.
  if (tokens[i] === 'point') {
    let frac = '';
    let j = i + 1;
    for (; j < tokens.length; j++) {
      const w = tokens[j];
      if (w in UNITS && UNITS[w] < 10) frac += String(UNITS[w]);
      else if (/^\d+$/.test(w)) frac += w;
      else break;
    }
    if (frac) {
      value = Number(`${value}.${frac}`);
      i = j;
    }
  }
  return { value, next: i };
}

const FRACTION_START = new Set(['a', 'an', 'half', 'quarter', 'third']);
const LEVEL_UNITS = new Set(['percent', 'degree', 'degrees']);

/**
 * Number words in running text become digits ("set it to twenty one degrees" → "set it to 21
 * degrees", "nineteen point five" → "19.5"), read by `readNumber`. Words that are numbers only
 * sometimes stay words: a bare "one" ("the other one") unless a level unit follows, and a bare
 * "half" or "a" ("half brightness", "a light").
 */
export function wordsToNumbers(text: string): string {
  const words = text.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const read = DIGITS.test(w) ? null : readNumber(words, i);
    if (!read || (FRACTION_START.has(w) && read.value < 1) || (w === 'one' && read.next === i + 1 && !LEVEL_UNITS.has(words[i + 1] ?? ''))) {
      out.push(w);
      continue;
    }
    out.push(String(read.value));
    i = read.next - 1;
  }
  // "19 point five" → "19 point 5" → "19.5": digits then spoken decimals.
  return out.join(' ').replace(/\b(\d+) point (\d)\b/g, '$1.$2');
}

/**
 * Formats a number for speech: integers as digits without grouping, at most four decimals (fewer
 * for large numbers), trailing zeros dropped, "minus" for negatives. Null when not finite.
 */
export function speakNumber(x: number, maxDecimals = 4): string | null {
  if (!Number.isFinite(x)) return null;
  if (Object.is(x, -0)) x = 0;
  const sign = x < 0 ? 'minus ' : '';
  const a = Math.abs(x);
  if (a >= 1e15) {
    const [mant, exp] = a.toExponential(2).split('e');
    return `${sign}about ${trimZeros(mant)} times 10 to the power of ${Number(exp)}`;
  }
  if (a !== 0 && a < 10 ** -maxDecimals) {
    const [mant, exp] = a.toExponential(2).split('e');
    return `${sign}${trimZeros(mant)} times 10 to the power of minus ${-Number(exp)}`;
  }
  // Round away binary noise first (0.1 + 0.2), then to the spoken precision.
  const clean = Number(a.toPrecision(12));
  const decimals = clean >= 1e6 ? 0 : clean >= 1000 ? Math.min(2, maxDecimals) : maxDecimals;
  return sign + trimZeros(clean.toFixed(decimals));
}

/** Rounds to about three significant figures, as a measurement is said ("1.61 kilometers"). */
export function speakMeasure(x: number): string | null {
  if (!Number.isFinite(x)) return null;
  const a = Math.abs(x);
  const decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a || 1)));
  return speakNumber(Number(x.toFixed(decimals)), decimals);
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
