/**
 * Quality: the labelled corpus (test/speech/corpus.ts). Score = the fraction of labelled sentences
 * that come out as exactly one segment (unbroken, and separated from their neighbours), with clause
 * and length cuts off so only sentence segmentation is measured. The bar is 98%.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkText, createChunker } from '../../src/speech/chunker.js';
import { normalizeForSpeech } from '../../src/speech/normalize.js';
import { feed, slices } from '../support/chunker-feed.js';
import corpus from './corpus.js';

const SENTENCES_ONLY = { firstMinWords: Infinity, firstMaxChars: 100_000, maxChars: 100_000 };

describe('speech chunker corpus', () => {
  it('has at least 150 passages covering every kind of trap', () => {
    assert.ok(corpus.length >= 150, `only ${corpus.length} passages`);
    const topics = new Set(corpus.map((p) => p.topic));
    for (const t of ['titles', 'abbreviations', 'initials', 'numbers', 'money', 'times', 'lists', 'quotes', 'urls', 'email', 'ellipses', 'markdown']) {
      assert.ok(topics.has(t), `no ${t} passages`);
    }
  });

  it('keeps at least 98% of sentences unbroken and correctly separated', (t) => {
    let total = 0;
    let correct = 0;
    const failures: string[] = [];
    for (const p of corpus) {
      // Streamed in small deltas, as from a model.
      const segments = feed(createChunker(SENTENCES_ONLY), slices(p.text, 3));
      const out = new Set(segments);
      const missed = p.sentences.filter((s) => !out.has(s));
      total += p.sentences.length;
      correct += p.sentences.length - missed.length;
      if (missed.length > 0) {
        failures.push(`${p.hard ? '(known hard) ' : ''}${JSON.stringify(p.text)}\n    want ${JSON.stringify(p.sentences)}\n    got  ${JSON.stringify(segments)}`);
      }
    }
    const score = correct / total;
    t.diagnostic(`corpus: ${corpus.length} passages, ${correct}/${total} sentences = ${(score * 100).toFixed(2)}%`);
    if (failures.length) console.log(`Chunker corpus failures (${failures.length}):\n  ${failures.join('\n  ')}`);
    assert.ok(score >= 0.98, `score ${(score * 100).toFixed(2)}% is below 98%`);
  });

  it('with default options, still loses nothing: joined segments are the normalized passage', () => {
    for (const p of corpus) assert.equal(chunkText(p.text).join(' '), normalizeForSpeech(p.text), p.text);
  });
});
