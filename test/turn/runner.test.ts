import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTurn, TurnCancel, type EventOf, type RunTurnDeps, type TurnEvent } from '../../src/turn/index.js';
import { agentsWith, assertWellFormed, collect, fixedRouter, scriptedAgent, sleep, textSpeech } from '../support/turn-fixtures.js';
import { waitUntil } from '../support/wait.js';

const chat = { agent: 'interaction', intent: 'chat', confidence: 0.9 } as const;

function deps(agent: ReturnType<typeof scriptedAgent>, extra: Partial<RunTurnDeps> = {}): RunTurnDeps {
  return { router: fixedRouter(chat), agents: agentsWith(agent), history: () => [], ...extra };
}

const end = (events: TurnEvent[]) => events.at(-1) as EventOf<'turn.end'>;

describe('runTurn: the event stream', () => {
  it('numbers events 0,1,2… with one turn_id and ends with turn.end completed', async () => {
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'Hello ', done: false },
      { type: 'chunk', text: 'there.', done: false },
      { type: 'chunk', text: '', done: true },
      { type: 'usage', model: 'm', prompt_tokens: 10, completion_tokens: 2, cost_usd: 0.001 },
    ]);
    const events = await collect(runTurn({ text: 'hi', conversation_id: 'c1' }, new AbortController().signal, deps(agent)));
    assertWellFormed(events);
    assert.deepEqual(
      events.map((e) => e.type),
      ['turn.start', 'route', 'chunk', 'chunk', 'chunk', 'usage', 'turn.end'],
    );
    const start = events[0] as EventOf<'turn.start'>;
    assert.equal(start.conversation_id, 'c1');
    assert.equal(start.input, 'hi');
    assert.equal(start.speak, false);
    const route = events[1] as EventOf<'route'>;
    assert.deepEqual([route.agent, route.intent, route.confidence], ['interaction', 'chat', 0.9]);
    assert.ok(route.route_ms >= 0);
    const last = end(events);
    assert.equal(last.status, 'completed');
    assert.equal(last.text, 'Hello there.');
    assert.equal(last.spoken_text, 'Hello there.', 'without speech, spoken_text is the text sent');
    assert.equal(last.metrics.first_audio_ms, null);
    assert.equal(last.metrics.first_chunk_ms, events[2]!.t_ms);
    assert.ok(last.metrics.total_ms >= last.metrics.first_chunk_ms!);
  });

  it('gives the agent the route, the conversation and its history; request context wins over stored history', async () => {
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'ok', done: true }]);
    const stored = [{ role: 'user' as const, content: 'earlier' }];
    const asked: string[] = [];
    const d = deps(agent, { history: (id) => (asked.push(id), stored) });
    await collect(runTurn({ text: 'a', conversation_id: 'c9' }, new AbortController().signal, d));
    await collect(
      runTurn({ text: 'b', conversation_id: 'c9', context: [{ role: 'assistant', content: 'from client' }] }, new AbortController().signal, d),
    );
    assert.deepEqual(asked, ['c9'], 'history is not read when the request brings context');
    assert.deepEqual(agent.runs[0]!.history, stored);
    assert.deepEqual(agent.runs[1]!.history, [{ role: 'assistant', content: 'from client' }]);
    assert.equal(agent.runs[0]!.conversationId, 'c9');
    assert.deepEqual(agent.runs[0]!.route, chat);
  });

  it('makes up a conversation id when the request has none', async () => {
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'ok', done: true }]);
    const events = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(agent)));
    assert.match((events[0] as EventOf<'turn.start'>).conversation_id, /^[0-9a-f-]{36}$/);
  });

  it('turns model.timing into metrics and never emits it', async () => {
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'x', done: true },
      { type: 'model.timing', model: 'm', ttft_ms: 123, tokens_per_s: 45.6 },
    ]);
    const events = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(agent)));
    assertWellFormed(events);
    assert.ok(!events.some((e) => (e.type as string) === 'model.timing'));
    assert.equal(end(events).metrics.ttft_ms, 123);
    assert.equal(end(events).metrics.tokens_per_s, 45.6);
  });

  it('closes the text with a done chunk when an agent forgets, and drops text after done', async () => {
    const forgets = scriptedAgent('interaction', [{ type: 'chunk', text: 'half', done: false }]);
    const a = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(forgets)));
    assertWellFormed(a);
    assert.equal(end(a).text, 'half');

    const chatty = scriptedAgent('interaction', [
      { type: 'chunk', text: 'one', done: true },
      { type: 'chunk', text: 'two', done: true },
    ]);
    const b = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(chatty)));
    assertWellFormed(b);
    assert.equal(end(b).text, 'one');
  });

  it('rejects empty text with a clear error and still ends the turn', async () => {
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'never', done: true }]);
    const events = await collect(runTurn({ text: '   ' }, new AbortController().signal, deps(agent)));
    assertWellFormed(events);
    const error = events.find((e) => e.type === 'error') as EventOf<'error'>;
    assert.equal(error.code, 'bad_request');
    assert.match(error.message, /empty/);
    assert.equal(end(events).status, 'failed');
    assert.equal(agent.runs.length, 0);
  });
});

