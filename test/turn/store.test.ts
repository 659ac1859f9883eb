import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createAssistant } from '../../src/assistant.js';
import { createEventBus, openStore, runTurn, StoreError } from '../../src/turn/index.js';
import { agentsWith, fixedRouter, scriptedAgent, textSpeech } from '../support/turn-fixtures.js';
import { record, tempDir, turn } from '../support/turn-store.js';

describe('store', () => {
  it('records a turn trace: route, model, usage, metrics and a compact event summary without audio', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const events = await turn('tell me a joke', 'c1', ['Why ', 'did ', 'the ', 'chicken?'], [
      { type: 'usage', model: 'sim/m', prompt_tokens: 12, completion_tokens: 4, cost_usd: 0.0002 },
    ], true);
    assert.equal(await store.recordTurn(events, { transport: 'sse' }), true);

    const trace = store.getTurn(events[0]!.turn_id)!;
    assert.equal(trace.conversation_id, 'c1');
    assert.equal(trace.input, 'tell me a joke');
    assert.deepEqual([trace.agent, trace.intent, trace.confidence], ['interaction', 'chat', 0.8]);
    assert.equal(trace.model, 'sim/m');
    assert.equal(trace.status, 'completed');
    assert.equal(trace.text, 'Why did the chicken?');
    assert.equal(trace.transport, 'sse');
    assert.deepEqual(trace.usage, { model: 'sim/m', prompt_tokens: 12, completion_tokens: 4, cost_usd: 0.0002 });
    assert.equal(trace.metrics!.total_ms, (events.at(-1) as { metrics: { total_ms: number } }).metrics.total_ms);
    assert.match(trace.created_at, /^\d{4}-\d\d-\d\dT/);

    // Every event is accounted for: each summary entry covers `count` events.
    const covered = trace.events.reduce((n, e) => n + (e.count ?? 1), 0);
    assert.equal(covered, events.length);
    const audio = trace.events.filter((e) => e.type === 'audio');
    assert.equal(audio.length, 4);
    assert.ok(audio.every((e) => typeof e.bytes === 'number' && e.bytes > 0 && !('pcm' in e) && !('data' in e)));
    const raw = JSON.stringify(trace.events);
    assert.ok(!raw.includes('AAAA'), 'no base64 audio in the summary');
  });

  it('collapses runs of chunks into one entry holding their text', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const events = await turn('q', 'c1', ['a', 'b', 'c']);
    await store.recordTurn(events);
    const chunks = store.getTurn(events[0]!.turn_id)!.events.filter((e) => e.type === 'chunk');
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]!.text, 'abc');
    assert.equal(chunks[0]!.count, 4);
    assert.equal(chunks[0]!.done, true);
  });

  it('keeps conversations and messages: the user input and the spoken text', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    for (const e of await turn('first question', 'c1', ['First answer.'])) store.record(e);
    for (const e of await turn('other', 'c2', ['Other answer.'])) store.record(e);
    for (const e of await turn('second question', 'c1', ['Second answer.'])) store.record(e);

    const c1 = store.getConversation('c1')!;
    assert.deepEqual(
      c1.messages.map((m) => [m.role, m.content]),
      [
        ['user', 'first question'],
        ['assistant', 'First answer.'],
        ['user', 'second question'],
        ['assistant', 'Second answer.'],
      ],
    );
    assert.equal(store.getConversation('nope'), undefined);

    const list = store.listConversations();
    assert.deepEqual(list.map((c) => c.id), ['c1', 'c2'], 'most recently active first');
    assert.equal(list[0]!.turn_count, 2);
    assert.equal(list[0]!.last_input, 'second question');
    assert.deepEqual(store.listConversations({ q: 'other' }).map((c) => c.id), ['c2']);
  });

  it('keeps the spoken text, not the full text, for a turn cut short while speaking', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const controller = new AbortController();
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'Heard this.', done: false },
      { type: 'chunk', text: 'Never heard.', done: false },
      { type: 'chunk', text: '', done: true },
    ]);
    for await (const e of runTurn({ text: 'go', conversation_id: 'c1', speak: true }, controller.signal, {
      router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }),
      agents: agentsWith(agent),
      speech: textSpeech(3),
      history: () => [],
      tap: (e) => store.record(e),
    })) {
      if (e.type === 'speech.start' && e.segment === 1) controller.abort();
    }
    assert.deepEqual(await store.history('c1', 5), [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: 'Heard this.' },
    ]);
    assert.equal(store.listTurns()[0]!.status, 'cancelled');
  });

  it('history returns the last N turns, oldest first', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    for (let i = 1; i <= 4; i++) await store.recordTurn(await turn(`q${i}`, 'c1', [`a${i}`]));
    assert.deepEqual((await store.history('c1', 2)).map((m) => m.content), ['q3', 'a3', 'q4', 'a4']);
    assert.deepEqual(await store.history('c1', 0), []);
    assert.deepEqual(await store.history('unknown', 3), []);
  });

  it('lists turns newest first, searches input and text, and pages with before', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const events = await turn(`question ${i}`, 'c1', [i === 3 ? 'a 100% banana' : `answer ${i}`]);
      await store.recordTurn(events);
      ids.push(events[0]!.turn_id);
    }
    assert.deepEqual(store.listTurns().map((x) => x.turn_id), [...ids].reverse());
    assert.deepEqual(store.listTurns({ limit: 2 }).map((x) => x.turn_id), [ids[4], ids[3]]);
    assert.deepEqual(store.listTurns({ limit: 2, before: ids[3] }).map((x) => x.turn_id), [ids[2], ids[1]]);
    assert.deepEqual(store.listTurns({ q: 'banana' }).map((x) => x.turn_id), [ids[3]]);
    assert.deepEqual(store.listTurns({ q: 'question 1' }).map((x) => x.turn_id), [ids[1]]);
    assert.deepEqual(store.listTurns({ q: '100%' }).map((x) => x.turn_id), [ids[3]], '% is matched literally');
    assert.deepEqual(store.listTurns({ q: '_' }), [], '_ is matched literally');
    assert.equal(store.listTurns({ limit: -3 }).length, 1, 'a limit below 1 is raised to 1');
  });

  it('survives a restart: turns, messages and key-values are there after reopening', async (t) => {
    const path = join(tempDir(t), 'b.db');
    const first = openStore(path);
    const events = await turn('remember me', 'c1', ['I will.']);
    await first.recordTurn(events);
    first.kv.set('home.state', '{"light.kitchen":"on"}');
    first.close();

    const second = openStore(path);
    t.after(() => second.close());
    assert.equal(second.getTurn(events[0]!.turn_id)!.text, 'I will.');
    assert.deepEqual(await second.history('c1', 8), [
      { role: 'user', content: 'remember me' },
      { role: 'assistant', content: 'I will.' },
    ]);
    assert.equal(second.kv.get('home.state'), '{"light.kitchen":"on"}');
    assert.equal(second.kv.get('missing'), undefined);
  });

  it('uses WAL, synchronous=NORMAL and records its schema version', async (t) => {
    const path = join(tempDir(t), 'b.db');
    openStore(path).close();
    const db = new Database(path, { readonly: true });
    t.after(() => db.close());
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.ok((db.pragma('user_version', { simple: true }) as number) >= 1);
  });

  it('once busy, writes run on a worker thread: every read sees the turns whose recording settled, and the WAL is checkpointed', async (t) => {
    const path = join(tempDir(t), 'b.db');
    const warnings: unknown[] = [];
    const store = openStore(path, { logger: { warn: (obj) => void warnings.push(obj) } });
    t.after(() => store.close());
    const before = statSync(path).size;
    const answer = Array.from({ length: 40 }, (_, i) => `word${i} `);
    const ids: string[] = [];
    // Past the first 50 turns the writes are the worker's; 400 turns cross SQLite's 1,000-page
    // automatic checkpoint, which only the worker's connection can reach (the main one only reads).
    for (let i = 0; i < 400; i++) {
      const events = await turn(`question ${i}`, `c${i % 7}`, answer);
      ids.push(events[0]!.turn_id);
      assert.equal(await record(store, events), true);
      if (i % 50 === 49) {
        // Read-your-writes, straight after the hand-over.
        assert.equal(store.getTurn(events[0]!.turn_id)?.input, `question ${i}`);
        assert.equal((await store.history(`c${i % 7}`, 1)).at(0)?.content, `question ${i}`);
      }
    }
    assert.equal(store.listTurns({ limit: 500 }).length, 400);
    assert.deepEqual(warnings, [], 'the writer started and every write committed');
    assert.ok(statSync(path).size > before, `the database file grew from ${before} bytes: a checkpoint ran while the store was open`);
    store.close();
    const again = openStore(path);
    t.after(() => again.close());
    assert.deepEqual(again.listTurns({ limit: 500 }).map((x) => x.turn_id), ids.reverse());
  });

  it('a write failure mid-turn is logged, never thrown', async (t) => {
    const warnings: unknown[] = [];
    const store = openStore(join(tempDir(t), 'b.db'), { logger: { warn: (obj) => void warnings.push(obj) } });
    const events = await turn('q', 'c1', ['a']);
    store.close();
    assert.doesNotThrow(() => events.forEach((e) => store.record(e)));
    assert.equal(await store.recordTurn(events), false);
    assert.equal(warnings.length, 2);
  });

  it('once busy, a write the worker cannot commit is logged, never thrown', async (t) => {
    const path = join(tempDir(t), 'b.db');
    const warnings: Array<{ turn_id?: string }> = [];
    const store = openStore(path, { logger: { warn: (obj) => void warnings.push(obj as { turn_id?: string }) } });
    t.after(() => store.close());
    for (let i = 0; i < 60; i++) await record(store, await turn(`q${i}`, 'c', ['a']));
    const raw = new Database(path);
    t.after(() => raw.close());
    raw.exec(`CREATE TRIGGER refuse BEFORE INSERT ON turns WHEN NEW.input = 'refused' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const refused = await turn('refused', 'c', ['a']);
    let recorded: Promise<boolean> | undefined;
    assert.doesNotThrow(() => refused.forEach((e) => (recorded = store.record(e) ?? recorded)));
    assert.equal(await record(store, await turn('after', 'c', ['b'])), true);
    assert.equal(await recorded, false, 'the refused turn settles as not written');
    assert.deepEqual(store.listTurns({ limit: 2 }).map((x) => x.input), ['after', 'q59']);
    assert.deepEqual(warnings.map((w) => w.turn_id), [refused[0]!.turn_id]);
  });

  it('once busy, a bad turn handed over with others fails alone', async (t) => {
    const path = join(tempDir(t), 'b.db');
    const warnings: Array<{ turn_id?: string }> = [];
    const store = openStore(path, { writerAfter: 0, logger: { warn: (obj) => void warnings.push(obj as { turn_id?: string }) } });
    t.after(() => store.close());
    const raw = new Database(path);
    t.after(() => raw.close());
    raw.exec(`CREATE TRIGGER refuse BEFORE INSERT ON turns WHEN NEW.input = 'refused' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    const turns = [await turn('before', 'c', ['a']), await turn('refused', 'c', ['b']), await turn('after', 'd', ['c'])];
    // Handed over in one tick: the worker takes them in one go (a batch) or, if it wakes between, apart.
    const recorded = turns.map((events) => record(store, events));
    assert.deepEqual(await Promise.all(recorded), [true, false, true]);
    assert.deepEqual(store.listTurns().map((x) => x.input), ['after', 'before']);
    assert.deepEqual(warnings.map((w) => w.turn_id), [turns[1]![0]!.turn_id]);
  });

  it('a turn recorded twice is kept once', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'), { logger: { warn: () => {} } });
    t.after(() => store.close());
    const events = await turn('q', 'c1', ['a']);
    assert.equal(await store.recordTurn(events), true);
    assert.equal(await store.recordTurn(events), false);
    assert.equal(store.listTurns().length, 1);
    assert.equal(store.getConversation('c1')!.messages.length, 2);
  });
});

