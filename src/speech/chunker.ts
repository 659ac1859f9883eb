/**
 * The streaming speech chunker: text deltas in, speakable normalized segments out, as early as is safe.
 *
 * Where it cuts:
 * - At a sentence end (`.`, `!`, `?`, `…`, with any closing quotes, brackets or emphasis markers),
 *   once the next non-space character is known and starts a sentence: "Hello world. " + "T" emits
 *   "Hello world." when the "T" arrives. A lower-case word or continuing punctuation cancels the end.
 * - Never after titles and initials (Mr., Dr., St., Prof., vs., e.g., i.e., "J. R. R."), list numbers
 *   at the start of a line or after a colon ("1. First"), inside decimals, money, times, URLs and
 *   e-mail addresses (their dots are not followed by a space), or inside an open quotation,
 *   parenthesis, link, inline code or emphasis.
 * - Abbreviations that can end a sentence (etc., a.m./p.m., Inc., No., ext., dotted words) and
 *   ellipses end one only before a capital letter, never before a digit: "at 5 p.m. Then we left" is
 *   two sentences, "at 5 p.m. 6 people came" is one, "Well... I think so." is two.
 * - Capitalized dotted abbreviations and lone capitals (U.S., E.U., "you and I.", "Albert I. Jones")
 *   before a capital: one character cannot decide, so the chunker waits for the next word and cuts
 *   only when it is one that starts sentences: "the U.S. How about you?" is two, "the U.S.
 *   Government" is one. That wait is at most one word (bench/speech.ts measures it).
 * - Numbered or lettered items on one line ("1. One 2. Two", "a) … b) …", "• 9. … • 10. …") are
 *   segments of their own; a spaced ellipsis ". . ." and "[...]" are not ends, a fourth dot is.
 * - At every newline: headings, list items and paragraphs are segments of their own.
 * - The first segment only: at a clause mark (comma, colon, semicolon, dash) followed by a word, once
 *   it holds `firstMinWords` words, so speech can start sooner.
 * - A run longer than `firstMaxChars` (first segment) or `maxChars` (later ones) without an end is
 *   cut before its latest word: one outside any quotation, parenthesis or emphasis if there is one,
 *   else one inside them; inside a link or code span only past four times the limit. With no word
 *   start at all, at four times the limit before the latest token with a letter or digit in it (a
 *   mark on its own stays on the word before it), from eight times the limit before any token, and
 *   with no token anywhere, so memory stays bounded (only the last two can make the segments differ
 *   from normalizing the whole text).
 * - Fenced code blocks are skipped entirely.
 *
 * Each character is looked at once (plus a look back over the word before a sentence mark), so
 * streaming is O(n) however the text is split, and the segments do not depend on the split.
 */
import type { Chunker } from './types.js';
import { normalizeSegment } from './normalize.js';
import {
  type EndKind,
  classifyEnd,
  clauseConfirmed,
  closesFence,
  endConfirmed,
  isBullet,
  isCloser,
  isLetterOrDigit,
  isSpace,
  isTerminator,
  listMarker,
} from './segment-rules.js';

export interface ChunkerOptions {
  /** Words the first segment needs before it may end at a clause mark. `Infinity` disables clause cuts. Default 4. */
  firstMinWords: number;
  /** The first segment is cut before a word once it reaches this many characters without an end. Default 120. */
  firstMaxChars: number;
  /** Later segments are cut before a word once they reach this many characters without an end. Default 220. */
  maxChars: number;
  /** A later sentence shorter than this (in characters) is joined to the next one instead of spoken alone. Default 0. */
  minChars: number;
}

export const DEFAULT_CHUNKER_OPTIONS: Readonly<ChunkerOptions> = Object.freeze({
  firstMinWords: 4,
  firstMaxChars: 120,
  maxChars: 220,
  minChars: 0,
});

/** Creates a chunker. Throws a RangeError naming the option when one is out of range. */
export function createChunker(options: Partial<ChunkerOptions> = {}): SegmentingChunker {
  return new StreamChunker(resolveOptions(options));
}