describe('runTurn: routing', () => {
  it('lets an agent intercept the turn before the router sees it', async () => {
    const action = scriptedAgent('action', [{ type: 'chunk', text: 'Unlocked.', done: true }]);
    action.intercept = (req, id) => (req.text === 'yes' && id === 'c1' ? { agent: 'action', intent: 'lock.confirm', confidence: 1 } : null);
    const router = fixedRouter(chat);
    const events = await collect(
      runTurn({ text: 'yes', conversation_id: 'c1' }, new AbortController().signal, { router, agents: agentsWith(action), history: () => [] }),
    );
    assertWellFormed(events);
    assert.equal((events[1] as EventOf<'route'>).intent, 'lock.confirm');
    assert.deepEqual(router.calls, []);
    assert.equal(end(events).text, 'Unlocked.');
  });

  it("uses the router's refine when it has one", async () => {
    const instant = scriptedAgent('instant', [{ type: 'chunk', text: 'Noon.', done: true }]);
    const router = fixedRouter(chat, async (_text, decision) => {
      await sleep(5);
      return { ...decision, agent: 'instant', intent: 'time.now', confidence: 0.99 };
    });
    const events = await collect(runTurn({ text: 'time?' }, new AbortController().signal, { router, agents: agentsWith(instant), history: () => [] }));
    const route = events[1] as EventOf<'route'>;
    assert.equal(route.intent, 'time.now');
    assert.ok(route.route_ms >= 4, `route_ms ${route.route_ms} includes the refine`);
    assert.equal(end(events).text, 'Noon.');
  });

  it('keeps the rule decision when refine fails, and never refines an intercepted turn', async () => {
    const instant = scriptedAgent('instant', [{ type: 'chunk', text: 'Noon.', done: true }]);
    const failing = fixedRouter(chat, async () => {
      throw new Error('model down');
    });
    const a = await collect(runTurn({ text: 'x' }, new AbortController().signal, { router: failing, agents: agentsWith(instant), history: () => [] }));
    assertWellFormed(a);
    assert.equal((a[1] as EventOf<'route'>).intent, 'chat');
    assert.equal(end(a).status, 'completed');

    let refined = 0;
    const counting = fixedRouter(chat, async (_t, d) => (refined++, d));
    const action = scriptedAgent('action', [{ type: 'chunk', text: 'Done.', done: true }]);
    action.intercept = () => ({ agent: 'action', intent: 'home.confirm', confidence: 1 });
    await collect(runTurn({ text: 'yes' }, new AbortController().signal, { router: counting, agents: agentsWith(action), history: () => [] }));
    assert.equal(refined, 0);
  });

  it('a router that throws fails the turn with an error event', async () => {
    const router = { classify: () => { throw new Error('rules broke'); } };
    const events = await collect(
      runTurn({ text: 'x' }, new AbortController().signal, { router, agents: agentsWith(scriptedAgent('instant', [])), history: () => [] }),
    );
    assertWellFormed(events);
    assert.deepEqual(events.map((e) => e.type), ['turn.start', 'error', 'turn.end']);
    assert.equal(end(events).status, 'failed');
  });
});

