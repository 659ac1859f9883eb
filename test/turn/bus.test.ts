import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventBus, runTurn, type TurnEvent } from '../../src/turn/index.js';
import { agentsWith, collect, fixedRouter, scriptedAgent, sleep } from '../support/turn-fixtures.js';
import { afterImmediate, gate, waitUntil } from '../support/wait.js';

function event(seq: number, turn = 't1'): TurnEvent {
  return { type: 'chunk', text: `${seq}`, done: false, turn_id: turn, seq, t_ms: seq };
}

describe('event bus', () => {
  it('delivers every event to every subscriber in order, after publish has returned', async () => {
    const bus = createEventBus();
    const a: number[] = [];
    const b: number[] = [];
    bus.subscribe((e) => void a.push(e.seq));
    bus.subscribe((e) => void b.push(e.seq));
    for (let i = 0; i < 5; i++) bus.publish(event(i));
    assert.deepEqual(a, [], 'publish never runs subscribers inside its own call');
    await afterImmediate();
    assert.deepEqual(a, [0, 1, 2, 3, 4]);
    assert.deepEqual(b, [0, 1, 2, 3, 4]);
  });

  it('a slow subscriber delays neither the turn nor a fast subscriber', async () => {
    const bus = createEventBus();
    const fast: TurnEvent[] = [];
    let slowSeen = 0;
    // The slow subscriber is stuck on its first event until the test lets it go: whatever the
    // machine's speed, the turn can only finish if it never waits for it.
    const stuck = gate();
    bus.subscribe(async () => {
      slowSeen++;
      await stuck.promise;
    });
    bus.subscribe((e) => void fast.push(e));
    const agent = scriptedAgent(
      'interaction',
      Array.from({ length: 20 }, (_, i) => ({ type: 'chunk' as const, text: `w${i} `, done: i === 19 })),
    );
    const events = await collect(
      runTurn({ text: 'hi' }, new AbortController().signal, {
        router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }),
        agents: agentsWith(agent),
        history: () => [],
        tap: (e) => bus.publish(e),
      }),
    );
    assert.equal(events.at(-1)!.type, 'turn.end');
    await waitUntil(() => fast.length === events.length, 'the fast subscriber to get every event');
    assert.equal(slowSeen, 1, 'the slow one is still on its first event');
    stuck.open();
    await waitUntil(() => slowSeen === events.length, 'the slow subscriber to catch up');
  });

  it('drops the backlog of a subscriber that falls maxQueue behind, and tells it', async () => {
    const bus = createEventBus();
    const got: number[] = [];
    const overflows: number[] = [];
    bus.subscribe(
      async (e) => {
        got.push(e.seq);
        await sleep(30);
      },
      { maxQueue: 4, onOverflow: (n) => overflows.push(n) },
    );
    for (let i = 0; i < 10; i++) bus.publish(event(i));
    await waitUntil(() => got.at(-1) === 9, 'the newest event');
    assert.ok(overflows.length >= 1, 'told about the overflow');
    assert.ok(got.length < 10, `received ${got.length} of 10`);
    assert.equal(got.at(-1), 9, 'the newest event survives the drop');
    for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, 'order is kept');
  });

  it('keeps every event in order through a long backlog published while it drains', async () => {
    const bus = createEventBus();
    const got: number[] = [];
    bus.subscribe(
      async (e) => {
        got.push(e.seq);
        // Now and then the subscriber waits, so the backlog builds up behind it and is read from the middle.
        if (e.seq % 500 === 0) await sleep(1);
      },
      { maxQueue: 100_000 },
    );
    const total = 6000;
    for (let i = 0; i < total / 2; i++) bus.publish(event(i));
    await waitUntil(() => got.length > 0, 'the drain to start');
    for (let i = total / 2; i < total; i++) bus.publish(event(i));
    await waitUntil(() => got.length >= total, `${total} events`);
    assert.equal(got.length, total);
    assert.ok(got.every((seq, i) => seq === i), 'in publish order, none lost or repeated');
  });

  it('keeps feeding others when a subscriber throws', async () => {
    const bus = createEventBus();
    const got: number[] = [];
    bus.subscribe(() => {
      throw new Error('bad subscriber');
    });
    bus.subscribe((e) => void got.push(e.seq));
    bus.publish(event(0));
    bus.publish(event(1));
    await afterImmediate();
    assert.deepEqual(got, [0, 1]);
  });

  it('unsubscribe stops delivery, including what was queued', async () => {
    const bus = createEventBus();
    const got: number[] = [];
    const off = bus.subscribe((e) => void got.push(e.seq));
    bus.publish(event(0));
    off();
    bus.publish(event(1));
    await afterImmediate();
    assert.deepEqual(got, []);
    assert.equal(bus.subscriberCount, 0);
  });

  it('stream() is an async iterator of the feed that ends on abort', async () => {
    const bus = createEventBus();
    const controller = new AbortController();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const e of bus.stream({ signal: controller.signal })) seen.push(e.seq);
    })();
    await waitUntil(() => bus.subscriberCount === 1, 'the stream to subscribe');
    bus.publish(event(0));
    bus.publish(event(1));
    await waitUntil(() => seen.length === 2, 'both events');
    controller.abort();
    await reading;
    assert.deepEqual(seen, [0, 1]);
    assert.equal(bus.subscriberCount, 0);
  });

  it('stream() drops its backlog when the reader falls behind', async () => {
    const bus = createEventBus();
    const overflows: number[] = [];
    const it = bus.stream({ maxQueue: 3, onOverflow: (n) => overflows.push(n) });
    for (let i = 0; i < 7; i++) bus.publish(event(i));
    await afterImmediate();
    const first = await it.next();
    assert.deepEqual(overflows, [3, 3]);
    assert.equal((first.value as TurnEvent).seq, 6);
    await it.return!();
    assert.equal(bus.subscriberCount, 0);
  });
});
