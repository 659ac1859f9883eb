/**
 * Text that need not leave at once is gathered into fewer `chunk` events (RunTurnDeps.gatherMs,
 * STREAM_BATCH_MS; docs/protocol.md "When events leave"). A window far longer than any test makes
 * every release here the work of an event, not of the clock, except where the window closing is
 * what is tested.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTurn, type EventOf, type RunTurnDeps, type TurnEvent } from '../../src/turn/index.js';
import { agentsWith, assertWellFormed, collect, fixedRouter, scriptedAgent, type Step } from '../support/turn-fixtures.js';

const chat = { agent: 'interaction', intent: 'chat', confidence: 0.9 } as const;
const LONG = 60_000;

function run(steps: Step[], gatherMs: number, signal = new AbortController().signal, extra: Partial<RunTurnDeps> = {}) {
  const agent = scriptedAgent('interaction', steps);
  return runTurn({ text: 'hi' }, signal, { router: fixedRouter(chat), agents: agentsWith(agent), history: () => [], gatherMs, ...extra });
}

const text = (t: string): Step => ({ type: 'chunk', text: t, done: false });
const chunks = (events: TurnEvent[]) => events.filter((e): e is EventOf<'chunk'> => e.type === 'chunk').map((e) => [e.text, e.done]);
const end = (events: TurnEvent[]) => events.at(-1) as EventOf<'turn.end'>;

describe('runTurn: gathering text that may wait', () => {
  it('sends the first text and the first sentence end (with the text after it) at once, and gathers what follows into the next chunk', async () => {
    const events = await collect(
      run([text('Hello'), text(' there'), text('.'), text(' More'), text(' words'), text(' here.'), text(' And'), text(' more.'), { type: 'chunk', text: '', done: true }], LONG),
    );
    assertWellFormed(events);
    assert.deepEqual(chunks(events), [
      ['Hello', false],
      // Mid-sentence text may wait: it leaves with the sentence's end, which may not.
      [' there.', false],
      [' More', false],
      [' words here. And more.', true],
    ]);
    assert.equal(end(events).text, 'Hello there. More words here. And more.');
    assert.equal(end(events).status, 'completed');
  });

  it('sends gathered text ahead of any other event, in the order the agent made them', async () => {
    const events = await collect(
      run(
        [
          text('Sure.'),
          text(' Turning'),
          text(' on'),
          text(' the light.'),
          { type: 'action', service: 'light.turn_on', target: 'light.kitchen', ok: true, detail: 'on' },
          text(' Done'),
          text(' now.'),
          { type: 'chunk', text: '', done: true },
        ],
        LONG,
      ),
    );
    assertWellFormed(events);
    assert.deepEqual(
      events.filter((e) => e.type === 'chunk' || e.type === 'action').map((e) => (e.type === 'chunk' ? e.text : `[${e.type}]`)),
      ['Sure.', ' Turning', ' on the light.', '[action]', ' Done now.'],
    );
  });

  it('sends gathered text when its window closes, while the agent is still silent', async () => {
    const stop = new AbortController();
    const seen: TurnEvent[] = [];
    for await (const e of run([text('Hi.'), text(' Yes'), text(' and'), text(' more'), { block: true }], 20, stop.signal)) {
      seen.push(e);
      // The agent is blocked until the abort: this chunk can only have come from the window closing.
      if (e.type === 'chunk' && e.text === ' and more') stop.abort();
    }
    assertWellFormed(seen);
    assert.deepEqual(chunks(seen), [
      ['Hi.', false],
      [' Yes', false],
      [' and more', false],
      ['', true],
    ]);
    assert.equal(end(seen).status, 'cancelled');
  });

  it('keeps gathered text in a cancelled turn: it is sent before the closing chunk and is part of turn.end', async () => {
    const stop = new AbortController();
    const seen: TurnEvent[] = [];
    for await (const e of run([text('Hi.'), text(' Yes'), text(' and'), { block: true }], LONG, stop.signal)) {
      seen.push(e);
      if (e.type === 'chunk' && e.text === ' Yes') setImmediate(() => stop.abort());
    }
    assertWellFormed(seen);
    assert.deepEqual(chunks(seen), [
      ['Hi.', false],
      [' Yes', false],
      [' and', false],
      ['', true],
    ]);
    assert.equal(end(seen).text, 'Hi. Yes and');
    assert.equal(end(seen).status, 'cancelled');
  });

  it('sends gathered text before the error of an agent that fails', async () => {
    const events = await collect(run([text('One.'), text(' Two'), text(' three'), { throw: new Error('model went away') }], LONG));
    assertWellFormed(events);
    assert.deepEqual(chunks(events), [
      ['One.', false],
      [' Two', false],
      [' three', false],
      ['', true],
    ]);
    const error = events.find((e): e is EventOf<'error'> => e.type === 'error');
    assert.equal(error?.code, 'agent_failed');
    assert.ok(events.indexOf(error!) > events.findIndex((e) => e.type === 'chunk' && e.text === ' three'));
    assert.equal(end(events).text, 'One. Two three');
  });

  it('gives the tap every gathered chunk, so the store and the bus see what the client saw', async () => {
    const tapped: TurnEvent[] = [];
    const events = await collect(run([text('A.'), text(' B'), text(' c'), text(' d.'), { type: 'chunk', text: '', done: true }], LONG, undefined, { tap: (e) => void tapped.push(e) }));
    assert.deepEqual(tapped, events);
  });

  it('with a window of 0, hands on every chunk as the agent made it', async () => {
    const steps = [text('A.'), text(' B'), text(' c'), text(' d.'), { type: 'chunk', text: '', done: true } as const];
    const events = await collect(run(steps, 0));
    assert.deepEqual(chunks(events), [
      ['A.', false],
      [' B', false],
      [' c', false],
      [' d.', false],
      ['', true],
    ]);
  });
});