describe('runTurn: failures', () => {
  it('an agent that throws before any text: error, then turn.end failed', async () => {
    const agent = scriptedAgent('interaction', [{ throw: new Error('boom with Bearer abc.def-123 inside') }]);
    const events = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(agent)));
    assertWellFormed(events);
    assert.deepEqual(events.map((e) => e.type), ['turn.start', 'route', 'error', 'turn.end']);
    const error = events[2] as EventOf<'error'>;
    assert.equal(error.code, 'agent_failed');
    assert.doesNotMatch(error.message, /abc\.def-123/, 'credentials never reach an event');
    assert.equal(end(events).status, 'failed');
  });

  it('an agent that throws mid-answer: the text so far is closed, then error, then turn.end failed', async () => {
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'Part', done: false }, { throw: new Error('stream broke') }]);
    const events = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(agent)));
    assertWellFormed(events);
    assert.deepEqual(events.map((e) => e.type), ['turn.start', 'route', 'chunk', 'chunk', 'error', 'turn.end']);
    assert.equal(end(events).status, 'failed');
    assert.equal(end(events).text, 'Part');
  });

  it('an error part from the agent marks the turn failed but keeps its apology as the answer', async () => {
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'Sorry, no answer.', done: true },
      { type: 'error', code: 'llm_upstream_error', message: 'upstream 502', retryable: true },
    ]);
    const events = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(agent)));
    assertWellFormed(events);
    assert.equal(end(events).status, 'failed');
    assert.equal(end(events).spoken_text, 'Sorry, no answer.');
  });
});

describe('runTurn: cancellation', () => {
  for (const ignoreAbort of [false, true]) {
    // An agent that ignores the signal blocks forever: the turn can only end because the runner
    // stops waiting for it on abort (how fast is bench/abort.ts's business, not this test's).
    it(`abort mid-stream ends with turn.end cancelled (agent ${ignoreAbort ? 'ignores' : 'honours'} the signal)`, { timeout: 15_000 }, async () => {
      const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'Once upon', done: false }, { block: true }], { ignoreAbort });
      const controller = new AbortController();
      const events: TurnEvent[] = [];
      for await (const e of runTurn({ text: 'story' }, controller.signal, deps(agent))) {
        events.push(e);
        // Later, while the runner is waiting on the blocked agent.
        if (e.type === 'chunk') setTimeout(() => controller.abort(), 20);
      }
      assertWellFormed(events);
      assert.equal(end(events).status, 'cancelled');
      assert.equal(end(events).text, 'Once upon');
      assert.ok(agent.runs[0]!.signal.aborted, "the agent's signal is aborted (closing any upstream request)");
      if (!ignoreAbort) await waitUntil(() => agent.cleanups === 1, "the agent's iterator closed and its cleanup run");
    });
  }

  it('a signal aborted before the turn starts gives start, then turn.end cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'x', done: true }]);
    const events = await collect(runTurn({ text: 'a' }, controller.signal, deps(agent)));
    assertWellFormed(events);
    assert.deepEqual(events.map((e) => e.type), ['turn.start', 'turn.end']);
    assert.equal(end(events).status, 'cancelled');
  });

  it('a cancel that explains itself (TurnCancel with report) becomes an error event before turn.end; a plain one does not', async () => {
    for (const [reason, reported] of [
      [new TurnCancel('client_too_slow', 'The client read too slowly.', true), true],
      [new TurnCancel('barge_in', 'Cancelled by the client.'), false],
    ] as const) {
      const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'Once', done: false }, { block: true }]);
      const controller = new AbortController();
      const tapped: TurnEvent[] = [];
      const events: TurnEvent[] = [];
      for await (const e of runTurn({ text: 'story' }, controller.signal, deps(agent, { tap: (e) => void tapped.push(e) }))) {
        events.push(e);
        if (e.type === 'chunk' && !e.done) controller.abort(reason);
      }
      assertWellFormed(events);
      assert.deepEqual(tapped, events, 'the tap (bus, store) sees exactly what the consumer sees');
      const errors = events.filter((e) => e.type === 'error') as EventOf<'error'>[];
      assert.deepEqual(errors.map((e) => [e.code, e.message]), reported ? [[reason.code, reason.message]] : []);
      assert.equal(end(events).status, 'cancelled');
    }
  });

  it('an abort during a slow refine cancels at once', async () => {
    const controller = new AbortController();
    const router = fixedRouter(chat, () => new Promise(() => {}));
    const agent = scriptedAgent('interaction', []);
    setTimeout(() => controller.abort(), 10);
    const events = await collect(runTurn({ text: 'a' }, controller.signal, { router, agents: agentsWith(agent), history: () => [] }));
    assertWellFormed(events);
    assert.equal(end(events).status, 'cancelled');
  });

  it('a consumer that breaks early closes the agent, and the tap still sees turn.end cancelled', async () => {
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'a', done: false },
      { wait: 5 },
      { type: 'chunk', text: 'b', done: false },
      { block: true },
    ]);
    const tapped: TurnEvent[] = [];
    for await (const e of runTurn({ text: 'a' }, new AbortController().signal, deps(agent, { tap: (e) => void tapped.push(e) }))) {
      if (e.type === 'chunk') break;
    }
    await waitUntil(() => agent.cleanups === 1, "the agent's cleanup");
    assert.ok(agent.runs[0]!.signal.aborted);
    assertWellFormed(tapped);
    assert.equal(end(tapped).status, 'cancelled');
    assert.equal(end(tapped).text, 'a');
  });

  it('a tap that throws changes nothing', async () => {
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'ok', done: true }]);
    const events = await collect(
      runTurn({ text: 'a' }, new AbortController().signal, deps(agent, { tap: () => { throw new Error('observer down'); } })),
    );
    assertWellFormed(events);
    assert.equal(end(events).status, 'completed');
  });
});

