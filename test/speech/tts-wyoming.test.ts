import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createFliteEngine, createWyomingEngine, type PcmChunk } from '../../src/speech/index.js';
import { encodeEvent } from '../../src/wyoming/index.js';
import { startWyomingServer, type WyomingServer } from '../support/tts-wyoming-server.js';
import { SLOW_MACHINE_TIMEOUT_MS, waitUntil } from '../support/wait.js';
import { drain } from '../support/tts-parts.js';

const flite = createFliteEngine();
let plain: WyomingServer;
let streaming: WyomingServer;

before(async () => {
  plain = await startWyomingServer({ engine: flite, streaming: false });
  streaming = await startWyomingServer({ engine: flite, streaming: true });
});
after(async () => {
  await plain.close();
  await streaming.close();
  await flite.close();
});

const bytes = (cs: PcmChunk[]) => cs.reduce((n, c) => n + c.pcm.length, 0);

describe('Wyoming engine', () => {
  it('describes the server once and caches it', async () => {
    const engine = createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: plain.host, port: plain.port });
    const info = await engine.describe();
    assert.equal(info.tts[0].name, 'flite-wyoming');
    assert.deepEqual(info.tts[0].voices?.map((v) => v.name), ['kal16', 'slt']);
    await engine.describe();
    assert.equal(plain.received.filter((c) => c[0]?.type === 'describe').length, 1);
  });

  it("lists the server's voices, and none (any name goes) when it lists none or cannot be asked", async () => {
    assert.deepEqual(await createWyomingEngine({ host: plain.host, port: plain.port }).voices!(), ['kal16', 'slt']);
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    assert.equal(await createWyomingEngine({ host: '127.0.0.1', port }).voices!(), null);
    assert.deepEqual(await flite.voices!(), ['kal16', 'slt', 'awb', 'rms', 'kal']);
  });

  it('synthesize → audio-start, audio-chunk…, audio-stop on a non-streaming server', async () => {
    const engine = createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: plain.host, port: plain.port, voice: 'slt' });
    const chunks = await drain(engine.synthesize('Turning on the kitchen lights now.'));
    const conn = plain.received.at(-1)!;
    assert.deepEqual(conn.map((e) => e.type), ['synthesize']);
    assert.deepEqual(conn[0].data, { text: 'Turning on the kitchen lights now.', voice: { name: 'slt' } });
    assert.ok(chunks.length > 10, 'one chunk per audio-chunk event');
    assert.ok(chunks.every((c) => c.sampleRate === 16000));
    const ms = (bytes(chunks) / 2 / 16000) * 1000;
    assert.ok(ms > 1500 && ms < 5000, `${ms} ms`);
    // Same audio as the engine behind the server.
    const direct = await drain(flite.synthesize('Turning on the kitchen lights now.', { voice: 'slt' }));
    assert.deepEqual(Buffer.concat(chunks.map((c) => c.pcm)), Buffer.concat(direct.map((c) => c.pcm)));
  });

  it('uses synthesize-start / -chunk / -stop when the server advertises streaming', async () => {
    const engine = createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: streaming.host, port: streaming.port });
    const text = 'First sentence here. And a second one.';
    const chunks = await drain(engine.synthesize(text, { voice: 'kal16' }));
    const conn = streaming.received.at(-1)!;
    assert.deepEqual(conn.map((e) => e.type), ['synthesize-start', 'synthesize-chunk', 'synthesize-stop']);
    assert.deepEqual(conn[0].data, { voice: { name: 'kal16' } });
    assert.equal(conn[1].data.text, text);
    // Both sentences (two audio-start/stop rounds) arrive before synthesize-stopped.
    const a = await drain(flite.synthesize('First sentence here.'));
    const b = await drain(flite.synthesize('And a second one.'));
    assert.equal(bytes(chunks), bytes(a) + bytes(b));
  });

  it("passes the server's error event on as an error", async () => {
    const engine = createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: plain.host, port: plain.port, voice: 'nobody' });
    await assert.rejects(drain(engine.synthesize('Hello.')), /Wyoming server error: unknown voice: nobody/);
  });

  it('abort mid-synthesis closes the connection', async () => {
    const slow = await startWyomingServer({ engine: flite, samplesPerChunk: 256 });
    try {
      const engine = createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: slow.host, port: slow.port });
      const ac = new AbortController();
      let n = 0;
      const err = await drain(engine.synthesize('A fairly long sentence to be interrupted. '.repeat(20), { signal: ac.signal }), () => {
        if (++n === 3) ac.abort();
      }).catch((e: Error) => e);
      assert.equal((err as Error).name, 'AbortError');
      assert.equal(n, 3);
      // The server wrote all its audio at once, so it sees a plain close (not a clientAbort).
      await waitUntil(() => slow.openConnections === 0, 'the server to see the connection close');
      assert.equal(slow.received.at(-1)![0].type, 'synthesize');
    } finally {
      await slow.close();
    }
  });

  it('a server that is down, or hangs up mid-synthesis, is a clear error', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(drain(createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: '127.0.0.1', port }).synthesize('Hi.')), new RegExp(`Wyoming server 127.0.0.1:${port}: .*ECONNREFUSED`));

    // Answers describe, then drops the synthesis.
    const rude = createServer((s) => {
      s.once('data', (d) => {
        if (d.toString().includes('describe')) s.end(encodeEvent({ type: 'info', data: { tts: [{ name: 'x', voices: [] }] } }));
        else s.end(encodeEvent({ type: 'audio-start', data: { rate: 16000, width: 2, channels: 1 } }));
      });
    });
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
    try {
      const p = (rude.address() as AddressInfo).port;
      await assert.rejects(drain(createWyomingEngine({ timeoutMs: SLOW_MACHINE_TIMEOUT_MS, host: '127.0.0.1', port: p }).synthesize('Hi.')), /closed the connection mid-synthesis/);
    } finally {
      await new Promise<void>((r) => rude.close(() => r()));
    }
  });
});