/** A chunker that can also say where each segment ends in the text it was given. */
export interface SegmentingChunker extends Chunker {
  pushSegments(delta: string): ChunkedSegment[];
  flushSegments(): ChunkedSegment[];
}

/** Chunks a whole text at once: the segments a chunker would emit for it, however it was streamed. */
export function chunkText(text: string, options: Partial<ChunkerOptions> = {}): string[] {
  const chunker = createChunker(options);
  return [...chunker.push(text), ...chunker.flush()];
}

function resolveOptions(options: Partial<ChunkerOptions>): ChunkerOptions {
  const o = { ...DEFAULT_CHUNKER_OPTIONS };
  for (const [key, value] of Object.entries(options) as [keyof ChunkerOptions, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_CHUNKER_OPTIONS)) throw new RangeError(`Unknown chunker option "${key}"`);
    const min = key === 'minChars' ? 0 : key === 'firstMinWords' ? 1 : 10;
    const ok = typeof value === 'number' && value >= min && (Number.isInteger(value) || (key === 'firstMinWords' && value === Infinity));
    if (!ok) throw new RangeError(`Chunker option ${key} must be an integer >= ${min}${key === 'firstMinWords' ? ' or Infinity' : ''}, got ${String(value)}`);
    o[key] = value as number;
  }
  return o;
}

type Mode = 'line' | 'text' | 'fence';
interface Pending {
  /** Where the segment would end. */
  cut: number;
  /** The same place as an offset in the whole input: blank space after it may be dropped meanwhile. */
  at: number;
  kind: EndKind | 'clause';
}

/** A segment with where its text ends in the input: `end` UTF-16 units of the pushed text, from the first push. */
export interface ChunkedSegment {
  text: string;
  end: number;
}

class StreamChunker implements SegmentingChunker {
  private buf = '';
  /** Next character to look at. */
  private i = 0;
  /** Start of the segment being built. */
  private segStart = 0;
  private segAtLineStart = true;
  private mode: Mode = 'line';
  private pending: Pending | null = null;
  private emitted = 0;
  private words = 0;
  private prevSpace = true;
  /** Latest word starts in this segment: anywhere, outside links and code, outside any open construct. */
  private lastAny = -1;
  private lastOk = -1;
  private lastSafe = -1;
  /** Latest start of any token (a word or not) in this segment. */
  private lastToken = -1;
  /** Whether the token at `lastToken` has had a letter or digit so far. */
  private lastTokenWord = false;
  // Open constructs; all reset at a newline.
  private quote = false;
  private paren = 0;
  private bracket = 0;
  /** Length of the backtick run that opened the current code span; 0 outside one. */
  private code = 0;
  private bold = false;
  private italic = false;
  /** Inside `~~struck~~` text: never cut there (the normalizer drops the span whole). */
  private strike = false;
  /** The list marker expected next on this line ("2." after "1."), so "1. One 2. Two" speaks per item. */
  private listNext: { n: number; alpha: boolean } | null = null;
  // Fenced code block.
  private fence = '';
  private fenceOpening = false;
  private fenceSeen = 0;
  /** The current line of the fenced block was already seen to be code and dropped. */
  private fenceLineIsCode = false;
  private out: ChunkedSegment[] = [];
  // Offsets in the whole input: `buf[k]` is input character `base + k + shift`, less `gapLen` when
  // k < gapAt (the blank run dropped after a pending end; see compact()).
  private base = 0;
  private shift = 0;
  private gapAt = 0;
  private gapLen = 0;

  constructor(private readonly opts: ChunkerOptions) {}

  push(delta: string): string[] {
    return this.pushSegments(delta).map((s) => s.text);
  }

  flush(): string[] {
    return this.flushSegments().map((s) => s.text);
  }

  pushSegments(delta: string): ChunkedSegment[] {
    if (typeof delta !== 'string') throw new TypeError(`Chunker.push expects a string, got ${typeof delta}`);
    if (delta === '') return [];
    this.buf += delta;
    this.scan(false);
    this.compact();
    return this.take();
  }

  flushSegments(): ChunkedSegment[] {
    this.scan(true);
    if (this.mode === 'text' && this.segStart < this.buf.length) this.emit(this.buf.length);
    const segments = this.take();
    this.reset();
    return segments;
  }