describe('store: bad paths fail at open with a clear StoreError', () => {
  const expectStoreError = (path: string, cause: RegExp) =>
    assert.throws(
      () => openStore(path),
      (err: unknown) => {
        assert.ok(err instanceof StoreError, `got ${String(err)}`);
        assert.equal(err.path, path);
        assert.ok(err.message.includes(path), `"${err.message}" names the path`);
        assert.match(err.message, cause);
        return true;
      },
    );

  it('a file that is not a database', (t) => {
    const path = join(tempDir(t), 'corrupt.db');
    writeFileSync(path, 'this is not an SQLite file, it is a shopping list: eggs, milk, bread.'.repeat(100));
    expectStoreError(path, /not a database/);
    assert.match(readFileSync(path, 'utf8'), /shopping list/, 'the file is left as it was');
  });

  it('a directory that does not exist', (t) => {
    expectStoreError(join(tempDir(t), 'missing', 'dir', 'b.db'), /directory does not exist|unable to open/i);
  });

  it('a path that is a directory', (t) => {
    const dir = join(tempDir(t), 'adir');
    mkdirSync(dir);
    expectStoreError(dir, /.+/);
  });

  it('a path under a regular file', (t) => {
    const file = join(tempDir(t), 'file');
    writeFileSync(file, 'x');
    expectStoreError(join(file, 'b.db'), /.+/);
  });

  it('a database from a newer Barnabee', (t) => {
    const path = join(tempDir(t), 'new.db');
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    expectStoreError(path, /newer/);
  });

  it('an empty path', () => {
    assert.throws(() => openStore(''), StoreError);
  });
});

