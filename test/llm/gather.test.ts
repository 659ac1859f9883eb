/**
 * `CallOptions.gather` (gather.ts): text deltas the rule lets wait are held, up to the window, and
 * passed on as one — joined to the next text that may not wait, ahead of any other part, or when the
 * window closes while the model is silent. A window far longer than any test makes every release
 * here the work of a part arriving, not of the clock, except where the window closing is tested.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLlmClient, LlmError, type StreamPart, type TextGathering } from '../../src/llm/index.js';
import { ask, clientOptions, collect, rig, type Rig } from '../support/llm-sim.js';

const LONG = 60_000;
const texts = (parts: StreamPart[]) => parts.filter((p) => p.type === 'text-delta').map((p) => p.text);
const types = (parts: StreamPart[]) => parts.map((p) => p.type).filter((t, i, all) => t !== all[i - 1]);
/** A rule that records what it was asked. */
function rule(urgent: (text: string) => boolean, ms = LONG): TextGathering & { asked: string[] } {
  const asked: string[] = [];
  return {
    ms,
    asked,
    urgent(text) {
      asked.push(text);
      return urgent(text);
    },
  };
}

describe('llm client: gathering text that may wait', () => {
  let r: Rig;
  before(async () => {
    r = await rig({ text: 'One two three. Four five six.' }, { maxRetries: 0 });
  });
  after(() => r.close());

  it('joins the text that may wait to the next text that may not, asking the rule once per delta in order', async () => {
    const gather = rule((t) => t === 'One' || t === '.');
    const { parts, error } = await collect(r.client.stream(ask('x'), { gather }));
    assert.equal(error, null);
    assert.deepEqual(texts(parts), ['One', ' two three.', ' Four five six.']);
    assert.deepEqual(gather.asked, ['One', ' two', ' three', '.', ' Four', ' five', ' six', '.']);
    assert.deepEqual(types(parts), ['text-delta', 'usage', 'finish']);
  });

  it('passes held text on ahead of the next part of any other kind', async () => {
    const { parts } = await collect(r.client.stream(ask('x'), { gather: rule(() => false) }));
    assert.deepEqual(texts(parts), ['One two three. Four five six.']);
    assert.deepEqual(types(parts), ['text-delta', 'usage', 'finish']);
  });

  it("passes a request's first reasoning on at once, gathers the rest, and the text that follows waits for none of it", async () => {
    r.sim.enqueue({ text: 'One two three.', reasoning: 'Think about light and air.' });
    const { parts, error } = await collect(r.client.stream(ask('x'), { gather: rule((t) => t === 'One') }));
    assert.equal(error, null);
    const reasoning = parts.filter((p) => p.type === 'reasoning-delta').map((p) => p.text);
    assert.deepEqual(reasoning, ['Think', ' about light and air.']);
    assert.deepEqual(texts(parts), ['One', ' two three.']);
    assert.deepEqual(types(parts), ['reasoning-delta', 'text-delta', 'usage', 'finish']);
  });

  it('speaks before a tool call: the text held when the model starts a call goes first', async () => {
    r.sim.enqueue({ text: 'Sure, turning on the porch light.', toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'porch light' } }] });
    const tools = [{ type: 'function', function: { name: 'HassTurnOn', parameters: { type: 'object', properties: {} } } }];
    const { parts, error } = await collect(r.client.stream({ ...ask('turn on the porch light'), tools }, { gather: rule((t) => t === 'Sure') }));
    assert.equal(error, null);
    assert.deepEqual(texts(parts), ['Sure', ', turning on the porch light.']);
    assert.deepEqual(types(parts), ['text-delta', 'tool-call-delta', 'tool-call', 'usage', 'finish']);
  });

  /** Reads the text of an answer that stalls after three tokens, aborting the call once `stopAt` says so. */
  async function readStalled(gather: TextGathering, stopAt: (text: string) => boolean) {
    r.sim.enqueue({ fault: { kind: 'stall', afterTokens: 3 } });
    const stop = new AbortController();
    const seen: string[] = [];
    try {
      for await (const part of r.client.stream(ask('x'), { signal: stop.signal, gather })) {
        if (part.type !== 'text-delta') continue;
        seen.push(part.text);
        if (stopAt(part.text)) stop.abort();
      }
    } catch (error) {
      return { seen, error };
    }
    return { seen, error: null };
  }

  it('passes held text on when the window closes while the model is silent', async () => {
    // The model is stalled for good: the second delta can only have come from the window closing.
    const { seen, error } = await readStalled(rule((t) => t === 'One', 20), (t) => t === ' two three');
    assert.deepEqual(seen, ['One', ' two three']);
    assert.ok(error instanceof LlmError && error.code === 'aborted', String(error));
  });

  it('a reader that leaves takes nothing more: text held then is dropped with the request', async () => {
    const { seen, error } = await readStalled(rule((t) => t === 'One'), () => true);
    assert.deepEqual(seen, ['One']);
    assert.ok(error instanceof LlmError && error.code === 'aborted', String(error));
    await r.sim.settled();
    assert.equal(r.sim.records.at(-1)!.closedBy, 'client-closed');
  });

  it('an answer cut at its bound passes its held text on before the finish', async () => {
    const tight = createLlmClient(clientOptions(r.sim, { maxTokens: 1_000_000, maxAnswerChars: 1000, maxRetries: 0 }));
    try {
      r.sim.enqueue({ fault: { kind: 'runaway', chars: 8_000_000 } });
      const { parts, error } = await collect(tight.stream(ask('x'), { gather: rule(() => false) }));
      assert.equal(error, null);
      assert.equal(texts(parts).length, 1);
      assert.equal(texts(parts)[0]!.length, 1000);
      const finish = parts.at(-1);
      assert.ok(finish?.type === 'finish' && finish.cut === 'max_answer_chars', JSON.stringify(finish));
    } finally {
      await tight.close();
    }
  });
});
