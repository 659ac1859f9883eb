/**
 * The rules that decide where spoken text may be cut, shared by the streaming chunker and the
 * normalizer so the two never disagree about what a fence, a word or a sentence end is.
 */

/** How a sentence-final mark behaves once the next non-space character is known. */
export type EndKind =
  /** A plain end: cut unless the next word starts in lower case or is continuing punctuation. */
  | 'end'
  /** An abbreviation that may also end a sentence (etc., a.m., U.S., No., ellipsis): cut only before a capital or similar, never before a digit. */
  | 'soft';

/**
 * Titles and abbreviations that are never the last word of a sentence in practice:
 * they introduce a name or continue the sentence. Lower case, without the final dot.
 */
const NEVER_END = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'st', 'mt', 'ft', 'rev', 'fr', 'gen', 'col', 'capt', 'cpt', 'lt', 'sgt',
  'cmdr', 'adm', 'gov', 'sen', 'rep', 'hon', 'pres', 'supt', 'insp', 'messrs', 'mme', 'mlle', 'vs', 'v', 'cf',
  'approx', 'viz', 'ca', 'e.g', 'i.e', 'resp', 'incl', 'excl',
  // Weekdays: "Tue. Dec. 12" is far more common than a sentence ending on "Tue."
  'mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun',
]);

/**
 * Abbreviations that often end a sentence too. They end one only before a capital letter
 * ("at 5 p.m. Then we left" is two sentences; "5 p.m. 6 people" is one).
 */
const SOFT_END = new Set([
  'etc', 'inc', 'ltd', 'co', 'corp', 'llc', 'plc', 'jr', 'sr', 'bros', 'al', 'dept', 'est', 'misc', 'no', 'nos',
  'vol', 'vols', 'fig', 'figs', 'pp', 'ch', 'sec', 'art', 'op', 'pt', 'ed', 'eds', 'lbs', 'lb', 'oz', 'min', 'mins',
  'hr', 'hrs', 'sq', 'ave', 'blvd', 'rd', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct',
  'nov', 'dec', 'univ', 'assn', 'intl',
]);

// Character classes. ASCII first: this runs once per character of every answer.
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LOWER = /\p{Ll}/u;
const UPPER = /\p{Lu}/u;

export const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13 || c === 0xa0 || c === 0x2028 || c === 0x3000;

export function isLetterOrDigit(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return LETTER_OR_DIGIT.test(String.fromCharCode(c));
}

/** True for lower-case letters, including the first half of a surrogate pair that starts one. */
function isLowerAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return c >= 97 && c <= 122;
  return LOWER.test(String.fromCodePoint(s.codePointAt(i) ?? c));
}

function isUpperAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return c >= 65 && c <= 90;
  return UPPER.test(String.fromCodePoint(s.codePointAt(i) ?? c));
}

/** Sentence-final marks. A run of them ("?!", "...") counts as one. */
export const isTerminator = (c: number): boolean => c === 46 /* . */ || c === 33 /* ! */ || c === 63 /* ? */ || c === 0x2026; /* … */

/** Characters that close what the sentence opened and stay with it: `."`, `.)`, `.**`, `.”`. */
export const isCloser = (c: number): boolean =>
  c === 34 || c === 39 || c === 41 || c === 93 || c === 42 || c === 95 || c === 96 || c === 0x201d || c === 0x2019 || c === 0xbb;

/** Characters that open a quotation, a parenthesis or a link and may precede a word. */
const isOpener = (c: number): boolean =>
  c === 34 || c === 39 || c === 40 || c === 91 || c === 42 || c === 95 || c === 96 || c === 0x201c || c === 0x2018 || c === 0xab;

/** Punctuation that continues the text rather than starting a sentence. */
const isContinuation = (c: number): boolean =>
  c === 44 || c === 46 || c === 58 || c === 59 || c === 33 || c === 63 || c === 37 || c === 41 || c === 93 || c === 125 ||
  c === 45 || c === 0xb0 || c === 0x2013 || c === 0x2014 || c === 0x2026 || c === 0x201d || c === 0x2019 || c === 0xbb;

/**
 * Classifies the mark that ends at `termEnd` in `s` (the run `s[termStart, termEnd)`), given the
 * word before it, which starts at `wordStart`. `listPosition` is true when that word is the first of
 * its line or follows a colon (where "1." is a list number). Returns null when the mark cannot end a
 * sentence whatever follows (titles, initials, e.g., list numbers).
 */
export function classifyEnd(s: string, wordStart: number, termStart: number, termEnd: number, listPosition: boolean): EndKind | null {
  const run = s.slice(termStart, termEnd);
  if (run.includes('..') || run.includes('…')) return 'soft';
  if (run !== '.') return 'end';
  let a = wordStart;
  while (a < termStart && isOpener(s.charCodeAt(a))) a++;
  const word = s.slice(a, termStart);
  if (word === '') return 'end';
  const lower = word.toLowerCase();
  if (NEVER_END.has(lower)) return null;
  if (/^\d{1,3}$/.test(word) && listPosition) return null;
  if (word.length === 1 && !isLetterOrDigit(word.charCodeAt(0))) return 'end';
  if (word.length === 1 && !(word >= '0' && word <= '9')) return isUpperAt(word, 0) ? null /* an initial: "J. R. R. Tolkien" */ : 'soft';
  if (SOFT_END.has(lower)) return 'soft';
  // U.S., a.m., Ph.D., 5p.m., example.com, j.doe@example.com: dotted words end only before a capital.
  if (word.includes('.')) return 'soft';
  return 'end';
}

/** Whether a pending sentence end becomes a cut, given the first non-space character after it. */
export function endConfirmed(kind: EndKind, s: string, next: number): boolean {
  const c = s.charCodeAt(next);
  if (isContinuation(c) || isLowerAt(s, next)) return false;
  if (kind === 'soft') return !(c >= 48 && c <= 57);
  return true;
}

/** Whether a clause mark (comma, colon, semicolon, dash) becomes a cut: only before a word. */
export const clauseConfirmed = (s: string, next: number): boolean => isLetterOrDigit(s.charCodeAt(next));

/** A line that opens a fenced code block: optional indentation, then ``` or ~~~. */
export const FENCE_OPEN = /^[ \t\r]*(`{3,}|~{3,})/;

/** Whether `line` (without its newline) closes a fence opened by `fence` ("```", "~~~~", …). */
export function closesFence(line: string, fence: string): boolean {
  const m = /^[ \t]*(`{3,}|~{3,})[ \t\r]*$/.exec(line);
  return m !== null && m[1][0] === fence[0] && m[1].length >= fence.length;
}
