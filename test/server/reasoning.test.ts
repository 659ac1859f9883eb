/**
 * Thinking, live: a reasoning model's thoughts stream as `reasoning` events before the answer, are
 * never spoken and never part of the text or the history; `first_reasoning_ms` is in the metrics and
 * `ttft_ms` counts to the first answer token. The OpenAI endpoint carries them as `reasoning_content`,
 * the Ollama one as `message.thinking`. Real runtime in demo mode, official clients.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { postJson, readNdjson } from '../support/server-clients.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

const THOUGHT = 'Hmm, tides come from the moon pulling on the oceans, mention that first.';
const ANSWER = 'Tides rise and fall because the moon pulls on the oceans. The sun helps a little too.';

describe('reasoning events', () => {
  let h: RealHarness;
  before(async () => {
    h = await startRealHarness();
  });
  after(() => h.close());
  const thinking = () => h.simulator.enqueue({ text: ANSWER, reasoning: THOUGHT, ttftMs: 5, tokensPerSecond: 400 });

  it('stream before the answer, are never spoken, and stay out of the text and the history', async () => {
    thinking();
    const events = await readNdjson(await postJson(`${h.url}/api/v1/chat/events`, { text: 'why are there tides', speak: true }));
    const reasoning = events.filter((e) => e.type === 'reasoning');
    assert.equal(reasoning.map((e) => e.text).join(''), THOUGHT);
    const firstChunk = events.findIndex((e) => e.type === 'chunk' && e.text);
    assert.ok(events.findIndex((e) => e.type === 'reasoning') < firstChunk, 'thinking comes first');
    const end = events.at(-1)!;
    assert.equal(end.type, 'turn.end');
    assert.equal(end.text, ANSWER);
    assert.ok(!events.filter((e) => e.type === 'speech.start').some((e) => /moon pulling|mention that/.test(e.text)), 'no thought is spoken');
    assert.equal(typeof end.metrics.first_reasoning_ms, 'number');
    assert.ok(end.metrics.first_reasoning_ms <= end.metrics.first_chunk_ms);
    const history = await h.runtime.store!.history(events[0].conversation_id, 8);
    assert.ok(!JSON.stringify(history).includes('mention that'));
  });

  it('ttft_ms counts to the first answer token, not the first thought', async () => {
    // 40 tokens/s: the thought's tokens alone take well over 250 ms before the answer's first token.
    h.simulator.enqueue({ text: ANSWER, reasoning: THOUGHT, ttftMs: 5, tokensPerSecond: 40 });
    const end = (await readNdjson(await postJson(`${h.url}/api/v1/chat/events`, { text: 'why are there tides' }))).at(-1)!;
    assert.ok(end.metrics.ttft_ms >= 250, `ttft ${end.metrics.ttft_ms} ms`);
    assert.ok(end.metrics.first_reasoning_ms < end.metrics.first_chunk_ms);
  });

  it('reach OpenAI clients as reasoning_content, beside the content', async () => {
    thinking();
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'none' });
    const stream = await openai.chat.completions.create({ model: 'barnabee', stream: true, messages: [{ role: 'user', content: 'why are there tides' }] });
    let content = '';
    let thoughts = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      thoughts += delta?.reasoning_content ?? '';
    }
    assert.equal(content, ANSWER);
    assert.equal(thoughts, THOUGHT);
  });

  it('reach Ollama clients as message.thinking', async () => {
    thinking();
    const ollama = new Ollama({ host: h.url });
    let content = '';
    let thoughts = '';
    for await (const part of await ollama.chat({ model: 'barnabee', stream: true, messages: [{ role: 'user', content: 'why are there tides' }] })) {
      content += part.message.content;
      thoughts += (part.message as { thinking?: string }).thinking ?? '';
    }
    assert.equal(content, ANSWER);
    assert.equal(thoughts, THOUGHT);
  });
});
