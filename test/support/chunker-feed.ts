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

export { splitAt } from '../../src/llm/simulator/stream.js';
