/**
 * Tool calls the way real models stream them, through the real model client over HTTP: from the
 * simulator (chosen by the fault language in the model name, as demo mode and other processes
 * can) and from recorded OpenRouter bodies replayed byte for byte.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmError, type ChatMessage, type StreamPart } from '../../../src/llm/index.js';
import { collect, recorded, rig, type Rig } from '../../support/llm-sim.js';

type Part<T extends StreamPart['type']> = Extract<StreamPart, { type: T }>;
const of = <T extends StreamPart['type']>(parts: StreamPart[], type: T) => parts.filter((p): p is Part<T> => p.type === type);

const str = { type: 'string' };
const tool = (name: string, properties: Record<string, unknown> = {}) => ({ type: 'function', function: { name, parameters: { type: 'object', properties } } });
/** Home tools shaped like Home Assistant's Assist API. */
const tools = [
  tool('HassTurnOn', { name: str, area: str, domain: { type: 'array', items: str }, device_class: { type: 'array', items: str } }),
  tool('HassTurnOff', { name: str, area: str, domain: { type: 'array', items: str }, device_class: { type: 'array', items: str } }),
  tool('HassLightSet', { name: str, area: str, brightness: { type: 'integer', minimum: 0, maximum: 100 }, color: str }),
  tool('HassClimateSetTemperature', { name: str, area: str, temperature: { type: 'number' } }),
  tool('HassGetState', { name: str, area: str, domain: { type: 'array', items: str }, state: str }),
  tool('GetLiveContext'),
];
const porch = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'turn on the porch light' }], tools });
/** The next round of a conversation: the model's calls and their results. */
function afterCalls(calls: Part<'tool-call'>[], results: string[]): ChatMessage[] {
  return [
    { role: 'user', content: 'turn on the porch light' },
    { role: 'assistant', content: '', tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) },
    ...calls.map((c, i) => ({ role: 'tool' as const, content: results[i] ?? '', tool_call_id: c.id })),
  ];
}

