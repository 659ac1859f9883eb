import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GaplessClock, PcmDecoder } from '../../src/dashboard/pcm.js';

const s16 = (...samples: number[]) => {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
};

describe('PcmDecoder (s16le → float)', () => {
  it('maps full scale to [-1, 1) little-endian', () => {
    const out = new PcmDecoder().decode(s16(0, 16384, -32768, 32767, -1));
    assert.deepEqual([...out], [0, 0.5, -1, 32767 / 32768, -1 / 32768]);
  });

  it('a frame split mid-sample decodes exactly as the whole (the odd byte carries over)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 64 }), fc.array(fc.nat(), { maxLength: 6 }), (samples, cuts) => {
        const bytes = s16(...samples);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new PcmDecoder();
        const parts: number[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          parts.push(...decoder.decode(bytes.subarray(prev, p)));
          prev = p;
        }
        assert.deepEqual(parts, [...new PcmDecoder().decode(bytes)]);
      }),
    );
  });

  it('reset drops a carried byte (a new stream after Stop)', () => {
    const d = new PcmDecoder();
    d.decode(new Uint8Array([0x01]));
    d.reset();
    assert.deepEqual([...d.decode(s16(16384))], [0.5]);
  });
});

describe('GaplessClock', () => {
  it('places chunks that arrive in time back to back: no gap, no overlap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dur: fc.double({ min: 0.001, max: 2, noNaN: true }), wait: fc.double({ min: 0, max: 1, noNaN: true }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        (chunks) => {
          const clock = new GaplessClock(0.05);
          let now = 10;
          let prevEnd: number | null = null;
          let underruns = 0;
          for (const c of chunks) {
            const start = clock.place(now, c.dur);
            assert.ok(start >= now, 'never in the past');
            if (prevEnd !== null) {
              if (prevEnd >= now) assert.equal(start, prevEnd, 'starts where the previous ends');
              else {
                underruns++;
                assert.equal(start, now + 0.05, 'after an underrun: now + lead');
              }
            }
            prevEnd = start + c.dur;
            // Time moves on a little before the next chunk arrives.
            now += c.wait * c.dur * 1.5;
          }
          assert.equal(clock.underruns, underruns);
        },
      ),
    );
  });

  it('reports what is queued and forgets it on reset', () => {
    const clock = new GaplessClock(0);
    clock.place(1, 0.5);
    clock.place(1, 0.25);
    assert.equal(clock.queued(1), 0.75);
    assert.equal(clock.queued(2), 0);
    clock.reset();
    assert.equal(clock.queued(1), 0);
    assert.equal(clock.place(3, 1), 3);
  });
});
