/** The shared Wyoming framing (src/wyoming/codec.ts), checked against a framer written from the protocol in the test. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEventDecoder, encodeEvent, WyomingProtocolError } from '../../src/wyoming/index.js';
import { frame } from '../support/wyoming-client.js';

describe('Wyoming framing', () => {
  it('encodes data as a separate JSON block and a payload after it', () => {
    const buf = encodeEvent({ type: 'audio-chunk', data: { rate: 16000, width: 2, channels: 1 }, payload: Buffer.from([1, 2, 3, 4]) });
    const nl = buf.indexOf(10);
    const header = JSON.parse(buf.subarray(0, nl).toString());
    assert.equal(header.type, 'audio-chunk');
    assert.equal(typeof header.version, 'string');
    assert.equal(header.payload_length, 4);
    const data = JSON.parse(buf.subarray(nl + 1, nl + 1 + header.data_length).toString());
    assert.deepEqual(data, { rate: 16000, width: 2, channels: 1 });
    assert.deepEqual([...buf.subarray(nl + 1 + header.data_length)], [1, 2, 3, 4]);
    assert.deepEqual(JSON.parse(encodeEvent({ type: 'describe' }).toString()), { type: 'describe', version: header.version });
  });

  it('decodes the same events however the bytes are split, merging inline and separate data', () => {
    const inline = Buffer.from(JSON.stringify({ type: 'info', data: { a: 1, b: 1 }, data_length: 8 }) + '\n{"b":2} ');
    const stream = Buffer.concat([
      encodeEvent({ type: 'audio-start', data: { rate: 22050, width: 2, channels: 1 } }),
      encodeEvent({ type: 'audio-chunk', data: { rate: 22050, width: 2, channels: 1 }, payload: Buffer.alloc(1000, 7) }),
      inline,
      encodeEvent({ type: 'audio-stop' }),
    ]);
    for (const step of [1, 2, 5, 64, stream.length]) {
      const decode = createEventDecoder();
      const events = [];
      for (let i = 0; i < stream.length; i += step) events.push(...decode(stream.subarray(i, i + step)));
      assert.deepEqual(events.map((e) => e.type), ['audio-start', 'audio-chunk', 'info', 'audio-stop'], `step ${step}`);
      assert.equal(events[1].payload?.length, 1000);
      assert.deepEqual(events[2].data, { a: 1, b: 2 });
    }
  });

  it('rejects a stream that is not Wyoming', () => {
    assert.throws(() => createEventDecoder()(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')), /header is not JSON/);
  });

  it('decodes what an independent framer wrote, split anywhere', () => {
    const event = fc.record({
      type: fc.constantFrom('transcript', 'audio-chunk', 'synthesize-chunk', 'ping'),
      data: fc.option(fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'), fc.oneof(fc.string(), fc.integer(), fc.boolean())).map((d) => ({ ...d })), { nil: undefined }),
      inline: fc.boolean(),
      payload: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 40 }), (events, cuts) => {
        const bytes = Buffer.concat(events.map((e) => frame(e.type, e.data, { inline: e.inline, payload: e.payload && Buffer.from(e.payload) })));
        const decode = createEventDecoder();
        const got = [];
        let at = 0;
        for (const cut of [...cuts, bytes.length]) {
          got.push(...decode(bytes.subarray(at, Math.min(bytes.length, at + cut))));
          at = Math.min(bytes.length, at + cut);
        }
        assert.deepEqual(
          got.map((e) => [e.type, e.data, e.payload ? [...e.payload] : []]),
          events.map((e) => [e.type, e.data ?? {}, e.payload && e.payload.length ? [...e.payload] : []]),
        );
      }),
    );
  });

  it('refuses what is over its bounds at the header, before buffering the block', () => {
    const decode = (bytes: string | Buffer) => () => createEventDecoder({ maxHeaderBytes: 100, maxDataBytes: 50, maxPayloadBytes: 50 })(Buffer.from(bytes));
    const code = (code: string) => (err: unknown) => err instanceof WyomingProtocolError && err.code === code;
    assert.throws(decode('x'.repeat(101)), code('header_too_long'));
    assert.throws(decode('{"type":"a","data_length":51}\n'), code('data_too_long'));
    assert.throws(decode('{"type":"a","payload_length":51}\n'), code('payload_too_long'));
    assert.throws(decode('{"type":"a","data_length":1.5}\n'), code('invalid_header'));
    assert.throws(decode('["type"]\n'), code('invalid_header'));
    assert.throws(decode('{"type":"a","data":[1]}\n'), code('invalid_data'));
    assert.throws(decode('{"type":"a","data_length":3}\n[1]'), code('invalid_data'));
    assert.deepEqual(createEventDecoder({ maxDataBytes: 50 })(Buffer.from('{"type":"a","data_length":2}\n{}')), [{ type: 'a', data: {} }]);
  });
});
