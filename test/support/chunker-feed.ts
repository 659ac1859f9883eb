/** Feeding text to a speech chunker the way a model stream would: in deltas. */
import type { Chunker } from '../../src/speech/types.js';

/** All segments a chunker emits for these deltas, flush included. */
export function feed(chunker: Chunker, deltas: Iterable<string>): string[] {
  const out: string[] = [];
  for (const d of deltas) out.push(...chunker.push(d));
  out.push(...chunker.flush());
  return out;
}

/** Splits `text` into deltas of `size` UTF-16 code units (surrogate pairs may be split, as on the wire they can be). */
export function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Splits `text` at the given offsets (sorted, deduplicated, any out-of-range ones ignored). */
export function splitAt(text: string, offsets: number[]): string[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < text.length))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const c of cuts) {
    out.push(text.slice(from, c));
    from = c;
  }
  out.push(text.slice(from));
  return out;
}