describe('store: a turn has ended once it is kept', () => {
  it('through the assistant, with writes on the worker thread: turn.end reaches the consumer and the bus only once the turn is readable, and history has every earlier turn', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'), { writerAfter: 0, logger: { warn: (obj) => assert.fail(JSON.stringify(obj)) } });
    t.after(() => store.close());
    const bus = createEventBus();
    const published: string[] = [];
    const publish = bus.publish.bind(bus);
    bus.publish = (e) => {
      if (e.type === 'turn.end') {
        assert.ok(store.getTurn(e.turn_id), 'the bus gets turn.end after the commit');
        published.push(e.turn_id);
      }
      publish(e);
    };
    const agent = scriptedAgent('interaction', [
      { type: 'chunk', text: 'An answer ', done: false },
      { type: 'chunk', text: 'in parts.', done: true },
    ]);
    const assistant = createAssistant({ router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }), agents: agentsWith(agent), store, bus, historyTurns: 50 });
    const ended: string[] = [];
    // Four conversations at once, six turns each: their writes reach the worker together.
    await Promise.all(
      Array.from({ length: 4 }, async (_, c) => {
        for (let i = 0; i < 6; i++) {
          for await (const e of assistant.run({ text: `c${c} q${i}`, conversation_id: `c${c}` }, new AbortController().signal)) {
            if (e.type !== 'turn.end') continue;
            assert.equal(store.getTurn(e.turn_id)?.text, 'An answer in parts.', 'readable when the consumer sees turn.end');
            ended.push(e.turn_id);
          }
        }
      }),
    );
    assert.equal(ended.length, 24);
    assert.deepEqual([...published].sort(), [...ended].sort());
    for (const ctx of agent.runs) {
      const n = Number(ctx.request.text.split('q')[1]);
      assert.equal(ctx.history.length, 2 * n, `${ctx.request.text} sees its conversation's ${n} earlier turns`);
    }
  });
});

