/**
 * Schema migrations, applied in order, each in the opening transaction. `PRAGMA user_version`
 * holds how many have run, so a migration is never edited once shipped: add a new one at the end.
 */
import type Database from 'better-sqlite3';
import { packTrace, type EventSummary } from './trace.js';

export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX conversations_updated ON conversations (updated_at);

  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    turn_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX messages_conversation ON messages (conversation_id, id);

  CREATE TABLE turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    input TEXT NOT NULL,
    agent TEXT,
    intent TEXT,
    confidence REAL,
    model TEXT,
    status TEXT NOT NULL,
    text TEXT NOT NULL,
    spoken_text TEXT NOT NULL,
    usage TEXT,
    metrics TEXT,
    events TEXT NOT NULL,
    transport TEXT
  );
  CREATE INDEX turns_conversation ON turns (conversation_id, id);

  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  textOnce,
  fewerPagesPerTurn,
];

/**
 * Version 2: a turn's answer text is kept once. Before, it was in `turns.text`, again in
 * `turns.spoken_text`, again in the events' chunk runs and again as the assistant's row in
 * `messages`. Now chunk runs hold their length, `spoken_text` is null when the events say what was
 * spoken, and history and conversations are read from `turns` (with `ended_at` for the answer's
 * time), so `messages` goes.
 */
function textOnce(db: Database.Database): void {
  // SQLite cannot make a column nullable in place: the table is rebuilt (its shape repeats
  // version 1's, which is never edited).
  db.exec(`
    CREATE TABLE turns_v2 (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      turn_id TEXT NOT NULL UNIQUE,
      conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      created_at TEXT NOT NULL,
      ended_at TEXT NOT NULL,
      input TEXT NOT NULL,
      agent TEXT,
      intent TEXT,
      confidence REAL,
      model TEXT,
      status TEXT NOT NULL,
      text TEXT NOT NULL,
      spoken_text TEXT,
      usage TEXT,
      metrics TEXT,
      events TEXT NOT NULL,
      transport TEXT
    );`);
  type OldRow = { id: number; created_at: string; text: string; spoken_text: string; events: string; ended_at: string | null };
  // In pages: better-sqlite3 cannot write while a read is open on the same connection, and an old
  // database may be large.
  const page = db.prepare<[number], OldRow>(`
    SELECT t.id, t.created_at, t.text, t.spoken_text, t.events,
           (SELECT MAX(m.created_at) FROM messages m WHERE m.turn_id = t.turn_id) AS ended_at
    FROM turns t WHERE t.id > ? ORDER BY t.id LIMIT 500`);
  const copy = db.prepare(`
    INSERT INTO turns_v2 (id, turn_id, conversation_id, created_at, ended_at, input, agent, intent, confidence, model, status,
                          text, spoken_text, usage, metrics, events, transport)
    SELECT id, turn_id, conversation_id, created_at, @ended_at, input, agent, intent, confidence, model, status,
           @text, @spoken_text, usage, metrics, @events, transport
    FROM turns WHERE id = @id`);
  for (let after = 0; ; ) {
    const rows = page.all(after);
    if (!rows.length) break;
    for (const row of rows) {
      const packed = packTrace({ text: row.text, spoken_text: row.spoken_text, events: JSON.parse(row.events) as EventSummary[] });
      copy.run({ id: row.id, ended_at: row.ended_at ?? row.created_at, ...packed });
      after = row.id;
    }
  }
  db.exec(`
    DROP TABLE turns;
    ALTER TABLE turns_v2 RENAME TO turns;
    CREATE INDEX turns_conversation ON turns (conversation_id, id);
    DROP TABLE messages;`);
}

/**
 * Version 3: a turn's commit writes fewer pages (~6 WAL frames instead of ~9; bench/store.ts).
 * - `turns.id` without AUTOINCREMENT: every insert also rewrote `sqlite_sequence`. Ids still only
 *   grow, since turns are never deleted (a plain INTEGER PRIMARY KEY takes the largest plus one).
 * - `conversations` WITHOUT ROWID: its id is its key, one B-tree instead of a table and the
 *   automatic index on its TEXT primary key.
 * - no index on `conversations.updated_at`: no query uses it (conversations are listed by their
 *   latest turn), and each turn moved an entry in it.
 */
function fewerPagesPerTurn(db: Database.Database): void {
  // Both tables are rebuilt (their shapes repeat version 2's, which is never edited). A parent
  // table dropped with foreign keys on deletes its children's rows (ON DELETE CASCADE):
  // the old `conversations` is renamed first, which points the old `turns` at it, and is dropped
  // only after the old `turns`, so nothing refers to it then.
  db.exec(`
    ALTER TABLE conversations RENAME TO conversations_v2;
    CREATE TABLE conversations (
      id TEXT PRIMARY KEY,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO conversations (id, created_at, updated_at) SELECT id, created_at, updated_at FROM conversations_v2;
    CREATE TABLE turns_v3 (
      id INTEGER PRIMARY KEY,
      turn_id TEXT NOT NULL UNIQUE,
      conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
      created_at TEXT NOT NULL,
      ended_at TEXT NOT NULL,
      input TEXT NOT NULL,
      agent TEXT,
      intent TEXT,
      confidence REAL,
      model TEXT,
      status TEXT NOT NULL,
      text TEXT NOT NULL,
      spoken_text TEXT,
      usage TEXT,
      metrics TEXT,
      events TEXT NOT NULL,
      transport TEXT
    );
    INSERT INTO turns_v3 SELECT id, turn_id, conversation_id, created_at, ended_at, input, agent, intent, confidence, model, status,
                                text, spoken_text, usage, metrics, events, transport FROM turns ORDER BY id;
    DROP TABLE turns;
    DROP TABLE conversations_v2;
    ALTER TABLE turns_v3 RENAME TO turns;
    CREATE INDEX turns_conversation ON turns (conversation_id, id);`);
}
