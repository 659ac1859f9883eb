/**
 * Client tools on `/v1/chat/completions`, as Home Assistant's OpenAI-compatible custom integrations
 * call it (`tools`, `parallel_tool_calls`): the official `openai` client gets the model's calls as
 * streamed `tool_calls` deltas, sends the results back, and gets the answer; the simulated home is
 * never touched; a failed turn is an error, not an answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { HOME_TOOLS } from '../../src/agents/home-tools.js';
import { HA_SYSTEM_PROMPT, HA_TOOLS } from '../support/ha-ollama.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

const TOOLS = HA_TOOLS as ChatCompletionTool[];

describe('OpenAI-compatible endpoint with client tools', () => {
  let h: RealHarness;
  let client: OpenAI;
  before(async () => {
    h = await startRealHarness({ LLM_MAX_RETRIES: '0' });
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await h?.close();
  });
  const homeState = async () => JSON.stringify(await h.runtime.home.listEntities());
  const lastModelRequest = () => h.simulator.records.at(-1)!.body as { messages: Record<string, any>[]; tools?: unknown[] };

  it('streams parallel tool calls as tool_calls deltas, then answers from their results', async () => {
    const before = await homeState();
    h.simulator.enqueue({
      toolCalls: [
        { name: 'HassTurnOn', arguments: { name: 'Kitchen Light', domain: ['light'] } },
        { name: 'HassTurnOff', arguments: { area: 'Bedroom' } },
      ],
    });
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: HA_SYSTEM_PROMPT },
      { role: 'user', content: 'turn on the kitchen light and turn off the bedroom' },
    ];
    const stream = await client.chat.completions.create({ model: 'barnabee', messages, tools: TOOLS, parallel_tool_calls: true, stream: true });
    const calls: { id: string; name: string; args: string }[] = [];
    let deltas = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice?.finish_reason ?? finish;
      for (const d of choice?.delta.tool_calls ?? []) {
        deltas++;
        const c = (calls[d.index] ??= { id: '', name: '', args: '' });
        c.id ||= d.id ?? '';
        c.name += d.function?.name ?? '';
        c.args += d.function?.arguments ?? '';
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(deltas, 2);
    assert.deepEqual(
      calls.map((c) => [c.name, JSON.parse(c.args)]),
      [
        ['HassTurnOn', { name: 'Kitchen Light', domain: ['light'] }],
        ['HassTurnOff', { area: 'Bedroom' }],
      ],
    );
    assert.ok(calls.every((c) => c.id), 'every call has an id');
    assert.equal(await homeState(), before, 'the simulated home is never touched for a request with client tools');

    messages.push(
      { role: 'assistant', content: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.args } })) },
      { role: 'tool', tool_call_id: calls[1]!.id, content: '{"success": true}' },
      { role: 'tool', tool_call_id: calls[0]!.id, content: '{"success": true}' },
    );
    const done = await client.chat.completions.create({ model: 'barnabee', messages, tools: TOOLS });
    assert.equal(done.choices[0]!.message.content, 'Done.');
    assert.equal(done.choices[0]!.finish_reason, 'stop');
    const sent = lastModelRequest().messages;
    assert.deepEqual(
      sent.filter((m) => m.role === 'tool').map((m) => m.tool_call_id),
      [calls[1]!.id, calls[0]!.id],
    );
    assert.equal(await homeState(), before);
  });

  it('the simulated home stays as it was after "turn on the kitchen lights" with tools, non-streaming', async () => {
    const before = await homeState();
    const r = await client.chat.completions.create({ model: 'barnabee', messages: [{ role: 'user', content: 'turn on the kitchen lights' }], tools: TOOLS });
    const call = r.choices[0]!.message.tool_calls![0]!;
    assert.equal(call.type, 'function');
    assert.equal(call.type === 'function' && call.function.name, 'HassTurnOn');
    assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(r.choices[0]!.message.content, 'Sure, turning on the kitchen lights.', 'the text the model wrote before its call');
    assert.equal(await homeState(), before);
    // Without tools the same words drive Barnabee's own (simulated) home.
    const own = await client.chat.completions.create({ model: 'barnabee', messages: [{ role: 'user', content: 'turn on the kitchen lights' }] });
    assert.equal(own.choices[0]!.message.tool_calls, undefined);
    assert.notEqual(await homeState(), before);
  });

  it("without the client's tools, its earlier tool turns reach the model as their text only (the model gets Barnabee's home tools)", async () => {
    await client.chat.completions.create({
      model: 'barnabee',
      messages: [
        { role: 'user', content: 'switch it on' },
        { role: 'assistant', content: 'Switching.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'HassTurnOn', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        { role: 'user', content: 'tell me a story' },
      ],
    });
    const sent = lastModelRequest();
    assert.deepEqual(
      sent.tools?.map((t) => (t as { function: { name: string } }).function.name),
      HOME_TOOLS.map((t) => t.function.name),
    );
    assert.ok(sent.messages.every((m) => m.role !== 'tool' && !m.tool_calls));
    assert.ok(sent.messages.some((m) => m.role === 'assistant' && m.content === 'Switching.'));
  });

  it('a model failure is an HTTP error before the stream, an error event during it', async () => {
    h.simulator.enqueue({ fault: { kind: 'status', status: 503 } });
    await assert.rejects(
      client.chat.completions.create({ model: 'barnabee', messages: [{ role: 'user', content: 'tell me a story' }], stream: true }),
      (e: any) => e instanceof OpenAI.APIError && e.status === 502,
    );
    h.simulator.enqueue({ fault: { kind: 'reset', afterTokens: 3 } });
    let text = '';
    await assert.rejects(async () => {
      const s = await client.chat.completions.create({ model: 'barnabee', messages: [{ role: 'user', content: 'tell me a story' }], stream: true });
      for await (const c of s) text += c.choices[0]?.delta.content ?? '';
    }, OpenAI.APIError);
    assert.ok(text.length > 0 && !/sorry/i.test(text), 'the text so far is the model\'s, and no apology follows it');
  });
});
