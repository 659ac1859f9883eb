/**
 * Text normalization for speech: what a voice should say for a piece of model output.
 *
 * Markdown becomes plain words (bold, italics, headings, list markers and code markers go; a link
 * becomes its text; struck-through text and fenced code blocks are skipped), emoji are dropped, symbols are spoken
 * (% → percent, ° → degrees, & → and, $100 → 100 dollars, + → plus), and whitespace is collapsed.
 * A line that ends without punctuation (a heading, a list item) gets a period, so it is spoken as
 * a sentence of its own.
 *
 * Every rule is local to a line, and within a line local to the words it touches, so normalizing
 * the chunker's segments one by one gives the same words as normalizing the whole text at once:
 * `segments.join(' ') === normalizeForSpeech(text)` (the property test holds the two to that).
 */
import { FENCE_OPEN, closesFence } from './segment-rules.js';

/** Normalizes a whole text (any number of lines) for speech. Returns '' when nothing is speakable. */
export function normalizeForSpeech(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence !== null) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const open = FENCE_OPEN.exec(line);
    if (open) {
      fence = open[1];
      continue;
    }
    const spoken = normalizeLine(line, true, i < lines.length - 1);
    if (spoken) out.push(spoken);
  }
  return out.join(' ');
}

/**
 * Normalizes one segment: part of a single line, ending with its newline when the line ended there.
 * `atLineStart` says whether the segment begins its line (where `#`, `-`, `>` are markdown).
 */
export function normalizeSegment(raw: string, atLineStart: boolean): string {
  const terminated = raw.endsWith('\n');
  return normalizeLine(terminated ? raw.slice(0, -1) : raw, atLineStart, terminated);
}

const BLOCK_PREFIX = /^[ \t\r]*(?:>[ \t]?)*[ \t]*(?:#{1,6}(?=[ \t]|$)|[-*+•](?=[ \t])|)/;
const THEMATIC_BREAK = /^[ \t\r]*([-*_])(?:[ \t]*\1){2,}[ \t\r]*$/;
const TABLE_RULE = /^[ \t\r]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t\r]*$/;
const LINK = /!?\[([^\]\n]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/g;
/** `~~struck~~` on one line: exactly two tildes, hugging the text on both sides (as the chunker reads it). */
const STRUCK = /(?<!~)~~(?=[^\s~])(?:[^~\n]|~(?!~))*?[^\s~]~~(?!~)/g;
const AUTOLINK = /<((?:https?:\/\/|mailto:)[^>\s]+)>/g;
const EMOJI = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\uFE0E\uFE0F\u200D\u20E3]/gu;
const MONEY = /([$€£])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2})(?!\d))?(?:\s?(thousand|million|billion|trillion|[kKmMbB](?:n)?)\b)?/g;
const SCALE: Record<string, string> = { k: 'thousand', m: 'million', b: 'billion', bn: 'billion' };
const CURRENCY: Record<string, [one: string, many: string, cent: string, cents: string]> = {
  $: ['dollar', 'dollars', 'cent', 'cents'],
  '€': ['euro', 'euros', 'cent', 'cents'],
  '£': ['pound', 'pounds', 'penny', 'pence'],
};

function money(_m: string, sign: string, whole: string, frac: string | undefined, scale: string | undefined): string {
  const [one, many, cent, cents] = CURRENCY[sign];
  if (scale) {
    const word = SCALE[scale.toLowerCase()] ?? scale.toLowerCase();
    return ` ${whole}${frac ? `.${frac}` : ''} ${word} ${many} `;
  }
  const unit = whole === '1' ? one : many;
  const c = frac === undefined ? 0 : Number(frac.padEnd(2, '0'));
  if (c === 0) return ` ${whole} ${unit} `;
  return ` ${whole} ${unit} and ${c} ${c === 1 ? cent : cents} `;
}

type Replacer = (match: string, ...groups: string[]) => string;
/** An inline rule: applied only when the text holds one of the `when` strings, which is most of the speed. */
type Rule = [when: string[], pattern: RegExp, replacement: string | Replacer];

