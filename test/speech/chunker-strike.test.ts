/** Markdown the chunker must see through while streaming: struck-through text is neither spoken nor cut. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkText, createChunker } from '../../src/speech/chunker.js';
import { feed, slices } from '../support/chunker-feed.js';

const SENTENCES_ONLY = { firstMinWords: Infinity, firstMaxChars: 100_000, maxChars: 100_000 };

describe('struck-through text while streaming', () => {
  it('is not read aloud, and no cut falls inside it', () => {
    const text = 'The price was ~~$20. Really. Twenty.~~ $15 now. Buy it today.';
    const want = ['The price was 15 dollars now.', 'Buy it today.'];
    assert.deepEqual(feed(createChunker(SENTENCES_ONLY), slices(text, 1)), want);
    assert.deepEqual(chunkText(text, SENTENCES_ONLY), want);
  });
});