describe('runTurn: speech', () => {
  it('runs the agent through the speech stage when asked; spoken_text counts fully sent segments', async () => {
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'First part.', done: false },
      { type: 'chunk', text: 'Second part.', done: false },
      { type: 'chunk', text: '', done: true },
    ]);
    const events = await collect(runTurn({ text: 'a', speak: true }, new AbortController().signal, deps(agent, { speech: textSpeech() })));
    assertWellFormed(events);
    const last = end(events);
    assert.equal(last.spoken_text, 'First part. Second part.');
    assert.equal(last.metrics.first_audio_ms, events.find((e) => e.type === 'audio')!.t_ms);
  });

  it('does not use the speech stage unless the request asks to speak', async () => {
    const agent = scriptedAgent('interaction', [{ type: 'chunk', text: 'Hi.', done: true }]);
    const events = await collect(runTurn({ text: 'a' }, new AbortController().signal, deps(agent, { speech: textSpeech() })));
    assert.ok(!events.some((e) => e.type === 'audio'));
    assert.equal(end(events).metrics.first_audio_ms, null);
  });

  it('after a barge-in, spoken_text holds only what was fully spoken', async () => {
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'Spoken.', done: false },
      { type: 'chunk', text: 'Cut off while speaking.', done: false },
      { type: 'chunk', text: '', done: true },
    ]);
    const controller = new AbortController();
    const events: TurnEvent[] = [];
    for await (const e of runTurn({ text: 'a', speak: true }, controller.signal, deps(agent, { speech: textSpeech(5) }))) {
      events.push(e);
      if (e.type === 'speech.start' && e.segment === 1) controller.abort();
    }
    assertWellFormed(events);
    assert.equal(end(events).status, 'cancelled');
    assert.equal(end(events).text, 'Spoken.Cut off while speaking.');
    assert.equal(end(events).spoken_text, 'Spoken.');
  });
});

