/** Retry and fallback policy, read from what the simulator received. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ask, collect, rig, type Rig } from '../support/llm-sim.js';

const OK = 'Here is your answer.';
const models = (r: Rig) => r.sim.records.map((rec) => rec.model);

describe('llm client: retries before the first token, then fallbacks', () => {
  let r: Rig;
  afterEach(() => r.close());

  it('retries a 503 with backoff and then succeeds on the same model', async () => {
    r = await rig({ text: OK }, { maxRetries: 2, retryBaseMs: 40 });
    r.sim.enqueue({ fault: { kind: 'status', status: 503 } }, { fault: { kind: 'status', status: 503 } });
    const { text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text, OK);
    assert.deepEqual(models(r), ['test-model', 'test-model', 'test-model']);
    const [a, b, c] = r.sim.records;
    // Backoff with equal jitter: attempt n waits between base·2ⁿ/2 and base·2ⁿ.
    assert.ok(b!.startedAt - a!.closedAt! >= 20 - 2, `first wait ${b!.startedAt - a!.closedAt!}`);
    assert.ok(c!.startedAt - b!.closedAt! >= 40 - 2, `second wait ${c!.startedAt - b!.closedAt!}`);
    assert.match(r.logs(), /llm: retrying/);
  });

  it('a reader that leaves while a retry waits out its backoff starts no further request', async () => {
    r = await rig({ text: OK }, { maxRetries: 2, retryBaseMs: 200 });
    r.sim.enqueue({ fault: { kind: 'status', status: 503 } });
    const it = r.client.stream(ask('x'))[Symbol.asyncIterator]();
    const pending = it.next();
    // The backoff has begun once the retry is logged.
    while (!/llm: retrying/.test(r.logs())) await new Promise((resolve) => setImmediate(resolve));
    await it.return!();
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.equal(r.sim.records.length, 1);
  });

  it('honours Retry-After on a 429', async () => {
    r = await rig({ text: OK }, { maxRetries: 1, retryBaseMs: 10 });
    r.sim.enqueue({ fault: { kind: 'status', status: 429, retryAfterS: 1 } });
    const { text } = await collect(r.client.stream(ask('x')));
    assert.equal(text, OK);
    const [a, b] = r.sim.records;
    assert.ok(b!.startedAt - a!.closedAt! >= 990, `waited only ${(b!.startedAt - a!.closedAt!).toFixed(0)} ms`);
  });

  it('retries a reset and an in-band error that came before any token', async () => {
    r = await rig({ text: OK }, { maxRetries: 2 });
    r.sim.enqueue({ fault: { kind: 'reset', afterTokens: 0 } }, { fault: { kind: 'error-chunk', afterTokens: 0 } });
    const { text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text, OK);
    assert.equal(r.sim.records.length, 3);
  });

  it('after the retries of one model, falls back to the next (client-side list)', async () => {
    r = await rig({ text: OK, byModel: { 'a/first': { fault: { kind: 'status', status: 503 } } } }, { model: 'a/first', fallbacks: ['b/second'], maxRetries: 1 });
    const c = await r.client.complete(ask('x'));
    assert.equal(c.text, OK);
    assert.equal(c.model, 'b/second');
    assert.deepEqual(models(r), ['a/first', 'a/first', 'b/second']);
    assert.match(r.logs(), /falling back to the next model/);
  });

  it('a model-specific error (404) skips retries and goes straight to the fallback', async () => {
    r = await rig({ text: OK, byModel: { 'a/gone': { fault: { kind: 'status', status: 404 } } } }, { model: 'a/gone', fallbacks: ['b/here'] });
    const c = await r.client.complete(ask('x'));
    assert.equal(c.model, 'b/here');
    assert.deepEqual(models(r), ['a/gone', 'b/here']);
  });

  it('a first-token timeout is not retried on the same model but falls back', async () => {
    r = await rig(
      { text: OK, byModel: { 'a/slow': { keepaliveEveryMs: 50, fault: { kind: 'stall', afterTokens: 0 } } } },
      // The fallback gets the same budget: a second, not less, so a busy shared machine cannot make
      // it miss its first token too (it did once at 300 ms).
      { model: 'a/slow', fallbacks: ['b/fast'], firstTokenTimeoutMs: 1000 },
    );
    const c = await r.client.complete(ask('x'));
    assert.equal(c.text, OK);
    assert.deepEqual(models(r), ['a/slow', 'b/fast']);
    // ttft counts from the first request: the wasted timeout is part of what the user waited.
    assert.ok(c.timing.ttft_ms! >= 1000);
  });

  it('per-request fallbacks override the configured ones', async () => {
    r = await rig({ text: OK, byModel: { 'a/x': { fault: { kind: 'status', status: 400 } } } }, { model: 'a/x', fallbacks: ['never/used'] });
    const c = await r.client.complete({ ...ask('x'), fallbacks: ['c/chosen'] });
    assert.equal(c.model, 'c/chosen');
  });

  it('never retries once a token was delivered', async () => {
    r = await rig({ text: OK }, { maxRetries: 3, fallbacks: ['b/other'] });
    r.sim.enqueue({ fault: { kind: 'reset', afterTokens: 2 } });
    const { text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error?.code, 'connection_reset');
    assert.equal(text, 'Here is');
    assert.equal(r.sim.records.length, 1);
  });

  it('unauthorized and payment errors end the call at once: no retry, no fallback', async () => {
    r = await rig({ text: OK }, { maxRetries: 3, fallbacks: ['b/other'] });
    r.sim.enqueue({ fault: { kind: 'status', status: 401 } });
    assert.equal((await collect(r.client.stream(ask('x')))).error?.code, 'unauthorized');
    r.sim.enqueue({ fault: { kind: 'status', status: 402 } });
    assert.equal((await collect(r.client.stream(ask('x')))).error?.code, 'payment_required');
    assert.equal(r.sim.records.length, 2);
  });

  it('when everything fails, the last error is thrown, typed', async () => {
    r = await rig({ text: OK, fault: { kind: 'status', status: 502 } }, { maxRetries: 1, fallbacks: ['b/other'] });
    const { error } = await collect(r.client.stream(ask('x')));
    assert.equal(error?.code, 'upstream_error');
    assert.equal(error?.model, 'b/other');
    assert.deepEqual(models(r), ['test-model', 'test-model', 'b/other', 'b/other']);
  });

  it('OpenRouter falls back server-side: the client sends `models` and does not walk the list', async () => {
    r = await rig({ text: OK, fault: { kind: 'status', status: 404 } }, { provider: 'openrouter', fallbacks: ['b/other'] });
    const { error } = await collect(r.client.stream(ask('x')));
    assert.equal(error?.code, 'not_found');
    assert.equal(r.sim.records.length, 1);
    assert.deepEqual((r.sim.records[0]!.body as { models: string[] }).models, ['test-model', 'b/other']);
  });

  it('a Retry-After beyond the total timeout is not waited out', async () => {
    r = await rig({ text: OK }, { maxRetries: 2, totalTimeoutMs: 10_000 });
    r.sim.enqueue({ fault: { kind: 'status', status: 429, retryAfterS: 30 } });
    const { error, elapsedMs } = await collect(r.client.stream(ask('x')));
    assert.equal(error?.code, 'rate_limited');
    assert.equal(r.sim.records.length, 1, 'no retry');
    assert.ok(elapsedMs < 5000, `${elapsedMs} ms: it waited instead of failing at once`);
  });
});
