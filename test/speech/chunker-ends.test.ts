/**
 * Where each segment ends in the model's own text (`pushSegments`): what lets the history keep the
 * words the model wrote for what was spoken. The end of segment k is the input offset up to which
 * the whole text normalizes to exactly segments 0..k, however the text was split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createChunker, type ChunkedSegment } from '../../src/speech/chunker.js';
import { normalizeForSpeech } from '../../src/speech/normalize.js';
import { splitAt } from '../support/chunker-feed.js';

const PIECES = ['Hello', 'world', 'Mr.', 'Smith', 'U.S.', 'How', 'Government', '$3.50', 'etc.', 'it', 'was', 'fine', '.', ',', '!', '?', ' ', ' ', ' ', '\n', '\n\n', ' '.repeat(200), '**bold**', '~~gone~~', '`x.y`', '1.', '2.', '"quoted."', '—'];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((p) => p.join(' '));

function segmentsOf(input: string, cuts: number[], options = {}): ChunkedSegment[] {
  const c = createChunker(options);
  const out: ChunkedSegment[] = [];
  for (const d of splitAt(input, cuts)) out.push(...c.pushSegments(d));
  out.push(...c.flushSegments());
  return out;
}

describe('chunker segment ends', () => {
  for (const [name, options] of [['default', {}], ['sentences only', { firstMinWords: Infinity, firstMaxChars: 100_000, maxChars: 100_000 }]] as const) {
    it(`the text up to each end normalizes to the segments so far (${name})`, () => {
      fc.assert(
        fc.property(text, fc.array(fc.nat({ max: 2000 }), { maxLength: 30 }), (input, cuts) => {
          const segs = segmentsOf(input, cuts, options);
          let prev = 0;
          segs.forEach((s, k) => {
            assert.ok(s.end > prev || (k === 0 && s.end >= 0), `ends increase: ${s.end} after ${prev}`);
            assert.ok(s.end <= input.length);
            prev = s.end;
            assert.equal(normalizeForSpeech(input.slice(0, s.end)), segs.slice(0, k + 1).map((x) => x.text).join(' '), `segment ${k} of ${JSON.stringify(input)}`);
          });
          // The same ends however the text arrived.
          assert.deepEqual(segs, segmentsOf(input, [], options));
        }),
        { numRuns: 300, seed: 7 },
      );
    });
  }

  it('counts the blank run it dropped after a pending end', () => {
    const input = `First one.${' '.repeat(500)}Second one. Third.`;
    const segs = segmentsOf(input, Array.from({ length: 60 }, (_, i) => i * 9), { firstMinWords: Infinity });
    assert.deepEqual(segs.map((s) => input.slice(0, s.end).trimEnd().split(' ').at(-1)), ['one.', 'one.', 'Third.']);
  });
});
