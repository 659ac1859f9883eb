/**
 * Faults in a turn with home-tool rounds, end to end: the real assistant (runner, store, history),
 * the real model client against the simulator over real HTTP, and the home either simulated or
 * Home Assistant's real backend against a Home Assistant server over a real WebSocket. What the
 * first round's tools did happened: whatever fails after, the turn ends with `turn.end`, says why
 * with an `error` event, and keeps the `action` and `tool_result` events, in the trace and in the
 * history the next turn's model reads. No secret reaches an event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createActionAgent } from '../../src/agents/action.js';
import { createHomeControl } from '../../src/agents/home-control.js';
import { createInteractionAgent } from '../../src/agents/interaction.js';
import { createHomeAssistantBackend, createSimulatedHome, type HomeBackend } from '../../src/agents/home/index.js';
import { createAssistant } from '../../src/assistant.js';
import type { SimScript } from '../../src/llm/index.js';
import { MAX_MALFORMED } from '../../src/llm/chunks.js';
import { openStore, type EventOf, type TurnEvent } from '../../src/turn/index.js';
import { rig, TEST_KEY, type Rig } from '../support/llm-sim.js';
import { startHaServer, type HaServer } from '../support/ha-server.js';
import { assertWellFormed, collect, fixedRouter, scriptedAgent } from '../support/turn-fixtures.js';
import { tempDir } from '../support/turn-store.js';
import { HANG_GUARD_MS, waitUntil } from '../support/wait.js';

let r: Rig;
let ha: HaServer;
before(async () => {
  [r, ha] = await Promise.all([rig({}, { maxRetries: 0 }), startHaServer()]);
});
after(async () => {
  await Promise.all([r.close(), ha.close()]);
});

/** A home that counts the service calls it is asked to make, whatever becomes of them. */
function counted(home: HomeBackend, before?: (entityId: string) => void): HomeBackend & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: home.name,
    calls,
    listEntities: (signal) => home.listEntities(signal),
    callService(domain, service, data, signal) {
      calls.push(`${domain}.${service} ${String(data.entity_id)}`);
      before?.(String(data.entity_id));
      return home.callService(domain, service, data, signal);
    },
  };
}

function setup(t: TestContext, home: HomeBackend) {
  const control = createHomeControl(home);
  const store = openStore(join(tempDir(t), 'faults.db'));
  t.after(() => store.close());
  const assistant = createAssistant({
    router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 0.5 }),
    agents: {
      instant: scriptedAgent('instant', []),
      action: createActionAgent({ control }),
      interaction: createInteractionAgent({ llm: r.client, timeZone: 'UTC', control }),
    },
    store,
    historyTurns: 10,
  });
  return {
    store,
    run: async (text: string) => {
      const events = await collect(assistant.run({ text, conversation_id: 'c1', confirm_scope: 'ws:1' }, new AbortController().signal));
      assertWellFormed(events);
      return events;
    },
  };
}

const end = (events: TurnEvent[]) => events.at(-1) as EventOf<'turn.end'>;
const of = <T extends TurnEvent['type']>(events: TurnEvent[], type: T) => events.filter((e) => e.type === type) as EventOf<T>[];
const lastBody = () => r.sim.records.at(-1)!.body as { messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: { id: string }[] }[] };

/** No event of the turn, and nothing the store kept of it, holds a secret. */
async function assertNoSecret(events: TurnEvent[], store: ReturnType<typeof openStore>, ...secrets: string[]) {
  const kept = JSON.stringify(await store.getTurn(events[0]!.turn_id));
  for (const secret of secrets) {
    assert.ok(!JSON.stringify(events).includes(secret), 'a secret reached an event');
    assert.ok(!kept.includes(secret), 'a secret reached the store');
  }
}

/**
 * The follow-up turn's model request carries the failed turn's tool call and its result: the next
 * answer knows the porch light was turned on.
 */
