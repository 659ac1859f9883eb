/**
 * The local answer bound (budget.ts): an upstream that ignores `max_tokens` is cut at
 * `maxTokens` content events or `maxAnswerChars` characters, its request aborted, and the answer
 * ends `length` with what came before the bound; a well-behaved upstream is never cut.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLlmClient, type LlmClient, type StreamPart } from '../../src/llm/index.js';
import { ask, clientOptions, collect, rig, type Rig } from '../support/llm-sim.js';

type Finish = Extract<StreamPart, { type: 'finish' }>;
const RUNAWAY = { fault: { kind: 'runaway', chars: 8_000_000 } } as const;

describe('llm client: the answer bound', () => {
  let r: Rig;
  let tight: LlmClient;
  before(async () => {
    r = await rig({}, { maxTokens: 50, maxAnswerChars: 1000 });
    tight = createLlmClient(clientOptions(r.sim, { maxTokens: 1_000_000, maxAnswerChars: 1000, maxRetries: 0 }));
  });
  after(async () => {
    await tight.close();
    await r.close();
  });

  it('an upstream writing 8 MB past max_tokens is cut at max_tokens and its request aborted', async () => {
    r.sim.enqueue(RUNAWAY);
    const { parts, text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    const deltas = parts.filter((p) => p.type === 'text-delta');
    assert.equal(deltas.length, 50, 'exactly max_tokens content events are kept');
    assert.ok(text.length > 0 && text.length <= 1000);
    const finish = parts.at(-1) as Finish;
    assert.equal(finish.type, 'finish');
    assert.equal(finish.reason, 'length');
    assert.equal(finish.cut, 'max_tokens');
    await r.sim.settled();
    const rec = r.sim.records.at(-1)!;
    assert.equal(rec.closedBy, 'client-closed', 'the upstream request was aborted, not read to its end');
    assert.equal((rec.body as { max_tokens: number }).max_tokens, 50, 'max_tokens is still sent');
  });

  it('with max_tokens out of reach, the character bound cuts the answer to exactly maxAnswerChars', async () => {
    r.sim.enqueue(RUNAWAY);
    const { parts, text, error } = await collect(tight.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text.length, 1000);
    const finish = parts.at(-1) as Finish;
    assert.equal(finish.reason, 'length');
    assert.equal(finish.cut, 'max_answer_chars');
    await r.sim.settled();
    assert.equal(r.sim.records.at(-1)!.closedBy, 'client-closed');
  });

  it('complete() is bounded the same way and says so', async () => {
    r.sim.enqueue(RUNAWAY);
    const c = await tight.complete(ask('x'));
    assert.equal(c.text.length, 1000);
    assert.equal(c.finish_reason, 'length');
    assert.equal(c.cut, 'max_answer_chars');
  });

  it('a cut never splits a surrogate pair', async () => {
    r.sim.enqueue({ text: 'a' + '😀'.repeat(600), tokensPerSecond: 0 });
    const { text } = await collect(tight.stream(ask('x')));
    assert.ok(text.length === 999 || text.length === 1000, `${text.length}`);
    assert.ok(!/[\uD800-\uDBFF]$/.test(text), 'no lone high surrogate at the end');
  });

  it('an answer of exactly max_tokens tokens is not cut', async () => {
    const words = Array.from({ length: 50 }, (_, i) => ` w${i}`).join('');
    r.sim.enqueue({ text: words });
    const { parts, text, error } = await collect(r.client.stream(ask('x')));
    assert.equal(error, null);
    assert.equal(text, words);
    const finish = parts.at(-1) as Finish;
    assert.equal(finish.reason, 'stop');
    assert.equal(finish.cut, undefined);
    assert.ok(parts.some((p) => p.type === 'usage'), 'the usage at the end still arrives');
  });

  it('one event far past the bound is refused, not buffered', async () => {
    r.sim.enqueue({ fault: { kind: 'huge-event', chars: 4_000_000 } });
    const { error } = await collect(tight.stream(ask('x')));
    assert.equal(error?.code, 'malformed_event');
  });

  it('a non-streamed answer past the bound is cut the same way', async () => {
    r.sim.enqueue({ text: 'y'.repeat(5000), ignoreStream: true });
    const c = await tight.complete(ask('x'));
    assert.equal(c.text.length, 1000);
    assert.equal(c.cut, 'max_answer_chars');
  });
});
