import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createFliteEngine, createOpenAiSpeechEngine, type PcmChunk, TtsHttpError } from '../../src/speech/index.js';
import { startOpenAiSpeechServer, type OpenAiSpeechServer } from '../support/tts-openai-server.js';
import { drain } from '../support/tts-parts.js';
import { SLOW_MACHINE_TIMEOUT_MS, waitUntil } from '../support/wait.js';

const KEY = 'sk-test-0123456789abcdef';
const flite = createFliteEngine();
let server: OpenAiSpeechServer;

before(async () => {
  // 4800 bytes every 10 ms: a body that visibly streams.
  server = await startOpenAiSpeechServer({ engine: flite, apiKey: KEY, chunkBytes: 4800, chunkDelayMs: 10, failWhen: (t) => t.includes('explode') });
});
after(async () => {
  await server.close();
  await flite.close();
});


const TEXT = 'The kettle is on, and tea will be ready in five minutes.';

describe('OpenAI-compatible speech engine', () => {
  it('pcm: posts the OpenAI request and streams 24 kHz PCM as it arrives', async () => {
    const engine = createOpenAiSpeechEngine({ baseUrl: server.url, apiKey: KEY, model: 'kokoro', voice: 'af_heart', format: 'pcm', headersTimeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    let serverDoneAtFirstAudio: boolean | undefined;
    const chunks = await drain(engine.synthesize(TEXT), () => (serverDoneAtFirstAudio ??= server.requests.at(-1)!.finished));
    const req = server.requests.at(-1)!;
    assert.deepEqual(req.body, { model: 'kokoro', input: TEXT, voice: 'af_heart', response_format: 'pcm' });
    assert.equal(req.authorization, `Bearer ${KEY}`);
    assert.ok(chunks.length > 5, `${chunks.length} chunks`);
    assert.ok(chunks.every((c) => c.sampleRate === 24000 && c.pcm.length % 2 === 0));
    const bytes = chunks.reduce((n, c) => n + c.pcm.length, 0);
    assert.equal(bytes, req.bytesSent);
    const ms = (bytes / 2 / 24000) * 1000;
    assert.ok(ms > 2000 && ms < 8000, `${ms} ms of audio`);
    // Streamed, not buffered: the first audio arrived while the server was still sending.
    assert.equal(serverDoneAtFirstAudio, false);
  });

  it('wav: parses the streaming unknown-length header and yields the samples', async () => {
    const engine = createOpenAiSpeechEngine({ baseUrl: server.url + '/', apiKey: KEY, model: 'tts-1', voice: 'alloy', format: 'wav', headersTimeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    const chunks = await drain(engine.synthesize(TEXT, { voice: 'echo' }));
    const req = server.requests.at(-1)!;
    assert.equal(req.body.response_format, 'wav');
    assert.equal(req.body.voice, 'echo', 'per-call voice wins');
    assert.ok(chunks.every((c) => c.sampleRate === 16000));
    assert.equal(chunks.reduce((n, c) => n + c.pcm.length, 0), req.bytesSent);
  });

  it('keeps PCM sample-aligned when the body splits mid-sample', async () => {
    const odd = await startOpenAiSpeechServer({ engine: flite, chunkBytes: 333 });
    try {
      const engine = createOpenAiSpeechEngine({ baseUrl: odd.url, model: 'm', voice: 'v' });
      const chunks = await drain(engine.synthesize('Odd sizes.'));
      assert.ok(chunks.every((c) => c.pcm.length % 2 === 0));
      assert.equal(chunks.reduce((n, c) => n + c.pcm.length, 0), odd.requests[0].bytesSent);
      assert.equal(odd.requests[0].authorization, undefined, 'no key, no header');
    } finally {
      await odd.close();
    }
  });

  it('a rejected key is a clear error that never contains the key', async () => {
    const wrong = 'sk-wrong-key-9876543210';
    const engine = createOpenAiSpeechEngine({ baseUrl: server.url, apiKey: wrong, model: 'kokoro', voice: 'af_heart', headersTimeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    const err = await drain(engine.synthesize(TEXT)).catch((e: Error) => e);
    assert.ok(err instanceof TtsHttpError);
    assert.equal(err.status, 401);
    assert.match(err.message, /answered 401: .*Incorrect API key/);
    assert.ok(!err.message.includes(wrong) && !err.message.includes(KEY));
  });

  it('a server failure is a TtsHttpError with the status', async () => {
    const engine = createOpenAiSpeechEngine({ baseUrl: server.url, apiKey: KEY, model: 'kokoro', voice: 'af_heart', headersTimeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    const err = await drain(engine.synthesize('This will explode.')).catch((e: Error) => e);
    assert.ok(err instanceof TtsHttpError);
    assert.equal(err.status, 500);
  });

  it('abort mid-stream stops reading and closes the request', async () => {
    const engine = createOpenAiSpeechEngine({ baseUrl: server.url, apiKey: KEY, model: 'kokoro', voice: 'af_heart', headersTimeoutMs: SLOW_MACHINE_TIMEOUT_MS });
    const ac = new AbortController();
    const long = 'A long answer that takes the server a while to stream to us. '.repeat(6);
    let got = 0;
    const err = await drain(engine.synthesize(long, { signal: ac.signal }), () => {
      if (++got === 2) ac.abort();
    }).catch((e: Error) => e);
    assert.equal((err as Error).name, 'AbortError');
    assert.equal(got, 2);
    const req = server.requests.at(-1)!;
    await waitUntil(() => req.aborted, 'the server to see the client leave');
    assert.equal(req.finished, false);
  });

  it('an unreachable server is a clear error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const engine = createOpenAiSpeechEngine({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: KEY, model: 'm', voice: 'v' });
    const err = await drain(engine.synthesize('Hello.')).catch((e: Error) => e);
    assert.match((err as Error).message, new RegExp(`speech server 127.0.0.1:${port} unreachable`));
    assert.ok(!(err as Error).message.includes(KEY));
  });

  it('rejects a bad base URL at creation', () => {
    assert.throws(() => createOpenAiSpeechEngine({ baseUrl: 'not a url', model: 'm', voice: 'v' }), /not a valid URL/);
    assert.throws(() => createOpenAiSpeechEngine({ baseUrl: 'ftp://x/v1', model: 'm', voice: 'v' }), /http\(s\)/);
  });

  it('a body that is not WAV in wav mode is a clear error', async () => {
    const bogus = createServer((_req, res) => res.end('<html>not audio</html>'));
    await new Promise<void>((r) => bogus.listen(0, '127.0.0.1', r));
    const { port } = bogus.address() as AddressInfo;
    try {
      const engine = createOpenAiSpeechEngine({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', voice: 'v', format: 'wav' });
      await assert.rejects(drain(engine.synthesize('Hello.')), /not a RIFF\/WAVE stream/);
    } finally {
      await new Promise<void>((r) => bogus.close(() => r()));
    }
  });
});
