/** The client over real sockets against the simulator: the happy paths and awkward framing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLlmClient, type StreamPart } from '../../src/llm/index.js';
import { ask, clientOptions, collect, rig, TEST_KEY, type Rig } from '../support/llm-sim.js';

const MULTIBYTE = 'Crème brûlée costs 5 € — naïve café, 日本語のテキスト, and emoji 😀🎉 at the end.';

describe('llm client: streaming', () => {
  let r: Rig;
  before(async () => {
    r = await rig({ text: 'Hello there, how can I help?' });
  });
  after(() => r.close());

  it('streams text deltas in order, then usage, then finish', async () => {
    const { parts, text, error } = await collect(r.client.stream(ask('hi')));
    assert.equal(error, null);
    assert.equal(text, 'Hello there, how can I help?');
    const types = parts.map((p) => p.type);
    assert.ok(types.slice(0, -2).every((t) => t === 'text-delta'), types.join(','));
    assert.deepEqual(types.slice(-2), ['usage', 'finish']);
    assert.ok(types.filter((t) => t === 'text-delta').length > 3, 'one delta per token, not one lump');
  });

  it('reports usage with cost, and finish with model, generation id and timing', async () => {
    const { parts } = await collect(r.client.stream(ask('hi')));
    const usage = parts.find((p) => p.type === 'usage');
    const finish = parts.at(-1) as Extract<StreamPart, { type: 'finish' }>;
    assert.ok(usage && usage.type === 'usage');
    assert.equal(usage.usage.completion_tokens, 8); // Hello·there·,·how·can·I·help·?
    assert.ok(usage.usage.prompt_tokens >= 1);
    assert.ok(usage.usage.cost_usd !== null && usage.usage.cost_usd > 0);
    assert.equal(finish.reason, 'stop');
    assert.equal(finish.model, 'test-model');
    const rec = r.sim.records.at(-1)!;
    assert.match(finish.generation_id ?? '', new RegExp(`^gen-[0-9a-f]+-${rec.id}$`));
    assert.ok(finish.timing.ttft_ms !== null && finish.timing.ttft_ms >= 0);
    assert.ok(finish.timing.total_ms >= finish.timing.ttft_ms!);
  });

  it('sends the request the OpenAI way: model, messages, stream, include_usage, settings, bearer key', async () => {
    await collect(r.client.stream({ ...ask('hi'), temperature: 0.1, max_tokens: 7 }));
    const rec = r.sim.records.at(-1)!;
    const body = rec.body as Record<string, unknown>;
    assert.equal(body.model, 'test-model');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.temperature, 0.1);
    assert.equal(body.max_tokens, 7);
    assert.equal(body.models, undefined, 'no OpenRouter `models` for other servers');
    assert.equal(rec.status, 200, 'the simulator required the bearer key and accepted it');
    assert.equal(rec.headers.authorization, '[masked]');
  });

  it('complete() returns the whole answer with usage', async () => {
    const c = await r.client.complete(ask('hi'));
    assert.equal(c.text, 'Hello there, how can I help?');
    assert.equal(c.finish_reason, 'stop');
    assert.ok(c.usage && c.usage.cost_usd! > 0);
  });

  it('reasoning arrives apart from the text', async () => {
    r.sim.enqueue({ text: 'Four.', reasoning: 'Two plus two is four.' });
    const c = await r.client.complete(ask('2+2?'));
    assert.equal(c.text, 'Four.');
    assert.equal(c.reasoning, 'Two plus two is four.');
  });

  it('measures time to first token and tokens per second from the stream', async () => {
    r.sim.enqueue({ text: 'one two three four five six seven eight nine ten eleven', ttftMs: 120, tokensPerSecond: 20 });
    // When each token reached this consumer: the rate the client reports is the one it saw too.
    const seen: number[] = [];
    let timing: { ttft_ms: number | null; tokens_per_s: number | null } | undefined;
    for await (const part of r.client.stream(ask('count'))) {
      if (part.type === 'text-delta') seen.push(performance.now());
      if (part.type === 'finish') timing = part.timing;
    }
    assert.ok(timing!.ttft_ms! >= 110, `ttft ${timing!.ttft_ms}`);
    // A loaded machine may stretch the 500 ms between the first and last of the 11 tokens, or
    // bunch them into fewer reads; either way the client reports what arrived. A unit mistake
    // (per ms) or counting characters (~5 per token) lands far outside a factor of two.
    assert.equal(seen.length, 11);
    const spanMs = seen.at(-1)! - seen[0]!;
    // Every token in one go (a stall of the whole 500 ms): too short a span to compare rates over.
    if (spanMs < 1) return;
    const observed = (seen.length - 1) / (spanMs / 1000);
    assert.ok(timing!.tokens_per_s! > observed / 2 && timing!.tokens_per_s! < observed * 2, `tokens/s ${timing!.tokens_per_s}, observed ${observed}`);
  });

  it('UTF-8 characters split across TCP writes arrive whole', async () => {
    r.sim.enqueue({ text: MULTIBYTE, split: 'utf8' });
    const { text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text, MULTIBYTE);
    assert.ok(!text.includes('\uFFFD'));
  });

  it('events split mid-line (inside the field name, mid-JSON, between the newlines) parse whole', async () => {
    r.sim.enqueue({ text: MULTIBYTE, split: 'lines' });
    const { text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text, MULTIBYTE);
  });

  it('a huge single event (2 MB) within the answer bound is delivered as one part', async () => {
    const big = createLlmClient(clientOptions(r.sim, { maxAnswerChars: 2_000_000 }));
    try {
      r.sim.enqueue({ fault: { kind: 'huge-event', chars: 2_000_000 } });
      const { parts, error } = await collect(big.stream(ask('x')));
      assert.equal(error, null);
      const deltas = parts.filter((p) => p.type === 'text-delta');
      assert.equal(deltas.length, 1);
      assert.equal((deltas[0] as { text: string }).text.length, 2_000_000);
    } finally {
      await big.close();
    }
  });

  it('keepalive comments are never content', async () => {
    r.sim.enqueue({ text: 'Done.', ttftMs: 120, keepaliveEveryMs: 20 });
    const { text, parts } = await collect(r.client.stream(ask('x')));
    assert.equal(text, 'Done.');
    assert.ok(parts.every((p) => p.type !== 'text-delta' || !p.text.includes('OPENROUTER')));
  });

  it('uses the reported model (the one that actually answered)', async () => {
    r.sim.enqueue({ text: 'hi', reportModel: 'openai/gpt-4o-mini-2024-07-18' });
    const c = await r.client.complete(ask('x'));
    assert.equal(c.model, 'openai/gpt-4o-mini-2024-07-18');
  });

  it('reuses keep-alive connections across calls', async () => {
    for (let i = 0; i < 5; i++) await r.client.complete(ask('x'));
    const last5 = r.sim.records.slice(-5);
    assert.ok(last5.every((rec) => rec.closedBy === 'completed'));
    // undici frees a socket a tick after the body ends, so back-to-back calls may alternate two.
    assert.ok(new Set(last5.map((rec) => rec.connection)).size <= 2, 'sockets are reused, not opened per call');
  });

  it('a server that ignores `stream: true` and answers with one JSON completion still works', async () => {
    r.sim.enqueue({ text: 'All at once.', ignoreStream: true });
    const { parts, text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text, 'All at once.');
    assert.deepEqual(parts.map((p) => p.type), ['text-delta', 'usage', 'finish']);
  });

  it('a slow consumer is not mistaken for a silent server (idle timer pauses while it holds a part)', async () => {
    const slow = await rig({ text: 'one two three four' }, { idleTimeoutMs: 150 });
    try {
      const seen: string[] = [];
      for await (const part of slow.client.stream(ask('x'))) {
        if (part.type === 'text-delta') {
          seen.push(part.text);
          if (seen.length === 1) await new Promise((resolve) => setTimeout(resolve, 400));
        }
      }
      assert.equal(seen.join(''), 'one two three four');
    } finally {
      await slow.close();
    }
  });

  it('finishes at [DONE] even when the server holds the connection open, then lets it go', async () => {
    r.sim.enqueue({ text: 'Short.', fault: { kind: 'linger' } });
    const { text, error } = await collect(r.client.stream(ask('x')));
    // The stream ended while the server was still holding the connection: it did not wait for it.
    assert.equal(r.sim.records.at(-1)!.closedAt, null, 'finish waited for the connection');
    assert.equal(error, null);
    assert.equal(text, 'Short.');
    await r.sim.settled();
    assert.equal(r.sim.records.at(-1)!.closedBy, 'client-closed', 'the held socket was dropped after a grace period');
  });

  it('rejects a bad request with a clear error before any network I/O', async () => {
    const before = r.sim.records.length;
    const { error } = await collect(r.client.stream({ messages: [] }));
    assert.equal(error?.code, 'bad_request');
    assert.match(error!.message, /messages/);
    assert.equal(r.sim.records.length, before);
  });
});

describe('llm client: OpenRouter', () => {
  let r: Rig;
  before(async () => {
    r = await rig(
      { text: 'ok' },
      { provider: 'openrouter', fallbacks: ['b/model', 'c/model'], referer: 'https://example.org/barnabee', title: 'Barnabee Test' },
    );
  });
  after(() => r.close());

  it('sends HTTP-Referer, X-Title and the fallback list as `models`', async () => {
    await r.client.complete(ask('x'));
    const rec = r.sim.records.at(-1)!;
    assert.equal(rec.headers['http-referer'], 'https://example.org/barnabee');
    assert.equal(rec.headers['x-title'], 'Barnabee Test');
    assert.deepEqual((rec.body as { models: string[] }).models, ['test-model', 'b/model', 'c/model']);
  });

  it('captures X-Generation-Id', async () => {
    const c = await r.client.complete(ask('x'));
    assert.match(c.generation_id ?? '', /^gen-[0-9a-f]+-\d+$/);
  });
});

describe('llm client: options', () => {
  it('refuses options that cannot work, naming the field', () => {
    assert.throws(
      () => createLlmClient({ ...clientOptions({ url: 'ftp://x' } as never), baseUrl: 'not a url' }),
      /baseUrl: expected an http\(s\) URL/,
    );
    assert.throws(() => createLlmClient({ ...clientOptions({ url: 'http://127.0.0.1:1/v1' } as never), firstTokenTimeoutMs: 0 }), /firstTokenTimeoutMs/);
    assert.equal(TEST_KEY.length > 0, true);
  });
});