  private take(): ChunkedSegment[] {
    const segments = this.out;
    this.out = [];
    return segments;
  }

  /** Where local position `k` of the buffer is in the whole input. */
  private offset(k: number): number {
    return this.base + k + this.shift - (k < this.gapAt ? this.gapLen : 0);
  }

  private reset(): void {
    this.buf = '';
    this.i = this.segStart = this.emitted = this.fenceSeen = 0;
    this.base = this.shift = this.gapAt = this.gapLen = 0;
    this.mode = 'line';
    this.segAtLineStart = true;
    this.pending = null;
    this.fenceLineIsCode = false;
    this.startSegment(0);
    this.resetConstructs();
  }

  private closed(): boolean {
    return !this.quote && this.paren === 0 && this.bracket === 0 && this.code === 0 && !this.bold && !this.italic && !this.strike;
  }

  private resetConstructs(): void {
    this.quote = this.bold = this.italic = this.strike = false;
    this.paren = this.bracket = this.code = 0;
  }

  private startSegment(at: number): void {
    this.segStart = at;
    this.words = 0;
    this.prevSpace = true;
    this.lastAny = this.lastOk = this.lastSafe = this.lastToken = -1;
    this.lastTokenWord = false;
  }

  /** Emits the segment from `segStart` to `end` (`at`: that end in the whole input, when already known). */
  private emit(end: number, at = this.offset(end)): void {
    const text = normalizeSegment(this.buf.slice(this.segStart, end), this.segAtLineStart);
    if (text !== '') {
      this.out.push({ text, end: at });
      this.emitted++;
    }
  }

  /** Ends the segment at `end`; the next one starts at `next` on the same line. */
  private cut(end: number, next: number, at?: number): void {
    this.emit(end, at);
    this.segAtLineStart = false;
    this.startSegment(next);
  }

  /** Drops what has been consumed, now and then, so the buffer holds about one segment. */
  private compact(): void {
    if (this.pending && this.i - this.pending.cut > 64) {
      // Blank space after a possible end says nothing more; keep one character of it.
      const dropped = this.i - (this.pending.cut + 1);
      this.buf = this.buf.slice(0, this.pending.cut + 1) + this.buf.slice(this.i);
      this.i = this.pending.cut + 1;
      // Blank space dropped again after the same end adds to the same gap.
      this.gapLen = this.gapAt === this.i ? this.gapLen + dropped : dropped;
      this.gapAt = this.i;
      this.shift += dropped;
    }
    const offset = Math.min(this.segStart, this.i);
    if (offset === 0 || (offset < 4096 && offset * 2 < this.buf.length)) return;
    this.base += offset;
    this.gapAt = Math.max(0, this.gapAt - offset);
    this.buf = this.buf.slice(offset);
    this.i -= offset;
    this.segStart -= offset;
    this.fenceSeen = Math.max(0, this.fenceSeen - offset);
    if (this.pending) this.pending.cut -= offset;
    if (this.lastAny >= 0) this.lastAny -= offset;
    if (this.lastOk >= 0) this.lastOk -= offset;
    if (this.lastSafe >= 0) this.lastSafe -= offset;
    if (this.lastToken >= 0) this.lastToken -= offset;
  }