/** The inline rules, in order. Each touches only the characters it matches and their neighbours. */
const RULES: Rule[] = [
  // Struck-through text is what the writer took back: not read aloud.
  [['~~'], STRUCK, ''],
  [['['], LINK, '$1'],
  // What is left of a link cut in two (only a very long one is): "[the" and "docs](url)".
  [['](', '!['], /\]\([^)\s]*\)|!\[/g, ''],
  [['<'], AUTOLINK, '$1'],
  [['`'], /`+/g, ''],
  [['*', '_', '~'], /\*\*+|__+|~~/g, ''],
  [['*'], /(\d)\*(?=\d)/g, '$1 times '],
  [['*'], /\*/g, ''],
  [['_'], /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, ''],
  [['$', '€', '£'], MONEY, money as Replacer],
  [['%'], /%/g, ' percent '],
  [['°'], /°F\b/g, ' degrees Fahrenheit '],
  [['°'], /°C\b/g, ' degrees Celsius '],
  [['°'], /°/g, ' degrees '],
  [['&'], /&/g, ' and '],
  [['+'], /\+/g, ' plus '],
  [['#'], /#(?=\d)/g, ' number '],
  [['~'], /~(?=\d)/g, ' about '],
  [['–'], /(\d)–(?=\d)/g, '$1 to '],
  [['—', '–', '--'], /[—–]|(?<=[\p{L}\p{N}])--(?=[\p{L}\p{N}])/gu, ' , '],
  [['://', 'mailto:'], /\bhttps?:\/\/|\bmailto:/g, ''],
  [['[', ']'], /[[\]]/g, ''],
  [['|'], /\|/g, ' '],
];
const NON_ASCII = /[^\x00-\x7f]/;

function speakInline(text: string): string {
  let s = NON_ASCII.test(text) ? text.replace(EMOJI, '') : text;
  for (const [when, pattern, replacement] of RULES) {
    let present = false;
    for (let k = 0; k < when.length && !present; k++) present = s.includes(when[k]);
    if (present) s = s.replace(pattern, replacement as string);
  }
  return s;
}

const HAS_WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/;
/** In a token with no word: everything but punctuation worth a pause and closing brackets or quotes. */
const NOT_A_MARK = /[^.,;:!?…)\]”’»"'‐‑-]/g;
const DASHES = /^[-‐‑]+$/;
const ENDS_IN_PUNCT = /[.,;:!?…]["'”’)\]»]*$/;

const isSpaceCode = (s: string, i: number, c: number) => c === 32 || (c >= 9 && c <= 13) || (c >= 128 && SPACE.test(s[i]));

/**
 * Word-level cleanup. A token with no word in it is dropped, except for its marks (" )" " ," " -"
 * " ?"), which hang on the word before (a dash becomes a comma, a pause) unless that word already
 * ends in punctuation. Tokens are separated by any white space, which it collapses.
 */
function tidyTokens(s: string): string {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpaceCode(s, i, s.charCodeAt(i))) i++;
    if (i >= n) break;
    let j = i;
    let word = false;
    let wide = false;
    for (; j < n; j++) {
      const c = s.charCodeAt(j);
      if (isSpaceCode(s, j, c)) break;
      if (c >= 128) wide = true;
      else if (!word && ((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122))) word = true;
    }
    const tok = s.slice(i, j);
    i = j;
    if (word || (wide && HAS_WORD.test(tok))) {
      out.push(tok);
      continue;
    }
    // Nothing to hang it on: dropped. That keeps a segment that starts with one the same as the
    // whole text, where the word before ended a sentence.
    if (out.length === 0 || ENDS_IN_PUNCT.test(out[out.length - 1])) continue;
    const marks = tok.replace(NOT_A_MARK, '');
    if (marks !== '') out[out.length - 1] += DASHES.test(marks) ? ',' : marks;
  }
  return out.join(' ');
}

function normalizeLine(line: string, atLineStart: boolean, terminated: boolean): string {
  let s = line;
  if (atLineStart) {
    if (THEMATIC_BREAK.test(s) || TABLE_RULE.test(s)) return '';
    s = s.replace(BLOCK_PREFIX, '');
  }
  s = tidyTokens(speakInline(s));
  if (terminated && s !== '' && !ENDS_IN_PUNCT.test(s)) s += '.';
  return s;
}
