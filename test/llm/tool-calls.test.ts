/** Tool calls: the pure assembler, and the client assembling the simulator's streamed calls over real sockets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LlmError, MAX_TOOL_CALLS, ToolCallAssembler, type StreamPart } from '../../src/llm/index.js';
import { collect, rig, type Rig } from '../support/llm-sim.js';

type Delta = Extract<StreamPart, { type: 'tool-call-delta' }>;
const d = (index: number, args: string, extra: Partial<Delta> = {}): Delta => ({ type: 'tool-call-delta', index, arguments: args, ...extra });

function assemble(deltas: Delta[]) {
  const a = new ToolCallAssembler('m', 'gen');
  for (const x of deltas) a.push(x);
  return a.finish();
}

const malformed = (e: unknown) => e instanceof LlmError && e.code === 'malformed_tool_call' && !e.retryable;

describe('tool-call assembler', () => {
  it('joins arguments split across many pieces, keeping id and name from the first', () => {
    const calls = assemble([d(0, '', { id: 'call_a', name: 'HassTurnOn' }), d(0, '{"na'), d(0, 'me": "kit'), d(0, 'chen"'), d(0, '}')]);
    assert.deepEqual(calls, [{ id: 'call_a', name: 'HassTurnOn', arguments: { name: 'kitchen' } }]);
  });

  it('keeps parallel calls apart when their pieces interleave, in the order they began', () => {
    const calls = assemble([
      d(0, '{"a":', { id: 'c0', name: 'one' }),
      d(1, '{"b":', { id: 'c1', name: 'two' }),
      d(1, '2}'),
      d(0, '1}'),
    ]);
    assert.deepEqual(calls, [
      { id: 'c0', name: 'one', arguments: { a: 1 } },
      { id: 'c1', name: 'two', arguments: { b: 2 } },
    ]);
  });

  it('a new id at the same index starts a new call (providers that number every call 0)', () => {
    const calls = assemble([d(0, '{}', { id: 'x', name: 'one' }), d(0, '{"k":true}', { id: 'y', name: 'two' })]);
    assert.deepEqual(
      calls.map((c) => [c.id, c.name, c.arguments]),
      [
        ['x', 'one', {}],
        ['y', 'two', { k: true }],
      ],
    );
  });

  it('empty arguments are {}, a missing id is made up, a repeated name is not doubled', () => {
    const calls = assemble([d(0, '', { name: 'GetLiveContext' }), d(0, '', { name: 'GetLiveContext' })]);
    assert.deepEqual(calls, [{ id: 'call_gen_0', name: 'GetLiveContext', arguments: {} }]);
  });

  it('arguments that are not a JSON object, or a call without a name, make a broken call: error set, no arguments', () => {
    const broken = (deltas: Delta[]) => {
      const [call, ...rest] = assemble(deltas);
      assert.equal(rest.length, 0);
      assert.deepEqual(call!.arguments, {});
      assert.ok(call!.error, 'the call says what is wrong');
      return call!;
    };
    assert.match(broken([d(0, '{"name": "kit', { id: 'a', name: 'f' })]).error!, /not valid JSON/);
    assert.match(broken([d(0, '[1,2]', { id: 'a', name: 'f' })]).error!, /not a JSON object/);
    assert.match(broken([d(0, '"text"', { id: 'a', name: 'f' })]).error!, /not a JSON object/);
    assert.match(broken([d(0, '{}', { id: 'a' })]).error!, /no function name/);
    // A broken call does not spoil the good one beside it.
    const both = assemble([d(0, '{"a":', { id: 'x', name: 'one' }), d(1, '{"b":2}', { id: 'y', name: 'two' })]);
    assert.deepEqual(both.map((c) => [c.name, c.arguments, Boolean(c.error)]), [['one', {}, true], ['two', { b: 2 }, false]]);
  });

  it('bounds the number of calls and the size of their arguments', () => {
    const a = new ToolCallAssembler();
    assert.throws(() => {
      for (let i = 0; i <= MAX_TOOL_CALLS; i++) a.push(d(i, '{}', { id: `c${i}`, name: 'f' }));
    }, malformed);
    const b = new ToolCallAssembler();
    b.push(d(0, '{"x":"', { id: 'a', name: 'f' }));
    assert.throws(() => {
      for (let i = 0; i < 100; i++) b.push(d(0, 'y'.repeat(4096)));
    }, malformed);
  });
});

describe('llm client: tool calls from the simulator', () => {
  let r: Rig;
  before(async () => {
    r = await rig();
  });
  after(() => r.close());

  const tools = [
    { type: 'function', function: { name: 'HassTurnOn', parameters: { type: 'object', properties: { name: { type: 'string' }, area: { type: 'string' } } } } },
    { type: 'function', function: { name: 'HassTurnOff', parameters: { type: 'object', properties: { name: { type: 'string' } } } } },
  ];

  it('streams a named tool call in many pieces, then the whole call before usage and finish', async () => {
    const { parts, error } = await collect(r.client.stream({ messages: [{ role: 'user', content: 'please turn on the kitchen lights' }], tools }));
    assert.equal(error, null);
    const deltas = parts.filter((p) => p.type === 'tool-call-delta');
    assert.ok(deltas.length > 3, 'the arguments arrive split');
    const calls = parts.filter((p) => p.type === 'tool-call');
    assert.deepEqual(
      calls.map((c) => [c.name, c.arguments]),
      [['HassTurnOn', { area: 'kitchen' }]],
    );
    assert.deepEqual(parts.slice(-3).map((p) => p.type), ['tool-call', 'usage', 'finish']);
    const finish = parts.at(-1) as Extract<StreamPart, { type: 'finish' }>;
    assert.equal(finish.reason, 'tool_calls');
    // Demo mode says what it is doing first, in the same message, as real models do.
    const firstCall = parts.findIndex((p) => p.type === 'tool-call-delta');
    assert.ok(parts.findIndex((p) => p.type === 'text-delta') < firstCall);
    assert.equal(parts.slice(firstCall).some((p) => p.type === 'text-delta'), false);
  });

  it('scripted parallel calls arrive whole and in order; a tool result gets a text answer', async () => {
    r.sim.enqueue({ toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'a' } }, { name: 'HassTurnOff', arguments: { name: 'b' } }] });
    const first = await collect(r.client.stream({ messages: [{ role: 'user', content: 'do both' }], tools }));
    const calls = first.parts.filter((p) => p.type === 'tool-call');
    assert.deepEqual(calls.map((c) => c.name), ['HassTurnOn', 'HassTurnOff']);
    assert.notEqual(calls[0]!.id, calls[1]!.id);

    const second = await collect(
      r.client.stream({
        messages: [
          { role: 'user', content: 'do both' },
          { role: 'assistant', content: '', tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } })) },
          { role: 'tool', content: 'Turned on a.', tool_call_id: calls[0]!.id },
          { role: 'tool', content: 'Turned off b.', tool_call_id: calls[1]!.id },
        ],
        tools,
      }),
    );
    assert.equal(second.text, 'Turned on a, and turned off b.');
    assert.equal(second.parts.some((p) => p.type === 'tool-call'), false);
  });

  it('no tool is called when none is named, and a malformed scripted call arrives broken, the stream intact', async () => {
    const plain = await collect(r.client.stream({ messages: [{ role: 'user', content: 'tell me a joke' }], tools }));
    assert.equal(plain.parts.some((p) => p.type === 'tool-call'), false);
    assert.ok(plain.text.length > 0);

    r.sim.enqueue({ toolCalls: [{ name: 'HassTurnOn', arguments: '{"name": ' }] });
    const broken = await collect(r.client.stream({ messages: [{ role: 'user', content: 'x' }], tools }));
    assert.equal(broken.error, null);
    const call = broken.parts.find((p) => p.type === 'tool-call')!;
    assert.equal(call.name, 'HassTurnOn');
    assert.deepEqual(call.arguments, {});
    assert.match(call.error ?? '', /not valid JSON/);
    assert.equal(broken.parts.at(-1)!.type, 'finish');
  });

  it('a non-streamed answer carries the calls too', async () => {
    r.sim.enqueue({ ignoreStream: true, toolCalls: [{ name: 'HassTurnOff', arguments: { name: 'porch' } }] });
    const { parts, error } = await collect(r.client.stream({ messages: [{ role: 'user', content: 'x' }], tools }));
    assert.equal(error, null);
    assert.deepEqual(
      parts.filter((p) => p.type === 'tool-call').map((c) => [c.name, c.arguments]),
      [['HassTurnOff', { name: 'porch' }]],
    );
  });
});
