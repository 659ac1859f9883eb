import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createInteractionAgent } from '../src/agents/interaction.js';
import { createAssistant } from '../src/assistant.js';
import { createEventBus, openStore, type EventOf, type TurnEvent } from '../src/turn/index.js';
import { rig, type Rig } from './support/llm-sim.js';
import { agentsWith, assertWellFormed, collect, fixedRouter, scriptedAgent } from './support/turn-fixtures.js';
import { tempDir } from './support/turn-store.js';
import { waitUntil } from './support/wait.js';

let r: Rig;
before(async () => {
  r = await rig({}, { maxRetries: 0 });
});
after(() => r.close());

const chat = { agent: 'interaction', intent: 'chat', confidence: 0.5 } as const;
const interaction = () => agentsWith(createInteractionAgent({ llm: r.client, timeZone: 'UTC' }));
type Sent = { messages: { role: string; content: string }[] };

describe('assistant', () => {
  it('keeps history across restarts: the next turn after reopening the store sends the earlier turns to the model', async (t) => {
    const path = join(tempDir(t), 'barnabee.db');

    const store1 = openStore(path);
    const first = createAssistant({ router: fixedRouter(chat), agents: interaction(), store: store1, historyTurns: 8 });
    r.sim.enqueue({ text: 'Nice to meet you, Ada.' });
    const turn1 = await collect(first.run({ text: 'My name is Ada.' }, new AbortController().signal));
    const conversationId = (turn1[0] as EventOf<'turn.start'>).conversation_id;
    assert.match(conversationId, /^[0-9a-f-]{36}$/, 'a UUID is made for a new conversation');
    store1.close();

    const store2 = openStore(path);
    t.after(() => store2.close());
    const second = createAssistant({ router: fixedRouter(chat), agents: interaction(), store: store2, historyTurns: 8 });
    r.sim.enqueue({ text: 'Your name is Ada.' });
    const turn2 = await collect(second.run({ text: 'What is my name?', conversation_id: conversationId }, new AbortController().signal));
    assert.equal((turn2.at(-1) as EventOf<'turn.end'>).text, 'Your name is Ada.');

    const sent = (r.sim.records.at(-1)!.body as Sent).messages;
    assert.deepEqual(
      sent.slice(1).map((m) => [m.role, m.content]),
      [
        ['user', 'My name is Ada.'],
        ['assistant', 'Nice to meet you, Ada.'],
        ['user', 'What is my name?'],
      ],
    );
    assert.deepEqual(
      store2.getConversation(conversationId)!.messages.map((m) => m.content),
      ['My name is Ada.', 'Nice to meet you, Ada.', 'What is my name?', 'Your name is Ada.'],
    );
  });

  it('sends only the last historyTurns turns, and uses request.context instead when given', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const assistant = createAssistant({ router: fixedRouter(chat), agents: interaction(), store, historyTurns: 1 });
    for (const text of ['one', 'two']) {
      r.sim.enqueue({ mode: 'echo' });
      await collect(assistant.run({ text, conversation_id: 'c1' }, new AbortController().signal));
    }
    r.sim.enqueue({ mode: 'echo' });
    await collect(assistant.run({ text: 'three', conversation_id: 'c1' }, new AbortController().signal));
    assert.deepEqual(
      (r.sim.records.at(-1)!.body as Sent).messages.slice(1).map((m) => m.content),
      ['two', 'two', 'three'],
    );

    r.sim.enqueue({ mode: 'echo' });
    await collect(
      assistant.run({ text: 'four', conversation_id: 'c1', context: [{ role: 'user', content: 'from the client' }] }, new AbortController().signal),
    );
    assert.deepEqual(
      (r.sim.records.at(-1)!.body as Sent).messages.slice(1).map((m) => m.content),
      ['from the client', 'four'],
    );
  });

  it('publishes every event to the bus and records the trace, even when the client walks away', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const bus = createEventBus();
    const published: TurnEvent[] = [];
    bus.subscribe((e) => void published.push(e));
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'Once ', done: false },
      { wait: 5 },
      { type: 'chunk', text: 'upon a time', done: false },
      { block: true },
    ]);
    const assistant = createAssistant({ router: fixedRouter(chat), agents: agentsWith(agent), store, bus, historyTurns: 4 });
    for await (const e of assistant.run({ text: 'story', conversation_id: 'c1', transport: 'ws' }, new AbortController().signal)) {
      if (e.type === 'chunk' && e.text === 'upon a time') break;
    }
    await waitUntil(() => published.at(-1)?.type === 'turn.end', 'turn.end on the bus');
    assertWellFormed(published);
    const end = published.at(-1) as EventOf<'turn.end'>;
    assert.equal(end.status, 'cancelled');
    const trace = store.getTurn(end.turn_id)!;
    assert.equal(trace.status, 'cancelled');
    assert.equal(trace.transport, 'ws');
    assert.equal(trace.text, 'Once upon a time');
    assert.equal(agent.cleanups, 1);
  });

  it('works without a store or a bus', async () => {
    const agent = scriptedAgent('instant', [{ type: 'chunk', text: 'Four.', done: true }]);
    const assistant = createAssistant({
      router: fixedRouter({ agent: 'instant', intent: 'math.evaluate', confidence: 1 }),
      agents: agentsWith(agent),
      historyTurns: 4,
    });
    const events = await collect(assistant.run({ text: 'two plus two' }, new AbortController().signal));
    assertWellFormed(events);
    assert.equal((events.at(-1) as EventOf<'turn.end'>).text, 'Four.');
  });
});
