/**
 * The English Golden Rules (test/speech/golden-rules.ts), streamed as a model would stream them: one
 * character at a time and in random token-sized pieces. Only sentence cuts are measured (clause and
 * length cuts off); expected sentences go through the same normalizer as the chunker's output.
 * pySBD, the reference splitter, scores 47 of 48; the bar here is 95%.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chunkText, createChunker } from '../../src/speech/chunker.js';
import { normalizeSegment } from '../../src/speech/normalize.js';
import { feed, slices, splitAt } from '../support/chunker-feed.js';
import { GOLDEN_RULES } from './golden-rules.js';

const SENTENCES_ONLY = { firstMinWords: Infinity, firstMaxChars: 100_000, maxChars: 100_000 };
const expected = (sentences: string[]) => sentences.map((s, i) => normalizeSegment(s, i === 0)).filter(Boolean);

describe('Golden Rules (English) while streaming', () => {
  it('scores at least 95%, one character at a time', (t) => {
    const failed: string[] = [];
    for (const g of GOLDEN_RULES) {
      const got = feed(createChunker(SENTENCES_ONLY), slices(g.text, 1));
      if (JSON.stringify(got) !== JSON.stringify(expected(g.sentences))) failed.push(`${g.rule}: ${JSON.stringify(got)}`);
    }
    const score = (GOLDEN_RULES.length - failed.length) / GOLDEN_RULES.length;
    t.diagnostic(`golden rules: ${GOLDEN_RULES.length - failed.length}/${GOLDEN_RULES.length} = ${(score * 100).toFixed(1)}%`);
    for (const f of failed) t.diagnostic(`missed: ${f}`);
    assert.equal(GOLDEN_RULES.length, 48);
    assert.ok(score >= 0.95, `score ${(score * 100).toFixed(1)}% is below 95%`);
  });

  it('cuts the same in random token-sized pieces as in one piece', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GOLDEN_RULES), fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 40 }), (g, cuts) => {
        assert.deepEqual(feed(createChunker(SENTENCES_ONLY), splitAt(g.text, cuts)), chunkText(g.text, SENTENCES_ONLY));
      }),
      { numRuns: 500, seed: 48 },
    );
  });

  // Rules where one character of lookahead cannot decide: the chunker waits for the next word.
  for (const rule of ['U.S. as non sentence boundary with next word capitalized', 'U.S. as sentence boundary', 'I as a sentence boundary and I as an abbreviation']) {
    it(`waits for the next word: ${rule}`, () => {
      const g = GOLDEN_RULES.find((r) => r.rule === rule)!;
      assert.deepEqual(feed(createChunker(SENTENCES_ONLY), slices(g.text, 1)), expected(g.sentences));
    });
  }

  it('never cuts a phone extension', () => {
    for (const text of ['Call 555-0142 ext. 7 for billing.', 'Dial ext. 12 and ask for Sam.']) assert.deepEqual(chunkText(text, SENTENCES_ONLY), [normalizeSegment(text, true)]);
  });

  it('speaks numbered items on one line one by one', () => {
    assert.equal(chunkText('Steps: 1. Open the app 2. Tap settings 3. Choose a voice', SENTENCES_ONLY).length, 3);
    assert.equal(chunkText('1. Open the app 2. Tap settings 3. Choose a voice', SENTENCES_ONLY).length, 3);
    // Numbers that do not continue a list stay in their sentence.
    assert.equal(chunkText('1. Add 2 cups of flour and 3. eggs', SENTENCES_ONLY).length, 1);
  });
});