async function assertHistoryKeeps(s: ReturnType<typeof setup>, results: EventOf<'tool_result'>[]) {
  r.sim.enqueue({ text: 'It is on.' });
  const next = await s.run('is the porch light on?');
  assert.equal(end(next).status, 'completed');
  const messages = lastBody().messages.filter((m) => m.role !== 'system');
  const calls = messages.flatMap((m) => m.tool_calls ?? []).map((c) => c.id);
  assert.deepEqual(calls, results.map((x) => x.id));
  assert.deepEqual(
    messages.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]),
    results.map((x) => [x.id, x.content]),
  );
}

const TURN_ON_PORCH: SimScript = { toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'porch light' } }] };

describe('home tools: the model fails in the second round, after the first round\'s tool ran', () => {
  const FAULTS: [string, SimScript, string][] = [
    ['HTTP 500', { fault: { kind: 'status', status: 500 } }, 'llm_upstream_error'],
    ['a connection reset mid-stream', { text: 'The porch light is on now, and', fault: { kind: 'reset', afterTokens: 3 } }, 'llm_connection_reset'],
    [`a malformed stream (more than ${MAX_MALFORMED} events that are not JSON)`, { text: 'The porch light is on now.', fault: { kind: 'malformed', afterTokens: 2, count: MAX_MALFORMED + 1 } }, 'llm_malformed_event'],
    ['a stream cut short without its end', { text: 'The porch light is on now.', fault: { kind: 'truncate', afterTokens: 2 } }, 'llm_stream_truncated'],
    ['an in-band error chunk', { text: 'The porch light is on now.', fault: { kind: 'error-chunk', afterTokens: 2, status: 502 } }, 'llm_upstream_error'],
  ];
  for (const [name, second, code] of FAULTS) {
    it(`${name}: turn.end failed with ${code}; what the tool did is said, kept, and in the next turn's history`, { timeout: HANG_GUARD_MS }, async (t) => {
      const home = counted(createSimulatedHome());
      const s = setup(t, home);
      r.sim.enqueue(TURN_ON_PORCH, second);
      const events = await s.run('porch light on please');

      assert.deepEqual(home.calls, ['light.turn_on light.porch']);
      const actions = of(events, 'action');
      assert.deepEqual(actions.map((a) => [a.service, a.target, a.ok]), [['light.turn_on', 'light.porch', true]]);
      const results = of(events, 'tool_result');
      assert.deepEqual(results.map((x) => [x.name, x.ok]), [['HassTurnOn', true]]);
      assert.deepEqual(of(events, 'error').map((e) => e.code), [code]);
      assert.equal(end(events).status, 'failed');
      // What was done is said, never "please try again" (a retry would do it twice).
      assert.match(end(events).text, /Okay, I turned on the porch light\. Sorry, I couldn't finish my answer after that\.$/);
      assert.doesNotMatch(end(events).text, /try again/);

      await assertNoSecret(events, s.store, TEST_KEY);
      await assertHistoryKeeps(s, results);
    });
  }

  it(`a few malformed events (up to ${MAX_MALFORMED}) are skipped: the turn completes with the model's answer`, { timeout: HANG_GUARD_MS }, async (t) => {
    const home = counted(createSimulatedHome());
    const s = setup(t, home);
    r.sim.enqueue(TURN_ON_PORCH, { text: 'The porch light is on now.', fault: { kind: 'malformed', afterTokens: 2, count: MAX_MALFORMED } });
    const events = await s.run('porch light on please');
    assert.deepEqual(home.calls, ['light.turn_on light.porch']);
    assert.deepEqual(of(events, 'error'), []);
    assert.equal(end(events).status, 'completed');
    assert.equal(end(events).text, 'The porch light is on now.');
  });
});

describe('home tools: the home fails inside a tool', () => {
  it('Home Assistant loses its connection mid-call: the call that ran is reported, the lost one fails with home_unreachable, the model hears both', { timeout: HANG_GUARD_MS }, async (t) => {
    const backend = createHomeAssistantBackend({ url: ha.url, token: ha.token, timeoutMs: 10_000, reconnectMinMs: 50, reconnectMaxMs: 200, heartbeatMs: 600_000 });
    t.after(() => backend.close?.());
    // The porch light's call is taken by Home Assistant and never answered: the connection goes first.
    const home = counted(backend, (id) => id === 'light.porch' && ha.commandFault({ type: 'call_service', kind: 'silent' }));
    const s = setup(t, home);
    await backend.listEntities();

    r.sim.enqueue({ toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'kettle' } }, { name: 'HassTurnOn', arguments: { name: 'porch light' } }] }, { text: 'The kettle is on; I could not reach the porch light.' });
    const running = s.run('kettle and porch light on');
    await waitUntil(() => ha.commands.some((c) => c.type === 'call_service' && JSON.stringify(c.message).includes('light.porch')), 'the porch light call');
    await ha.stop();
    const events = await running;
    await ha.start();

    assert.deepEqual(home.calls, ['switch.turn_on switch.kettle', 'light.turn_on light.porch']);
    assert.equal(ha.state('switch.kettle')!.state, 'on');
    const actions = of(events, 'action');
    assert.deepEqual(actions.map((a) => [a.target, a.ok]), [['switch.kettle', true], ['light.porch', false]]);
    const results = of(events, 'tool_result');
    assert.deepEqual(results.map((x) => x.ok), [true, false]);
    assert.match(results[1]!.content, /couldn't turn on the porch light: the home system isn't answering/);
    const errors = of(events, 'error');
    assert.deepEqual(errors.map((e) => e.code), ['home_unreachable']);
    // The model answered after the failed call: its second request carried both results.
    const tools = lastBody().messages.filter((m) => m.role === 'tool').map((m) => m.content);
    assert.deepEqual(tools, results.map((x) => x.content));
    assert.equal(end(events).status, 'failed');
    assert.match(end(events).text, /The kettle is on; I could not reach the porch light\./);

    await assertNoSecret(events, s.store, TEST_KEY, ha.token);
    await assertHistoryKeeps(s, results);
  });

  it('a backend that throws (not even rejects) inside a call: the action fails with a generic home_failed, no internals, the turn ends', { timeout: HANG_GUARD_MS }, async (t) => {
    const inner = createSimulatedHome();
    const home: HomeBackend = {
      name: 'simulated',
      listEntities: (signal) => inner.listEntities(signal),
      // Thrown, not even rejected: a backend's bug must not escape the tool either.
      callService: () => {
        throw new TypeError('Cannot read properties of undefined (reading "secret-internal-detail")');
      },
    };
    const s = setup(t, home);
    r.sim.enqueue(TURN_ON_PORCH, { text: 'Sorry, that did not work.' });
    const events = await s.run('porch light on');
    assert.deepEqual(of(events, 'action').map((a) => [a.target, a.ok, a.detail]), [['light.porch', false, 'The home backend failed unexpectedly.']]);
    assert.deepEqual(of(events, 'tool_result').map((x) => x.ok), [false]);
    assert.deepEqual(of(events, 'error').map((e) => e.code), ['home_failed']);
    assert.equal(end(events).status, 'failed');
    await assertNoSecret(events, s.store, 'secret-internal-detail', TEST_KEY);
  });

  it('Home Assistant cannot be reached for a tool: home_unreachable, the model is told in words, the turn ends', { timeout: HANG_GUARD_MS }, async (t) => {
    // A port nothing listens on: the real backend's connection is refused.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const backend = createHomeAssistantBackend({ url: `http://127.0.0.1:${port}`, token: ha.token, timeoutMs: 2_000, reconnectMinMs: 50, reconnectMaxMs: 200, heartbeatMs: 600_000 });
    t.after(() => backend.close?.());
    const s = setup(t, backend);
    r.sim.enqueue(TURN_ON_PORCH, { text: 'I cannot reach Home Assistant.' });
    const events = await s.run('porch light on');
    const [result] = of(events, 'tool_result');
    assert.equal(result!.ok, false);
    assert.match(result!.content, /can't reach Home Assistant right now: the home system isn't answering/);
    assert.doesNotMatch(result!.content, /127\.0\.0\.1|ECONNREFUSED/, 'the model hears the reason in words, not the address');
    assert.deepEqual(of(events, 'error').map((e) => e.code), ['home_unreachable']);
    assert.equal(end(events).status, 'failed');
    assert.equal(end(events).text, 'I cannot reach Home Assistant.');
    await assertNoSecret(events, s.store, TEST_KEY, ha.token);
  });
});