describe('store: group commit on the worker thread', () => {
  it('a turn handed over within the window of the last wake-up waits for the window to end, then is committed', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'), { writerAfter: 0, groupCommitMs: 1000, logger: { warn: (obj) => assert.fail(JSON.stringify(obj)) } });
    t.after(() => store.close());
    // The first write finds the writer idle: it is woken at once, and opens a window.
    const first = await turn('first', 'c', ['a']);
    const handedAt = performance.now();
    assert.equal(await record(store, first), true);
    const second = await turn('second', 'c', ['b']);
    assert.equal(await record(store, second), true);
    // A timer never fires early: the second waited for the window opened when the first was handed over.
    assert.ok(performance.now() - handedAt >= 900, 'the second turn waited for the window');
    assert.deepEqual(store.listTurns().map((x) => x.input), ['second', 'first']);
  });

  it('close() commits a turn still waiting for its window', async (t) => {
    const path = join(tempDir(t), 'b.db');
    const store = openStore(path, { writerAfter: 0, groupCommitMs: 60_000, logger: { warn: (obj) => assert.fail(JSON.stringify(obj)) } });
    assert.equal(await record(store, await turn('first', 'c', ['a'])), true);
    const waiting = record(store, await turn('second', 'c', ['b']));
    store.close();
    assert.equal(await waiting, true);
    const again = openStore(path);
    t.after(() => again.close());
    assert.deepEqual(again.listTurns().map((x) => x.input), ['second', 'first']);
  });
});
