/**
 * The rules that decide where spoken text may be cut, shared by the streaming chunker and the
 * normalizer so the two never disagree about what a fence, a word or a sentence end is.
 */

/** How a sentence-final mark behaves once the next non-space character is known. */
export type EndKind =
  /** A plain end: cut unless the next word starts in lower case or is continuing punctuation. */
  | 'end'
  /** An abbreviation that may also end a sentence (etc., Inc., No., ellipsis): cut only before a capital or similar, never before a digit. */
  | 'soft'
  /**
   * A dotted abbreviation or a lone capital (U.S., a.m., "you and I.", "Albert I. Jones"): before a
   * capital the next whole word decides — a word that starts sentences ("How", "The", "Mr") cuts, a
   * name or noun ("Government", "Jones") does not. One character of lookahead cannot tell
   * "the U.S. Government" from "the U.S. How about you?", so the chunker waits for that word.
   */
  | 'ask';

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
  'nov', 'dec', 'univ', 'assn', 'intl', 'ext', 'tel', 'apt', 'ste', 'rm', 'bldg', 'pg', 'para', 'n°', 'nº',
]);

/**
 * Capitalized words that start sentences far more often than they continue a name: pronouns,
 * determiners, question words, auxiliaries, conjunctions and common openers, plus titles ("… at
 * 6 P.M. Mr. Smith left" reads as a new sentence). Lower case.
 */
const STARTERS = new Set([
  'i', "i'm", "i've", "i'll", "i'd", 'it', "it's", 'its', 'he', "he's", 'she', "she's", 'we', "we're", "we'll", 'they',
  "they're", 'you', "you're", "you'll", 'there', "there's", 'here', "here's", 'this', 'that', "that's", 'these', 'those',
  'the', 'a', 'an', 'my', 'our', 'your', 'his', 'her', 'their', 'what', "what's", 'who', 'why', 'how', 'when', 'where',
  'which', 'is', 'are', 'was', 'were', 'do', 'does', 'did', "don't", "didn't", "doesn't", 'can', "can't", 'could', 'will',
  "won't", 'would', 'should', 'may', 'might', 'must', 'have', 'has', 'had', 'let', "let's", 'please', 'but', 'and', 'so',
  'then', 'if', 'in', 'on', 'at', 'for', 'after', 'before', 'as', 'also', 'however', 'now', 'yes', 'no', 'not', 'ok',
  'okay', 'thanks', 'thank', 'hello', 'hi', 'well', 'oh', 'sure', 'some', 'many', 'most', 'all', 'every', 'each', 'one',
  'today', 'tomorrow', 'yesterday', 'meanwhile', 'still', 'yet', 'although', 'because', 'since', 'while', 'unless',
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof',
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

/**
 * Whether streamed text may end a sentence or a line here: a sentence-final mark or a line break
 * anywhere in it. Cheap and generous (it is asked of every streamed chunk): "3.5" says yes too.
 */
export function mayEndSentence(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isTerminator(c) || c === 10) return true;
  }
  return false;
}

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
  // "[...]" and "(…)" mark words left out of a quotation, never an end.
  const before = s.charCodeAt(termStart - 1);
  if ((before === 91 || before === 40) && run !== '.') return null;
  if (run.includes('..') || run.includes('…')) return 'soft';
  if (run !== '.') return 'end';
  let a = wordStart;
  while (a < termStart && isOpener(s.charCodeAt(a))) a++;
  const word = s.slice(a, termStart);
  if (word === '') {
    // A spaced ellipsis, ". . .", leaves words out mid-sentence; a fourth dot ends the sentence.
    let dots = 1;
    for (let k = termStart; k >= 2 && s.charCodeAt(k - 1) === 32 && s.charCodeAt(k - 2) === 46 && (k === 2 || isSpace(s.charCodeAt(k - 3))); k -= 2) dots++;
    return dots === 3 ? null : 'end';
  }
  const lower = word.toLowerCase();
  if (NEVER_END.has(lower)) return null;
  if (/^\d{1,3}$/.test(word) && listPosition) return null;
  if (word.length === 1 && !isLetterOrDigit(word.charCodeAt(0))) return 'end';
  // An initial ("J. R. R. Tolkien"), or the pronoun ending a sentence ("you and I. Did you…").
  if (word.length === 1 && !(word >= '0' && word <= '9')) return isUpperAt(word, 0) ? 'ask' : 'soft';
  if (SOFT_END.has(lower)) return 'soft';
  // U.S., a.m., Ph.D., 5p.m., example.com, j.doe@example.com: dotted words end only before a sentence's first word.
  // A capitalized dotted abbreviation (U.S., E.U., Ph.D.) is as often a word of the sentence ("the U.S.
  // Government") as its end; a.m., numbers, domains and addresses end one only before a capital.
  if (word.includes('.')) return DOTTED_CAPS.test(word) ? 'ask' : 'soft';
  return 'end';
}