  /** Looks at every character it can decide on; stops early when one needs lookahead not yet here. */
  private scan(final: boolean): void {
    const s = this.buf;
    const len = s.length;
    while (this.i < len) {
      if (this.mode === 'line') {
        if (!this.lineStart(final)) return;
        continue;
      }
      if (this.mode === 'fence') {
        if (!this.fenceLine(final)) return;
        continue;
      }
      const i = this.i;
      const c = s.charCodeAt(i);
      if (this.pending) {
        if (c !== 10 && isSpace(c)) {
          this.i++;
          continue;
        }
        // The next character decides; if it is half of a surrogate pair, wait for the other half.
        if (c >= 0xd800 && c <= 0xdbff && i + 1 === len && !final) return;
        const p = this.pending;
        if (c !== 10) {
          const ok = p.kind === 'clause' ? clauseConfirmed(s, i) : endConfirmed(p.kind, s, i, final);
          if (ok === null) return; // the next word decides, and it is not all here yet
          this.pending = null;
          if (ok && (p.kind === 'clause' || this.emitted === 0 || p.cut - this.segStart >= this.opts.minChars)) this.cut(p.cut, i, p.at);
        } else this.pending = null;
      }
      if (c === 10) {
        this.emit(i + 1);
        this.i = i + 1;
        this.mode = 'line';
        this.startSegment(this.i);
        this.resetConstructs();
        continue;
      }
      const limit = this.emitted === 0 ? this.opts.firstMaxChars : this.opts.maxChars;
      // Measured in the input, blank space dropped by compact() included: the same cuts however the text was split.
      const span = this.offset(i) - this.offset(this.segStart);
      if (span >= limit) {
        // Outside everything if possible; else inside a quotation, parenthesis or emphasis (a long one has
        // to be cut somewhere); inside a link or code span only past 4× the limit.
        const at =
          this.lastSafe > this.segStart ? this.lastSafe : this.lastOk > this.segStart ? this.lastOk : span >= 4 * limit ? this.lastAny : -1;
        if (at > this.segStart) {
          this.cut(at, at);
        } else if (span >= 4 * limit && !(this.prevSpace && !isSpace(c))) {
          // No word start at all: before the latest token with a letter or digit in it, so that a mark
          // on its own (a dash, a comma) stays on the word before it, as normalizing the whole text
          // leaves it; from 8× the limit before any token; with no token (a huge one, or a blank run)
          // anywhere, so memory stays bounded. A token starting here is decided at the next character.
          let any: number;
          if (this.lastToken > this.segStart) any = this.lastTokenWord || span >= 8 * limit ? this.lastToken : -1;
          else any = c >= 0xdc00 && c <= 0xdfff ? -1 : i;
          if (any > this.segStart) this.cut(any, any);
        }
        if (this.segStart < i) this.prevSpace = isSpace(s.charCodeAt(i - 1));
      }
      if (c === 96) {
        if (!this.backticks(s, i, final)) return;
        this.prevSpace = false;
        continue;
      }
      if (this.code !== 0) {
        // Inside a code span only word starts matter, for a cut when the span runs very long.
        const space = isSpace(c);
        if (!space && this.prevSpace && i > this.segStart) {
          this.lastToken = i;
          this.lastTokenWord = isLetterOrDigit(c);
          if (this.lastTokenWord) this.lastAny = i;
        } else if (!this.lastTokenWord && !space && isLetterOrDigit(c)) this.lastTokenWord = true;
        this.prevSpace = space;
        this.i++;
        continue;
      }
      if (isSpace(c)) {
        if (!this.prevSpace) this.detect(i);
        this.prevSpace = true;
        this.i++;
        continue;
      }
      if (this.prevSpace && i > this.segStart) {
        this.lastToken = i;
        this.lastTokenWord = false;
      }
      if (isLetterOrDigit(c)) {
        this.lastTokenWord = true;
        if (this.prevSpace && i > this.segStart) {
          this.words++;
          this.lastAny = i;
          if (this.bracket === 0 && this.code === 0 && !this.strike) this.lastOk = i;
          if (this.closed()) this.lastSafe = i;
        } else if (this.prevSpace) this.words++;
        this.prevSpace = false;
        this.i++;
        continue;
      }
      if ((c === 42 || c === 95) && !this.emphasis(s, i, c, final)) return;
      else if (c === 126 && !this.tildes(s, i, final)) return;
      else if (c !== 42 && c !== 95 && c !== 126) this.mark(s, i, c);
      this.prevSpace = false;
    }
  }

