/** Bytes → SSE data, whatever the TCP reads look like. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createSseDecoder } from '../../src/llm/sse.js';
import { splitAt } from '../../src/llm/simulator/stream.js';

function decodeAll(chunks: Uint8Array[], maxEventChars = 1 << 20): { data: string[]; tooLarge: boolean } {
  const data: string[] = [];
  let tooLarge = false;
  const sse = createSseDecoder((d) => data.push(d), { maxEventChars, onTooLarge: () => (tooLarge = true) });
  for (const c of chunks) sse.feed(c);
  sse.end();
  return { data, tooLarge };
}

describe('SSE decoder', () => {
  it('yields the same events however the bytes are split (UTF-8 and lines cut anywhere)', () => {
    const payload = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(
        fc.array(payload, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.constantFrom('\n', '\r\n'),
        (events, offsets, eol) => {
          const text = events.map((e) => `: keepalive${eol}data: ${e}${eol}${eol}`).join('');
          const bytes = new TextEncoder().encode(text);
          assert.deepEqual(decodeAll(splitAt(bytes, offsets)).data, events);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops comments: they are liveness, never data', () => {
    const { data } = decodeAll([new TextEncoder().encode(': OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: x\n\n')]);
    assert.deepEqual(data, ['x']);
  });

  it('discards an unterminated last event (the stream ended mid-event)', () => {
    const { data } = decodeAll([new TextEncoder().encode('data: whole\n\ndata: {"half')]);
    assert.deepEqual(data, ['whole']);
  });

  it('reports an event larger than the limit instead of buffering it forever', () => {
    const { data, tooLarge } = decodeAll([new TextEncoder().encode(`data: ${'x'.repeat(5000)}`), new TextEncoder().encode('\n\ndata: after\n\n')], 1000);
    assert.equal(tooLarge, true);
    assert.deepEqual(data, []);
  });
});
