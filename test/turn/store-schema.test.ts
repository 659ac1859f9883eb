/**
 * What the store keeps on disk: each turn's answer text once, and databases written by an earlier
 * Barnabee (schema 1: the text in `turns.text`, `turns.spoken_text`, the events' chunk runs and
 * `messages`) still open, migrated, and read back exactly as before.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, runTurn, type TurnEvent, type TurnTrace } from '../../src/turn/index.js';
import { MIGRATIONS } from '../../src/turn/store-schema.js';
import { TraceBuilder } from '../../src/turn/trace.js';
import { agentsWith, collect, fixedRouter, scriptedAgent, textSpeech } from '../support/turn-fixtures.js';
import { tempDir, turn } from '../support/turn-store.js';

/** A database as Barnabee wrote it at schema version 1, and the traces it holds. */
function writeV1(path: string, turns: TurnEvent[][]): TurnTrace[] {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS[0] as string);
  db.pragma('user_version = 1');
  const traces: TurnTrace[] = [];
  const insertTurn = db.prepare(`
    INSERT INTO turns (turn_id, conversation_id, created_at, input, agent, intent, confidence, model, status, text, spoken_text, usage, metrics, events, transport)
    VALUES (@turn_id, @conversation_id, @created_at, @input, @agent, @intent, @confidence, @model, @status, @text, @spoken_text, @usage, @metrics, @events, @transport)`);
  const insertMessage = db.prepare('INSERT INTO messages (conversation_id, turn_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)');
  const upsert = db.prepare(
    'INSERT INTO conversations (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at',
  );
  for (const [i, events] of turns.entries()) {
    const started = Date.UTC(2026, 0, 1, 12, 0, i);
    const builder = new TraceBuilder(events[0]!.turn_id, { transport: 'ws' }, started);
    for (const e of events) builder.add(e);
    const trace = builder.finish();
    const start = new Date(started).toISOString();
    const ended = new Date(started + 900).toISOString();
    upsert.run(trace.conversation_id, start, ended);
    insertTurn.run({
      ...trace,
      usage: trace.usage ? JSON.stringify(trace.usage) : null,
      metrics: trace.metrics ? JSON.stringify(trace.metrics) : null,
      events: JSON.stringify(trace.events),
    });
    if (trace.input.trim()) {
      insertMessage.run(trace.conversation_id, trace.turn_id, 'user', trace.input, start);
      if (trace.spoken_text.trim()) insertMessage.run(trace.conversation_id, trace.turn_id, 'assistant', trace.spoken_text, ended);
    }
    traces.push(JSON.parse(JSON.stringify(trace)) as TurnTrace);
  }
  db.close();
  return traces;
}

/** The bytes of turns the database holds (rows and their indexes, SQLite's own count), per turn. */
function bytesPerTurn(path: string, turns: number): number {
  const db = new Database(path, { readonly: true });
  const { bytes } = db
    .prepare("SELECT sum(payload) AS bytes FROM dbstat WHERE name NOT IN ('sqlite_schema', 'kv') AND name NOT LIKE 'sqlite_autoindex_kv%'")
    .get() as { bytes: number };
  db.close();
  return Math.round(bytes / turns);
}

/** A turn cut short while speaking: the spoken text is shorter than the text. */
async function bargedIn(conversationId: string): Promise<TurnEvent[]> {
  const controller = new AbortController();
  const agent = scriptedAgent('interaction', [
    { type: 'chunk', text: 'Heard this.', done: false },
    { type: 'chunk', text: 'Never heard.', done: false },
    { type: 'chunk', text: '', done: true },
  ]);
  const events: TurnEvent[] = [];
  for await (const e of runTurn({ text: 'go on', conversation_id: conversationId, speak: true }, controller.signal, {
    router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }),
    agents: agentsWith(agent),
    speech: textSpeech(3),
    history: () => [],
  })) {
    events.push(e);
    if (e.type === 'speech.start' && e.segment === 1) controller.abort();
  }
  return events;
}

