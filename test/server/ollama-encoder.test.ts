/** The Ollama encoder on turns the runner really makes (scripted agents): which lines each turn becomes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OllamaEncoder } from '../../src/server/encoders/ollama.js';
import { runTurn, type AgentPart, type TurnEvent } from '../../src/turn/index.js';
import { fixedRouter, scriptedAgent } from '../support/turn-fixtures.js';

async function turn(parts: AgentPart[]): Promise<TurnEvent[]> {
  const agent = scriptedAgent('interaction', parts);
  const events: TurnEvent[] = [];
  for await (const e of runTurn({ text: 'hi' }, new AbortController().signal, {
    router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }),
    agents: { instant: agent, action: agent, interaction: agent },
    history: () => [],
  })) events.push(e);
  return events;
}

function lines(events: TurnEvent[]) {
  const enc = new OllamaEncoder('barnabee', 'chat', true);
  const out = events.flatMap((e) => enc.encode(e)).map((l) => {
    assert.ok(l.endsWith('\n') && !l.slice(0, -1).includes('\n'), 'one JSON object a line');
    return JSON.parse(l) as Record<string, any>;
  });
  return { out, failure: enc.failure };
}

const APOLOGY = "Sorry, I couldn't get an answer just now. Please try again.";
const failure = { type: 'error', code: 'llm_upstream_error', message: 'HTTP 500 from upstream', retryable: true } as const;

describe('Ollama encoder', () => {
  it('a one-piece answer: its line, then the final line', async () => {
    const { out, failure: f } = lines(await turn([{ type: 'chunk', text: 'It is noon.', done: true }]));
    assert.equal(f, undefined);
    assert.deepEqual(out.map((l) => [l.message.content, l.done]), [['It is noon.', false], ['', true]]);
    assert.equal(out[1]!.done_reason, 'stop');
  });

  it('a failure before any text: no line at all (the route answers an HTTP error), the apology never shows', async () => {
    const { out, failure: f } = lines(await turn([{ type: 'chunk', text: APOLOGY, done: true }, failure]));
    assert.deepEqual(out, []);
    assert.equal(f?.message, 'HTTP 500 from upstream');
  });

  it('a failure after text: the text, then one line holding only the error', async () => {
    const { out } = lines(await turn([{ type: 'chunk', text: 'Once upon', done: false }, { type: 'chunk', text: '', done: true }, failure]));
    assert.deepEqual(out, [out[0], { error: 'HTTP 500 from upstream' }]);
    assert.equal(out[0]!.message.content, 'Once upon');
  });

  it('tool calls: one line each with object arguments and their index, then the final line', async () => {
    const { out } = lines(
      await turn([
        { type: 'tool_call', id: 'c1', name: 'HassTurnOn', arguments: { name: 'Kitchen Light' } },
        { type: 'tool_call', id: 'c2', name: 'GetLiveContext', arguments: {} },
        { type: 'chunk', text: '', done: true },
      ]),
    );
    assert.deepEqual(
      out.slice(0, 2).map((l) => l.message.tool_calls),
      [[{ id: 'c1', function: { index: 0, name: 'HassTurnOn', arguments: { name: 'Kitchen Light' } } }], [{ id: 'c2', function: { index: 1, name: 'GetLiveContext', arguments: {} } }]],
    );
    assert.equal(out[2]!.done, true);
  });

  it('stream: false: one object with the whole text and the calls', async () => {
    const events = await turn([
      { type: 'chunk', text: 'On ', done: false },
      { type: 'tool_call', id: 'c1', name: 'HassTurnOn', arguments: {} },
      { type: 'chunk', text: 'it', done: false },
      { type: 'chunk', text: '', done: true },
      { type: 'usage', model: 'm', prompt_tokens: 10, completion_tokens: 3, cost_usd: null },
    ]);
    const enc = new OllamaEncoder('barnabee', 'chat', false);
    assert.deepEqual(events.flatMap((e) => enc.encode(e)), []);
    const whole = enc.whole(events.at(-1) as Extract<TurnEvent, { type: 'turn.end' }>);
    assert.equal((whole.message as any).content, 'On it');
    assert.equal((whole.message as any).tool_calls.length, 1);
    assert.equal(whole.prompt_eval_count, 10);
    assert.equal(whole.eval_count, 3);
  });
});
