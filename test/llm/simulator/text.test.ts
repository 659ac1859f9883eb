import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { demoReply, DEMO_REPLIES, tokenize } from '../../../src/llm/simulator/text.js';
import { splitInsideUtf8, splitMidLine } from '../../../src/llm/simulator/stream.js';

describe('simulator text', () => {
  it('tokens join back to the exact text, for any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => tokenize(text).join('') === text));
  });

  it('splits words and punctuation into separate tokens', () => {
    assert.deepEqual(tokenize("Hi, it's 5 o'clock."), ['Hi', ',', " it's", ' 5', " o'clock", '.']);
  });

  it('demo replies are deterministic per question and varied across questions', () => {
    assert.equal(demoReply('What time is it?'), demoReply('  what time is it? '));
    const seen = new Set(['a', 'b', 'c', 'hello', 'tell me a joke', 'how are you', 'why', 'what', 'x', 'y', 'z', 'q'].map(demoReply));
    assert.ok(seen.size >= 5, `only ${seen.size} distinct replies`);
    const lengths = DEMO_REPLIES.map((r) => r.length);
    assert.ok(Math.min(...lengths) < 20 && Math.max(...lengths) > 200, 'replies should range from short to long');
  });

  it('UTF-8 splitting cuts inside every multi-byte character and loses no byte', () => {
    const buf = Buffer.from('a€😀b');
    const pieces = splitInsideUtf8(buf);
    assert.deepEqual(Buffer.concat(pieces), buf);
    // One cut before each continuation byte: 2 in €, 3 in 😀.
    assert.equal(pieces.length, 6);
    for (const p of pieces.slice(1)) assert.ok((p[0]! & 0xc0) === 0x80, 'each inner piece starts mid-character');
  });

  it('mid-line splitting cuts inside the field name, the line, and between the newlines', () => {
    const s = 'data: {"a":"bcdefgh"}\n\ndata: [DONE]\n\n';
    const pieces = splitMidLine(s);
    assert.equal(pieces.join(''), s);
    assert.ok(pieces.includes('dat'), 'cut inside "data"');
    assert.ok(pieces.some((p) => p === '\n'), 'cut between the two newlines');
  });
});