describe('store: each answer is kept once', () => {
  it('a long answer takes about its own length per turn on disk, where schema 1 took four times that', async (t) => {
    const dir = tempDir(t);
    const words = Array.from({ length: 800 }, (_, i) => `word${i % 97} `);
    const answerChars = words.join('').length;
    const turns: TurnEvent[][] = [];
    for (let i = 0; i < 20; i++) turns.push(await turn(`tell me a long story ${i}`, `c${i % 3}`, words));

    const now = openStore(join(dir, 'now.db'));
    for (const events of turns) assert.equal(await now.recordTurn(events), true);
    now.close();
    writeV1(join(dir, 'v1.db'), turns);

    const perTurn = bytesPerTurn(join(dir, 'now.db'), turns.length);
    const perTurnV1 = bytesPerTurn(join(dir, 'v1.db'), turns.length);
    t.diagnostic(`${answerChars}-character answer: ${perTurn} bytes per turn now, ${perTurnV1} at schema 1 (${(perTurnV1 / perTurn).toFixed(1)}x)`);
    assert.ok(perTurn < answerChars * 1.25, `${perTurn} bytes per turn for a ${answerChars}-character answer`);
    assert.ok(perTurnV1 > perTurn * 3, `schema 1: ${perTurnV1} bytes per turn`);

    // …and reads back whole.
    const again = openStore(join(dir, 'now.db'));
    t.after(() => again.close());
    const last = turns.at(-1)!;
    const trace = again.getTurn(last[0]!.turn_id)!;
    assert.equal(trace.text, words.join(''));
    assert.equal(trace.spoken_text, words.join(''));
    assert.equal(trace.events.find((e) => e.type === 'chunk')!.text, words.join(''));
  });

  it('a spoken answer keeps its text once plus the segments spoken, and spoken_text comes back from them', async (t) => {
    const store = openStore(join(tempDir(t), 'b.db'));
    t.after(() => store.close());
    const spoken = await turn('say it', 'c1', ['One. ', 'Two. ', 'Three.'], [], true);
    const cut = await bargedIn('c1');
    for (const events of [spoken, cut]) assert.equal(await store.recordTurn(events), true);
    for (const events of [spoken, cut]) {
      const end = events.at(-1) as Extract<TurnEvent, { type: 'turn.end' }>;
      const trace = store.getTurn(end.turn_id)!;
      assert.deepEqual([trace.text, trace.spoken_text], [end.text, end.spoken_text]);
    }
    assert.equal(store.getTurn(cut[0]!.turn_id)!.spoken_text, 'Heard this.');
    const raw = new Database(store.path, { readonly: true });
    t.after(() => raw.close());
    const rows = raw.prepare('SELECT spoken_text, events FROM turns ORDER BY id').all() as { spoken_text: string | null; events: string }[];
    assert.deepEqual(rows.map((r) => r.spoken_text), [null, null], 'spoken_text is rebuilt from the speech events, not stored');
    for (const row of rows) {
      const chunks = (JSON.parse(row.events) as Array<Record<string, unknown>>).filter((e) => e.type === 'chunk');
      assert.ok(chunks.length && chunks.every((e) => !('text' in e) && typeof e.chars === 'number'), 'chunk runs hold lengths, not text');
    }
  });
});

