/**
 * Schema migrations, applied in order. `PRAGMA user_version` holds how many have run, so a
 * migration is never edited once shipped: add a new one at the end.
 */
export const MIGRATIONS: readonly string[] = [
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
];