  /** Quotation marks, brackets, code spans and clause dashes. Advances past the character. */
  private mark(s: string, i: number, c: number): void {
    const before = i > this.segStart ? s.charCodeAt(i - 1) : 32;
    switch (c) {
      case 34: // " — after a digit it is inches (12"), not a quotation
        if (!(before >= 48 && before <= 57)) this.quote = !this.quote;
        break;
      case 0x201c:
        this.quote = true;
        break;
      case 0x201d:
        this.quote = false;
        break;
      case 40:
        this.paren++;
        break;
      case 41:
        if (this.paren > 0) this.paren--;
        break;
      case 91:
        this.bracket++;
        break;
      case 93:
        if (this.bracket > 0) this.bracket--;
        break;
      case 0x2014: // em dash, spaced or not
      case 0x2013: // en dash, unless a range (1990–2000)
        if (!(c === 0x2013 && before >= 48 && before <= 57) && this.mayClause()) this.pending = { cut: i + 1, at: this.offset(i + 1), kind: 'clause' };
        break;
    }
    this.i = i + 1;
  }

  /** A run of backticks opens a code span, or closes the one a run of the same length opened. False to wait for lookahead. */
  private backticks(s: string, i: number, final: boolean): boolean {
    let j = i;
    while (j < s.length && s.charCodeAt(j) === 96) j++;
    if (j === s.length && !final) return false;
    if (this.code === 0) this.code = j - i;
    else if (this.code === j - i) this.code = 0;
    this.i = j;
    return true;
  }

  /** `*` and `_` runs: bold, italics, or neither (snake_case, a list bullet, 2 * 3). False to wait for lookahead. */
  private emphasis(s: string, i: number, c: number, final: boolean): boolean {
    let j = i;
    while (j < s.length && s.charCodeAt(j) === c) j++;
    if (j === s.length && !final) return false;
    const before = i > this.segStart ? s.charCodeAt(i - 1) : 32;
    const after = j < s.length ? s.charCodeAt(j) : 32;
    this.i = j;
    if (c === 95 && isLetterOrDigit(before) && isLetterOrDigit(after)) return true;
    if (isSpace(before) && isSpace(after)) return true;
    if (j - i >= 2) this.bold = !this.bold;
    else if (this.italic && !isSpace(before)) this.italic = false;
    else if (!this.italic && !isSpace(after) && !isLetterOrDigit(before)) this.italic = true;
    return true;
  }

  /** A run of exactly two tildes opens struck-through text before a word, or closes it after one. False to wait for lookahead. */
  private tildes(s: string, i: number, final: boolean): boolean {
    let j = i;
    while (j < s.length && s.charCodeAt(j) === 126) j++;
    if (j === s.length && !final) return false;
    const before = i > this.segStart ? s.charCodeAt(i - 1) : 32;
    const after = j < s.length ? s.charCodeAt(j) : 32;
    this.i = j;
    if (j - i === 2) {
      if (!this.strike && !isSpace(after)) this.strike = true;
      else if (this.strike && !isSpace(before)) this.strike = false;
    }
    return true;
  }

  private mayClause(): boolean {
    return this.emitted === 0 && this.words >= this.opts.firstMinWords && this.closed();
  }

  /** At the space after a word: is that word the end of a sentence or of a first clause? */
  private detect(space: number): void {
    const s = this.buf;
    const from = this.segStart;
    if (this.listItem(space)) return;
    let p = space - 1;
    if (s.charCodeAt(p) === 41 /* ) */) {
      // A link or image: the sentence mark, if any, is at the end of its text: "[It helps.](url) Then".
      for (let k = p - 1; k > from && !isSpace(s.charCodeAt(k)); k--) {
        if (s.charCodeAt(k) === 40 && s.charCodeAt(k - 1) === 93) {
          p = k - 1;
          break;
        }
      }
    }
    while (p >= from && isCloser(s.charCodeAt(p))) p--;
    if (p < from) return;
    const c = s.charCodeAt(p);
    if (isTerminator(c)) {
      if (!this.closed()) return;
      let t = p;
      while (t > from && isTerminator(s.charCodeAt(t - 1))) t--;
      let w = t;
      while (w > from && !isSpace(s.charCodeAt(w - 1))) w--;
      let q = w - 1;
      while (q >= from && isSpace(s.charCodeAt(q))) q--;
      const listPosition = q < from || s.charCodeAt(q) === 58; /* : */
      const kind = classifyEnd(s, w, t, p + 1, listPosition);
      if (kind) this.pending = { cut: space, at: this.offset(space), kind };
      return;
    }
    if (!this.mayClause()) return;
    if (c === 44 || c === 58 || c === 59 || c === 0xff0c) {
      this.pending = { cut: space, at: this.offset(space), kind: 'clause' };
      return;
    }
    // A spaced hyphen used as a dash: "so - in short".
    if (c === 45 && (p === from || isSpace(s.charCodeAt(p - 1)) || (s.charCodeAt(p - 1) === 45 && (p - 1 === from || isSpace(s.charCodeAt(p - 2)))))) {
      this.pending = { cut: space, at: this.offset(space), kind: 'clause' };
    }
  }