describe('runTurn: turn.end waits for the recording', () => {
  const answer = () =>
    scriptedAgent('interaction', [
      { type: 'chunk', text: 'Kept.', done: false },
      { type: 'chunk', text: '', done: true },
    ]);
  /** Turns of the event loop: enough for anything not waiting on something else to have happened. */
  const ticks = async (n = 20) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  it('yields turn.end only once the promise the tap returned for it settles; every other event at once', async () => {
    let commit!: () => void;
    const committed = new Promise<void>((r) => (commit = r));
    const tapped: TurnEvent[] = [];
    const it = runTurn({ text: 'a' }, new AbortController().signal, deps(answer(), {
      tap: (e) => {
        tapped.push(e);
        return e.type === 'turn.end' ? committed : undefined;
      },
    }))[Symbol.asyncIterator]();
    const seen: string[] = [];
    for (let step = await it.next(); !step.done; step = await it.next()) {
      seen.push(step.value.type);
      if (step.value.type === 'chunk' && step.value.done) break;
    }
    assert.deepEqual(seen, ['turn.start', 'route', 'chunk', 'chunk']);
    let ended = false;
    const last = it.next().then((s) => {
      ended = true;
      return s;
    });
    await ticks();
    assert.equal(tapped.at(-1)?.type, 'turn.end', 'the tap has the turn.end');
    assert.equal(ended, false, 'the consumer does not, before the commit');
    commit();
    const step = await last;
    assert.equal(step.done, false);
    assert.equal(step.value!.type, 'turn.end');
    assert.equal((await it.next()).done, true);
  });

  it('a recording that fails still lets turn.end out', async () => {
    const events = await collect(
      runTurn({ text: 'a' }, new AbortController().signal, deps(answer(), { tap: (e) => (e.type === 'turn.end' ? Promise.reject(new Error('disk full')) : undefined) })),
    );
    assert.equal(end(events).status, 'completed');
  });

  it('waits for a history that is a promise, and a barge-in while it waits cancels the turn', async () => {
    let release!: (h: { role: 'user'; content: string }[]) => void;
    const history = new Promise<{ role: 'user'; content: string }[]>((r) => (release = r));
    const agent = answer();
    const controller = new AbortController();
    const running = collect(runTurn({ text: 'a', conversation_id: 'c' }, controller.signal, deps(agent, { history: () => history })));
    await ticks();
    assert.equal(agent.runs.length, 0, 'the agent waits for the history');
    release([{ role: 'user', content: 'earlier' }]);
    assert.equal(end(await running).status, 'completed');
    assert.deepEqual(agent.runs[0]!.history, [{ role: 'user', content: 'earlier' }]);

    const never = new Promise<never>(() => {});
    const cancelled = collect(runTurn({ text: 'b', conversation_id: 'c' }, controller.signal, deps(answer(), { history: () => never })));
    controller.abort();
    assert.equal(end(await cancelled).status, 'cancelled');
  });

  it("a fault of the runner's own ends the turn with an internal error and turn.end, both through the tap", async () => {
    const tapped: TurnEvent[] = [];
    // A router whose decision breaks when read: past the routing step's own error handling.
    const broken = {
      classify: () => ({
        agent: 'interaction' as const,
        confidence: 1,
        get intent(): string {
          throw new Error('router bug with secret sk-or-v1-abcdef');
        },
      }),
    };
    const events = await collect(
      runTurn({ text: 'a' }, new AbortController().signal, { ...deps(answer()), router: broken, tap: (e) => void tapped.push(e) }),
    );
    assertWellFormed(events);
    assert.deepEqual(events.map((e) => e.type), ['turn.start', 'error', 'turn.end']);
    const error = events[1] as EventOf<'error'>;
    assert.deepEqual([error.code, error.message, error.retryable], ['internal', 'The turn ended unexpectedly.', true]);
    assert.equal(end(events).status, 'failed');
    assert.deepEqual(tapped, events, 'the store, the bus and the metrics see what the client sees');
  });
});