describe('simulator: tool calls as models stream them', () => {
  let r: Rig;
  before(async () => {
    r = await rig();
  });
  after(() => r.close());

  it('a call whose arguments come in 20 deltas comes out as exactly one tool-call part', async () => {
    const { parts, error } = await collect(r.client.stream(porch('sim/tool-split:20')));
    assert.equal(error, null);
    const deltas = of(parts, 'tool-call-delta');
    assert.equal(deltas.filter((d) => d.name === undefined).length, 20, 'twenty argument deltas after the one with the name');
    assert.deepEqual(
      of(parts, 'tool-call').map((c) => [c.name, c.arguments]),
      [['HassTurnOn', { name: 'porch light' }]],
    );
  });

  it('the text before the call arrives as text-delta parts before the call, then finish_reason tool_calls', async () => {
    const { parts, text } = await collect(r.client.stream(porch('sim/demo')));
    assert.equal(text, 'Sure, turning on the porch light.');
    const lastText = parts.findLastIndex((p) => p.type === 'text-delta');
    assert.ok(lastText >= 0 && lastText < parts.findIndex((p) => p.type === 'tool-call-delta'));
    assert.equal(of(parts, 'finish')[0]!.reason, 'tool_calls');
    // Silent when told: only the call.
    const silent = await collect(r.client.stream(porch('sim/tool-silent')));
    assert.equal(silent.text, '');
    assert.equal(of(silent.parts, 'tool-call').length, 1);
  });

  it('two commands joined by "and" are two parallel calls, at two indexes', async () => {
    const request = { messages: [{ role: 'user' as const, content: 'turn off the porch light and set the bedroom lights to 40 percent' }], tools };
    const { parts } = await collect(r.client.stream(request));
    assert.deepEqual(new Set(of(parts, 'tool-call-delta').map((d) => d.index)), new Set([0, 1]));
    assert.deepEqual(
      of(parts, 'tool-call').map((c) => [c.name, c.arguments]),
      [
        ['HassTurnOff', { name: 'porch light' }],
        ['HassLightSet', { area: 'bedroom', brightness: 40 }],
      ],
    );
  });

  it('tool-parallel makes two calls from one command; tool-index0 numbers both 0 with different ids and they still come out as two', async () => {
    const parallel = await collect(r.client.stream(porch('sim/tool-parallel')));
    const calls = of(parallel.parts, 'tool-call');
    assert.equal(calls.length, 2);
    assert.notEqual(calls[0]!.id, calls[1]!.id);

    const zero = await collect(r.client.stream(porch('sim/tool-parallel:3+tool-index0')));
    assert.deepEqual(new Set(of(zero.parts, 'tool-call-delta').map((d) => d.index)), new Set([0]));
    const zeroCalls = of(zero.parts, 'tool-call');
    assert.equal(zeroCalls.length, 3);
    assert.equal(new Set(zeroCalls.map((c) => c.id)).size, 3);
  });

  it('malformed arguments arrive as a broken call (error set, no arguments); the stream itself ends well', async () => {
    const { parts, error } = await collect(r.client.stream(porch('sim/tool-malformed')));
    assert.equal(error, null);
    const [call, ...more] = of(parts, 'tool-call');
    assert.equal(more.length, 0);
    assert.deepEqual(call!.arguments, {});
    assert.match(call!.error ?? '', /not valid JSON|not a JSON object/);
    assert.equal(parts.at(-1)!.type, 'finish');
  });

  it('after a tool result, demo mode answers from it in one sentence; the loop fault calls again instead', async () => {
    const first = of((await collect(r.client.stream(porch('sim/demo')))).parts, 'tool-call');
    const messages = afterCalls(first, [JSON.stringify({ success: true, name: 'Porch Light', state: 'on' })]);
    const answer = await collect(r.client.stream({ model: 'sim/demo', messages, tools }));
    assert.equal(answer.text, 'Porch Light is now on.');
    assert.equal(of(answer.parts, 'tool-call').length, 0);
    assert.equal(of(answer.parts, 'finish')[0]!.reason, 'stop');

    const failed = await collect(r.client.stream({ model: 'sim/demo', messages: afterCalls(first, ['{"error":"No device called porch light"}']), tools }));
    assert.equal(failed.text, "Sorry, that didn't work: no device called porch light.");

    // The loop never ends on its own: every round after a result is another call.
    let round = messages;
    for (let i = 0; i < 2; i++) {
      const again = of((await collect(r.client.stream({ model: 'sim/tool-loop', messages: round, tools }))).parts, 'tool-call');
      assert.deepEqual(
        again.map((c) => [c.name, c.arguments]),
        [['HassTurnOn', { name: 'porch light' }]],
      );
      round = [...round, ...afterCalls(again, ['{"success":true}']).slice(1)];
    }
  });

  it('a recorded OpenRouter stream (text, then one call in 20 deltas) parses to the expected parts', async () => {
    r.sim.enqueue({ replay: recorded('openrouter-tool-call.sse') });
    const { parts, text, error } = await collect(r.client.stream(porch('anthropic/claude-haiku-4.5')));
    assert.equal(error, null);
    assert.equal(text, 'Sure, turning on the porch light.');
    assert.equal(of(parts, 'tool-call-delta').length, 21);
    assert.deepEqual(
      parts.filter((p) => p.type !== 'tool-call-delta').map((p) => p.type),
      ['text-delta', 'text-delta', 'text-delta', 'text-delta', 'tool-call', 'usage', 'finish'],
    );
    assert.deepEqual(of(parts, 'tool-call')[0], { type: 'tool-call', id: 'toolu_bdrk_01Hc4vQm8ZsX2nTfKp7RwYeJ', name: 'HassTurnOn', arguments: { name: 'porch light' } });
    const finish = of(parts, 'finish')[0]!;
    assert.equal(finish.reason, 'tool_calls');
    assert.equal(finish.model, 'anthropic/claude-4.5-haiku-20251001');
    assert.equal(finish.generation_id, 'gen-1764683520-Xq3bVn7LpR2sKd9TfW4e');
    assert.equal(of(parts, 'usage')[0]!.usage.cost_usd, 0.001602);
  });

  it('a recorded OpenRouter stream with two parallel calls parses to both', async () => {
    r.sim.enqueue({ replay: recorded('openrouter-parallel-tool-calls.sse') });
    const { parts, text, error } = await collect(r.client.stream(porch('openai/gpt-4o-mini')));
    assert.equal(error, null);
    assert.equal(text, '');
    assert.deepEqual(
      of(parts, 'tool-call').map((c) => [c.id, c.name, c.arguments]),
      [
        ['call_kQ7nR2vXb9LmT4sYp1WcH3dZ', 'HassTurnOff', { name: 'porch light' }],
        ['call_Jx5tN8qWe2RbM7vLc0YfS6hG', 'HassLightSet', { area: 'bedroom', brightness: 40 }],
      ],
    );
    assert.equal(of(parts, 'finish')[0]!.reason, 'tool_calls');
  });
});
