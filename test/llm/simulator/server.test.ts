/**
 * The simulator speaks the real protocol: the official `openai` SDK and plain HTTP read it, it
 * records what it received and how each connection ended, and behaviour can be chosen per request.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { parseFault, startSimulator, type Simulator } from '../../../src/llm/index.js';

const post = (sim: Simulator, body: object, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const msgs = [{ role: 'user' as const, content: 'Say something' }];

describe('simulator', () => {
  let sim: Simulator;
  let sdk: OpenAI;
  before(async () => {
    sim = await startSimulator({ ttftMs: 5, tokensPerSecond: 0, text: 'Hello from the simulator.' });
    sdk = new OpenAI({ baseURL: sim.url, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => sim.close());

  it('streams to the official OpenAI SDK, with a usage-only final chunk when asked', async () => {
    const stream = await sdk.chat.completions.create({ model: 'm', messages: msgs, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let lastChoices = -1;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) {
        usage = chunk.usage;
        lastChoices = chunk.choices.length;
      }
    }
    assert.equal(text, 'Hello from the simulator.');
    assert.equal(usage?.completion_tokens, 5);
    assert.equal(lastChoices, 0, 'usage arrives in a chunk with empty choices');
    assert.ok((usage as unknown as { cost: number }).cost > 0, 'OpenRouter-style cost');
  });

  it('answers stream: false with one chat.completion', async () => {
    const c = await sdk.chat.completions.create({ model: 'm', messages: msgs });
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.choices[0]!.message.content, 'Hello from the simulator.');
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.equal(c.usage?.completion_tokens, 5);
  });

  it('lists models', async () => {
    const list = await sdk.models.list();
    assert.ok(list.data.some((m) => m.id === 'sim/echo'));
  });

  it('without include_usage, sends no usage (OpenAI behaviour); usage "always" sends it (OpenRouter)', async () => {
    const raw = await (await post(sim, { model: 'm', messages: msgs, stream: true })).text();
    assert.ok(!raw.includes('"usage"'));
    assert.ok(raw.trimEnd().endsWith('data: [DONE]'));
    sim.enqueue({ usage: 'always' });
    const raw2 = await (await post(sim, { model: 'm', messages: msgs, stream: true })).text();
    assert.match(raw2, /"choices":\[\],"usage":\{"prompt_tokens"/);
  });

  it('sends keepalive comments while waiting for the first token', async () => {
    sim.enqueue({ ttftMs: 300, keepaliveEveryMs: 25 });
    const raw = await (await post(sim, { model: 'm', messages: msgs, stream: true })).text();
    const before = raw.slice(0, raw.indexOf('data:'));
    assert.ok((before.match(/: OPENROUTER PROCESSING\n\n/g) ?? []).length >= 3, JSON.stringify(before));
  });

  it('paces tokens at the configured rate after the configured delay', async () => {
    sim.enqueue({ text: 'a b c d e f g h i j k', ttftMs: 100, tokensPerSecond: 50 });
    const t0 = performance.now();
    await (await post(sim, { model: 'm', messages: msgs, stream: true })).text();
    const rec = sim.records.at(-1)!;
    assert.ok(rec.firstTokenAt! - rec.startedAt >= 95, `ttft ${rec.firstTokenAt! - rec.startedAt}`);
    // 11 tokens at 50/s: 200 ms from the first token to the last.
    const total = performance.now() - t0;
    assert.ok(total >= 290 && total < 3000, `total ${total}`);
    assert.equal(rec.tokensSent, 11);
    assert.equal(rec.closedBy, 'completed');
  });

  it('chooses behaviour by model name, by header, and by one-shot script, later winning', async () => {
    const echo = await sdk.chat.completions.create({ model: 'sim/echo', messages: [{ role: 'user', content: 'Repeat me, exactly.' }] });
    assert.equal(echo.choices[0]!.message.content, 'Repeat me, exactly.');

    const demo = await sdk.chat.completions.create({ model: 'sim/demo', messages: msgs });
    assert.notEqual(demo.choices[0]!.message.content, 'Hello from the simulator.');

    const byName = await post(sim, { model: 'sim/status:429:3', messages: msgs, stream: true });
    assert.equal(byName.status, 429);
    assert.equal(byName.headers.get('retry-after'), '3');
    const body = (await byName.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, 429);

    const byHeader = await post(sim, { model: 'm', messages: msgs }, { 'x-sim-fault': 'status:503' });
    assert.equal(byHeader.status, 503);
    const byScript = await post(sim, { model: 'm', messages: msgs }, { 'x-sim-script': JSON.stringify({ text: 'scripted' }) });
    assert.equal(((await byScript.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, 'scripted');

    sim.enqueue({ text: 'queued wins' });
    const queued = await post(sim, { model: 'sim/echo', messages: msgs }, { 'x-sim-script': JSON.stringify({ text: 'header' }) });
    assert.equal(((await queued.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content, 'queued wins');
  });

  it('rejects bad requests with an OpenAI-style 400', async () => {
    const res = await post(sim, { model: 'm', messages: [] });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /messages/);
    const notJson = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{nope' });
    assert.equal(notJson.status, 400);
    assert.equal((await fetch(`${sim.url}/nowhere`)).status, 404);
  });

  it('records the body, masked headers, timing and how each connection closed', async () => {
    await post(sim, { model: 'rec/model', messages: msgs }, { authorization: 'Bearer sk-should-not-be-kept' }).then((r) => r.text());
    const rec = sim.records.at(-1)!;
    assert.equal(rec.model, 'rec/model');
    assert.deepEqual((rec.body as { messages: unknown }).messages, msgs);
    assert.equal(rec.headers.authorization, '[masked]');
    assert.ok(!JSON.stringify(sim.records).includes('sk-should-not-be-kept'));
    assert.ok(rec.startedAt <= rec.firstByteAt! && rec.firstByteAt! <= rec.closedAt!);
    assert.equal(rec.closedBy, 'completed');

    const ac = new AbortController();
    sim.enqueue({ ttftMs: 10_000 });
    await fetch(`${sim.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: msgs, stream: true }),
      signal: ac.signal,
    });
    ac.abort();
    await sim.settled();
    assert.equal(sim.records.at(-1)!.closedBy, 'client-closed');
  });

  it('parses fault short forms', () => {
    assert.deepEqual(parseFault('status:429:2'), { kind: 'status', status: 429, retryAfterS: 2 });
    assert.deepEqual(parseFault('reset:3'), { kind: 'reset', afterTokens: 3 });
    assert.deepEqual(parseFault('error-chunk:0:503'), { kind: 'error-chunk', afterTokens: 0, status: 503 });
    assert.deepEqual(parseFault('malformed:1:4'), { kind: 'malformed', afterTokens: 1, count: 4 });
    assert.equal(parseFault('nonsense'), null);
  });

  it('requires the key when configured (401 like OpenRouter)', async () => {
    const locked = await startSimulator({ apiKey: 'k-123', ttftMs: 0, tokensPerSecond: 0 });
    try {
      assert.equal((await post(locked, { model: 'm', messages: msgs })).status, 401);
      assert.equal((await post(locked, { model: 'm', messages: msgs }, { authorization: 'Bearer k-123' })).status, 200);
    } finally {
      await locked.close();
    }
  });
});