  /**
   * List markers: the first word of a line, of the segment after an item, or after a colon may be
   * one ("1.", "a)", "• 9."); it is not a sentence end, and the next marker in sequence on the same line starts
   * a segment of its own. True when the word before `space` was such a marker.
   */
  private listItem(space: number): boolean {
    const s = this.buf;
    const from = this.segStart;
    const last = s.charCodeAt(space - 1);
    if (last !== 46 /* . */ && last !== 41 /* ) */) return false;
    // A marker is at most five characters ("•10.)"); look no further back than that.
    let w = space;
    while (w > from && space - w <= 5 && !isSpace(s.charCodeAt(w - 1))) w--;
    if (w > from && !isSpace(s.charCodeAt(w - 1))) return false;
    const marker = listMarker(s.slice(w, space));
    if (!marker || !this.closed()) return false;
    // Where the item starts: at a bullet standing alone before the marker ("• 10."), else at the marker.
    let q = w - 1;
    while (q >= from && isSpace(s.charCodeAt(q))) q--;
    const bullet = q >= from && isBullet(s.charAt(q)) && (q === from || isSpace(s.charCodeAt(q - 1)));
    const start = bullet ? q : w;
    const expected = this.listNext !== null && this.listNext.n === marker.n && this.listNext.alpha === marker.alpha;
    if (start === from || s.charCodeAt(q) === 58 /* "Steps: 1. Open…" */) {
      if (start === from && !this.segAtLineStart && !expected) return false;
    } else if (expected) {
      this.cut(start, start);
    } else return false;
    this.listNext = { n: marker.n + 1, alpha: marker.alpha };
    return true;
  }

  /** At the start of a line: skips blank space, then decides whether a code fence opens here. */
  private lineStart(final: boolean): boolean {
    const s = this.buf;
    let i = this.i;
    for (let c = s.charCodeAt(i); i < s.length && (c === 32 || c === 9 || c === 13 || c === 10); c = s.charCodeAt(++i));
    this.i = this.segStart = i;
    if (i >= s.length) return false;
    const c = s.charCodeAt(i);
    if (c === 96 || c === 126) {
      let j = i;
      while (j < s.length && s.charCodeAt(j) === c) j++;
      if (j === s.length && !final) return false;
      if (j - i >= 3) {
        this.fence = s.slice(i, j);
        this.fenceOpening = true;
        this.mode = 'fence';
        this.i = this.segStart = this.fenceSeen = j;
        return true;
      }
    }
    this.mode = 'text';
    this.segAtLineStart = true;
    this.listNext = null;
    this.startSegment(i);
    this.resetConstructs();
    return true;
  }

  /** Inside a fenced code block: consumes one whole line, closing the block when it is the fence. */
  private fenceLine(final: boolean): boolean {
    const s = this.buf;
    const nl = s.indexOf('\n', Math.max(this.i, this.fenceSeen));
    if (nl === -1) {
      // The rest is code or the closing fence: either way nothing to say. Wait for the newline,
      // keeping the line only while it could still be the closing fence.
      this.fenceSeen = s.length;
      if (final || this.fenceOpening || !/^[ \t]*[`~]*[ \t\r]*$/.test(s.slice(this.i))) {
        this.fenceLineIsCode = !final;
        this.i = this.segStart = this.fenceSeen = s.length;
      }
      return false;
    }
    if (!this.fenceOpening && !this.fenceLineIsCode && closesFence(s.slice(this.i, nl), this.fence)) this.mode = 'line';
    this.fenceOpening = this.fenceLineIsCode = false;
    this.i = this.segStart = this.fenceSeen = nl + 1;
    return true;
  }
}