describe('store: a schema 1 database', () => {
  it('opens migrated: every turn, conversation and history reads back as schema 1 had it, and the file is intact', async (t) => {
    const path = join(tempDir(t), 'old.db');
    const turns = [
      await turn('first question', 'c1', ['First ', 'answer.']),
      await turn('say it', 'c1', ['One. ', 'Two.'], [{ type: 'usage', model: 'm', prompt_tokens: 3, completion_tokens: 2, cost_usd: null }], true),
      await bargedIn('c1'),
      await turn('other', 'c2', ['Other answer.']),
      // A request that never got past validation: a turn, but nothing for the history.
      await collect(
        runTurn({ text: '  ', conversation_id: 'c2' }, new AbortController().signal, {
          router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }),
          agents: agentsWith(scriptedAgent('interaction', [])),
          history: () => [],
        }),
      ),
    ];
    const traces = writeV1(path, turns);
    const old = new Database(path, { readonly: true });
    const oldMessages = old.prepare('SELECT conversation_id, role, content, turn_id, created_at FROM messages ORDER BY id').all() as Array<{
      conversation_id: string;
      role: string;
      content: string;
      turn_id: string;
      created_at: string;
    }>;
    old.close();

    const store = openStore(path);
    t.after(() => store.close());
    for (const trace of traces) assert.deepEqual(store.getTurn(trace.turn_id), trace, trace.input);
    assert.deepEqual(store.listTurns().map((x) => x.turn_id), traces.map((x) => x.turn_id).reverse());
    for (const c of ['c1', 'c2']) {
      const messages = oldMessages.filter((m) => m.conversation_id === c).map(({ conversation_id: _, ...m }) => m);
      assert.deepEqual(store.getConversation(c)!.messages, messages, c);
      assert.deepEqual(
        await store.history(c, 8),
        messages.map(({ role, content }) => ({ role, content })),
      );
    }
    assert.deepEqual(
      (await store.history('c1', 2)).map((m) => m.content),
      ['say it', 'One. Two.', 'go on', 'Heard this.'],
    );

    const raw = new Database(path, { readonly: true });
    t.after(() => raw.close());
    assert.equal(raw.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'messages'").all(), []);
    // New turns go on after the old ones.
    assert.equal(await store.recordTurn(await turn('next', 'c1', ['Next.'])), true);
    assert.equal(store.listTurns()[0]!.input, 'next');
  });
});

describe('store: a schema 2 database', () => {
  it('opens migrated to fewer pages per turn: every row kept as it was, foreign keys intact, new turns after the old', async (t) => {
    const path = join(tempDir(t), 'v2.db');
    const turns = [
      await turn('first question', 'c1', ['First ', 'answer.']),
      await turn('other', 'c2', ['Other answer.']),
      await bargedIn('c1'),
      await turn('third', 'c3', ['Three.']),
    ];
    const traces = writeV1(path, turns);
    const v2 = new Database(path);
    v2.transaction(() => {
      (MIGRATIONS[1] as (db: Database.Database) => void)(v2);
      v2.pragma('user_version = 2');
    })();
    const rows = (db: Database.Database) => ({
      turns: db.prepare('SELECT * FROM turns ORDER BY id').all(),
      conversations: db.prepare('SELECT * FROM conversations ORDER BY id').all(),
    });
    const before = rows(v2);
    v2.close();

    const store = openStore(path);
    t.after(() => store.close());
    for (const trace of traces) assert.deepEqual(store.getTurn(trace.turn_id), trace, trace.input);
    const raw = new Database(path);
    t.after(() => raw.close());
    raw.pragma('foreign_keys = ON');
    assert.deepEqual(rows(raw), before);
    assert.equal(raw.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(raw.pragma('foreign_key_check'), []);
    const schema = raw.prepare<[], { name: string; sql: string | null }>("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%'").all();
    assert.match(schema.find((s) => s.name === 'conversations')!.sql!, /WITHOUT ROWID/);
    assert.doesNotMatch(schema.find((s) => s.name === 'turns')!.sql!, /AUTOINCREMENT/);
    assert.equal(
      schema.find((s) => s.name === 'conversations_updated'),
      undefined,
    );
    assert.throws(() => raw.prepare("INSERT INTO turns (turn_id, conversation_id, created_at, ended_at, input, status, text, events) VALUES ('x', 'nowhere', '', '', '', '', '', '[]')").run(), /FOREIGN KEY/);

    const next = await turn('next', 'c2', ['Next.']);
    assert.equal(await store.recordTurn(next), true);
    const maxBefore = Math.max(...before.turns.map((r) => (r as { id: number }).id));
    assert.equal(raw.prepare<[string], { id: number }>('SELECT id FROM turns WHERE turn_id = ?').get(next[0]!.turn_id)!.id, maxBefore + 1);
    assert.deepEqual(store.listConversations().map((c) => c.id), ['c2', 'c3', 'c1']);
    assert.deepEqual((await store.history('c2', 8)).map((m) => m.content), ['other', 'Other answer.', 'next', 'Next.']);
  });
});