/** U.S, E.U, U.S.A, Ph.D: pieces of one or two letters, the first a capital (the final dot is not part of it). */
const DOTTED_CAPS = /^\p{Lu}\p{L}?(?:\.\p{L}{1,2})+$/u;

/** Letters, digits and in-word apostrophes: the extent of the word that decides an `ask` end. */
const isWordChar = (c: number): boolean => isLetterOrDigit(c) || c === 39 || c === 0x2019;

/**
 * Whether a pending sentence end becomes a cut, given the first non-space character after it;
 * null when an `ask` end needs the rest of that word and the text may still bring it.
 */
export function endConfirmed(kind: EndKind, s: string, next: number, final = true): boolean | null {
  const c = s.charCodeAt(next);
  if (c === 46 && kind !== 'ask') return ellipsisOpens(s, next, final);
  if (isContinuation(c) || isLowerAt(s, next)) return false;
  if (kind === 'end') return true;
  if (c >= 48 && c <= 57) return false;
  if (kind === 'soft') return true;
  if (!isUpperAt(s, next)) return false;
  let j = next + 1;
  while (j < s.length && isWordChar(s.charCodeAt(j))) j++;
  if (j === s.length && !final) return null;
  return startsSentences(s.slice(next, j));
}

/** Whether a capitalized word is one that starts sentences ("How", "The", "I'm") rather than a name. */
export const startsSentences = (word: string): boolean => STARTERS.has(word.toLowerCase().replace(/\u2019/g, "'"));

/**
 * "compounds. . . . The practice": a period, then a spaced ellipsis that opens the next sentence
 * (it starts with a capital). Null while the text may still bring the deciding characters.
 */
function ellipsisOpens(s: string, next: number, final: boolean): boolean | null {
  const ahead = s.slice(next, next + 16);
  const m = /^\. \. \. +/.exec(ahead);
  if (!m) return !final && ahead.length < 7 && '. . . '.startsWith(ahead) ? null : false;
  const k = next + m[0].length;
  if (k >= s.length) return final ? false : null;
  return isUpperAt(s, k);
}

/** A list marker on its own: "2.", "2)", "2.)", "b.", optionally after a bullet ("•9."). */
const LIST_MARKER = /^[•⁃◦▪‣·*-]?(\d{1,3}|[a-zA-Z])(?:\.\)|\.|\))$/;
/** A bullet standing alone before a list marker: "• 10. The second item". */
export const isBullet = (token: string): boolean => /^[•⁃◦▪‣·*-]$/.test(token);

/**
 * The position of a list marker in its sequence (1, 2, 3… for digits; 1 for "a"/"A", 2 for "b"…),
 * or null when the token is not one.
 */
export function listMarker(token: string): { n: number; alpha: boolean } | null {
  const m = LIST_MARKER.exec(token);
  if (!m) return null;
  const v = m[1];
  if (/^\d/.test(v)) return { n: Number(v), alpha: false };
  return { n: v.toLowerCase().charCodeAt(0) - 96, alpha: true };
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
