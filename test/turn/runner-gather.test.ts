/**
 * Text that need not leave at once is gathered into fewer `chunk` events (RunTurnDeps.gatherMs,
 * STREAM_BATCH_MS; docs/protocol.md "When events leave"): the runner hands the agent the window and
 * the answer's urgency rule, and the model client holds the text where it is read. A window far
 * longer than any test makes every release here the work of an event, not of the clock, except
 * where the window closing is what is tested.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createInteractionAgent } from '../../src/agents/interaction.js';
import { runTurn, type Agent, type AgentContext, type EventOf, type TurnEvent } from '../../src/turn/index.js';
import { rig, type Rig } from '../support/llm-sim.js';
import { agentsWith, assertWellFormed, collect, fixedRouter } from '../support/turn-fixtures.js';

const chat = { agent: 'interaction', intent: 'chat', confidence: 0.9 } as const;
const LONG = 60_000;
const chunks = (events: TurnEvent[]) => events.filter((e): e is EventOf<'chunk'> => e.type === 'chunk').map((e) => [e.text, e.done]);
const end = (events: TurnEvent[]) => events.at(-1) as EventOf<'turn.end'>;

/** An agent that answers with one chunk and keeps the context it was given. */
function contextKeeper(): Agent & { ctx?: AgentContext } {
  const agent: Agent & { ctx?: AgentContext } = {
    kind: 'interaction',
    async *run(ctx) {
      agent.ctx = ctx;
      yield { type: 'chunk', text: 'ok', done: true };
    },
  };
  return agent;
}

describe('runTurn: gathering text that may wait', () => {
  it("hands the agent the window and the answer's rule: the first text, the first sentence's end and the text after it may not wait", async () => {
    const agent = contextKeeper();
    await collect(runTurn({ text: 'hi' }, new AbortController().signal, { router: fixedRouter(chat), agents: agentsWith(agent), history: () => [], gatherMs: 50 }));
    const gather = agent.ctx!.gather!;
    assert.equal(gather.ms, 50);
    const pieces = ['Hello', ' there', '.', ' More', ' words', ' here.', ' And', ' more.'];
    assert.deepEqual(
      pieces.map((t) => gather.urgent(t)),
      [true, false, true, true, false, false, false, false],
    );
  });

  it('gathers nothing without a window', async () => {
    const agent = contextKeeper();
    await collect(runTurn({ text: 'hi' }, new AbortController().signal, { router: fixedRouter(chat), agents: agentsWith(agent), history: () => [] }));
    assert.equal(agent.ctx!.gather, undefined);
  });

  describe('through the interaction agent and a model over HTTP', () => {
    let r: Rig;
    before(async () => {
      r = await rig({ text: 'Hello there. More words here. And more.' }, { maxRetries: 0 });
    });
    after(() => r.close());
    const turn = (gatherMs: number, signal = new AbortController().signal) =>
      runTurn({ text: 'hi' }, signal, {
        router: fixedRouter(chat),
        agents: agentsWith(createInteractionAgent({ llm: r.client, timeZone: 'UTC' })),
        history: () => [],
        gatherMs,
      });

    it('sends what may not wait at once and gathers what follows into the next chunk', async () => {
      const events = await collect(turn(LONG));
      assertWellFormed(events);
      assert.deepEqual(chunks(events), [
        ['Hello', false],
        // Mid-sentence text may wait: it leaves with the sentence's end, which may not.
        [' there.', false],
        [' More', false],
        [' words here. And more.', false],
        ['', true],
      ]);
      assert.equal(end(events).text, 'Hello there. More words here. And more.');
      assert.equal(end(events).status, 'completed');
    });

    it('sends every token as a chunk of its own with a window of 0', async () => {
      const events = await collect(turn(0));
      // Ten tokens (Hello·there·.·More·words·here·.·And·more·.) and the closing chunk.
      assert.equal(chunks(events).length, 11);
      assert.equal(end(events).text, 'Hello there. More words here. And more.');
    });

    it('sends gathered text when its window closes, while the model is silent', async () => {
      r.sim.enqueue({ fault: { kind: 'stall', afterTokens: 6 } });
      const stop = new AbortController();
      const seen: TurnEvent[] = [];
      for await (const e of turn(20, stop.signal)) {
        seen.push(e);
        // The model is stalled for good: this chunk can only have come from the window closing.
        if (e.type === 'chunk' && e.text === ' words here') stop.abort();
      }
      assertWellFormed(seen);
      assert.deepEqual(chunks(seen), [
        ['Hello', false],
        [' there.', false],
        [' More', false],
        [' words here', false],
        ['', true],
      ]);
      assert.equal(end(seen).status, 'cancelled');
      assert.equal(end(seen).text, 'Hello there. More words here');
    });
  });
});
