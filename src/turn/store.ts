/**
 * The conversation and trace store: one SQLite file (better-sqlite3, WAL). Everything it needs to
 * be sure of — the file opens, is a database, can be written, has the current schema — is checked
 * in `openStore`, so a bad path fails at start with a `StoreError`; once running, a failed write
 * is logged and the turn goes on.
 *
 * A turn is written at its `turn.end`, and `record` hands back a promise that settles once the
 * row is committed: the runner holds `turn.end` until then, so a turn any client saw end survives
 * a kill. Reads never wait for the writer: a turn has ended, for everyone, only once it is in.
 */
import Database from 'better-sqlite3';
import type { HistoryMessage } from './agent.js';
import type { TurnEvent, TurnMetrics, TurnStatus } from './events.js';
import type { Conversation, ConversationSummary, StoredMessage } from './protocol.js';
import { startStoreWriter, WRITE_SQL, type StoreWriter, type WriteOp } from './store-writer.js';
import { MIGRATIONS } from './store-schema.js';
import { heardMessages, heardText, packTrace, TraceBuilder, unpackTrace, type TraceMeta, type TraceUsage, type TurnTrace } from './trace.js';

export type { Conversation, ConversationSummary, StoredMessage };

export class StoreError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** The part of a pino logger the store uses. */
export interface StoreLogger {
  warn(obj: object, msg?: string): void;
}

export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface Store {
  readonly path: string;
  readonly kv: KeyValue;
  /** Newest first. `q` searches input and answer text; `before` is a turn id (or an ISO time) to page from. */
  listTurns(options?: { q?: string; limit?: number; before?: string }): TurnTrace[];
  getTurn(turnId: string): TurnTrace | undefined;
  /** Most recently active first. `q` searches the conversation's inputs and answers. */
  listConversations(options?: { q?: string; limit?: number }): ConversationSummary[];
  getConversation(id: string): Conversation | undefined;
  /**
   * The messages of the last `turns` turns of a conversation, oldest first: each turn's input and
   * what was spoken of its answer. Waits (without blocking) for that conversation's last write.
   */
  history(conversationId: string, turns: number): Promise<HistoryMessage[]>;
  /** Write a whole turn (its events in order, `turn.end` last). Settles true once committed, false if it could not be written. */
  recordTurn(events: Iterable<TurnEvent>, meta?: TraceMeta): Promise<boolean>;
  /**
   * Incremental recorder: feed each event as it happens; the turn is written at its `turn.end`, and
   * for that event the returned promise settles once the turn is committed (true) or failed and was
   * logged (false). It never rejects.
   */
  record(event: TurnEvent, meta?: TraceMeta): Promise<boolean> | undefined;
  /** Waits for the writes handed over, then closes the file. */
  close(): void;
}

export interface OpenStoreOptions {
  logger?: StoreLogger;
  /**
   * Turns written on the main thread before writes move to a worker (default 50): a short-lived
   * store (a test, one CLI chat) never starts one. 0 starts it at once.
   */
  writerAfter?: number;
  /**
   * Once writes are on the worker, the shortest time between two of its wake-ups (ms, default 20):
   * a turn that ends within that long of the last wake-up waits for the rest of the window and
   * shares the next transaction. `turn.end` waits for the commit, so this is the most it can add
   * to it, and only under load.
   */
  groupCommitMs?: number;
}

const DEFAULT_LIMIT = 50;
const WRITER_AFTER = 50;
const GROUP_COMMIT_MS = 20;
const MAX_LIMIT = 500;

export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  if (typeof path !== 'string' || path.trim() === '') throw new StoreError(String(path), 'The database path is empty.');
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new StoreError(path, `Cannot open the database at ${path}: ${describe(err)}`, { cause: err });
  }
  try {
    prepareDatabase(db);
  } catch (err) {
    db.close();
    throw new StoreError(path, `The database at ${path} is not usable: ${describe(err)}`, { cause: err });
  }
  return new SqliteStore(db, path, options.logger, options.writerAfter ?? WRITER_AFTER, options.groupCommitMs ?? GROUP_COMMIT_MS);
}

function prepareDatabase(db: Database.Database): void {
  // The first read of the header: a file that is not SQLite fails here.
  db.pragma('journal_mode = WAL');
  // In WAL mode a commit is in the log file before it returns: it survives the process being
  // killed at any instant. NORMAL leaves only a power cut able to lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`its schema version ${version} is newer than this Barnabee understands (${MIGRATIONS.length})`);
  }
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) {
      const migration = MIGRATIONS[v]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
    // Proves the file is writable now rather than at the first turn.
    db.prepare('INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
      'store.opened_at',
      new Date().toISOString(),
      new Date().toISOString(),
    );
  })();
}

interface TurnRow {
  turn_id: string;
  conversation_id: string;
  created_at: string;
  ended_at: string;
  input: string;
  agent: string | null;
  intent: string | null;
  confidence: number | null;
  model: string | null;
  status: string;
  text: string;
  spoken_text: string | null;
  usage: string | null;
  metrics: string | null;
  events: string;
  transport: string | null;
}

type SpokenRow = Pick<TurnRow, 'turn_id' | 'created_at' | 'ended_at' | 'input' | 'text' | 'spoken_text' | 'events'>;

class SqliteStore implements Store {
  readonly kv: KeyValue;
  private readonly pending = new Map<string, TraceBuilder>();
  private readonly stmts;
  private written = 0;
  private writer: StoreWriter | null = null;
  private writerTried = false;
  /** Each conversation's last write not yet settled: its history waits for that one only. */
  private readonly lastWriteOf = new Map<string, Promise<boolean>>();
  private readonly runHere: (ops: WriteOp[]) => void;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly logger: StoreLogger | undefined,
    private readonly writerAfter: number,
    private readonly groupCommitMs: number,
  ) {
    const spoken = 'turn_id, created_at, ended_at, input, text, spoken_text, events';
    const s = {
      kvGet: db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?'),
      kvSet: db.prepare(
        'INSERT INTO kv (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      ),
      getTurn: db.prepare<[string], TurnRow>('SELECT * FROM turns WHERE turn_id = ?'),
      turnRowid: db.prepare<[string], { id: number }>('SELECT id FROM turns WHERE turn_id = ?'),
      getConversation: db.prepare<[string], { id: string; created_at: string }>('SELECT id, created_at FROM conversations WHERE id = ?'),
      // A request that never got past validation said nothing worth remembering.
      conversationTurns: db.prepare<[string], SpokenRow>(`SELECT ${spoken} FROM turns WHERE conversation_id = ? AND trim(input) != '' ORDER BY id`),
      history: db.prepare<[string, number], SpokenRow>(
        `SELECT ${spoken} FROM turns WHERE conversation_id = ? AND trim(input) != '' ORDER BY id DESC LIMIT ?`,
      ),
    };
    this.stmts = s;
    const writes = Object.fromEntries(Object.entries(WRITE_SQL).map(([name, sql]) => [name, db.prepare(sql)])) as Record<
      WriteOp[0],
      Database.Statement
    >;
    this.runHere = db.transaction((ops: WriteOp[]) => {
      for (const [name, params] of ops) {
        if (Array.isArray(params)) writes[name].run(...params);
        else writes[name].run(params);
      }
    });
    this.kv = {
      get: (key) => s.kvGet.get(key)?.value,
      set: (key, value) => void s.kvSet.run(key, value, new Date().toISOString()),
    };
    this.startWriter();
  }

  record(event: TurnEvent, meta?: TraceMeta): Promise<boolean> | undefined {
    let builder = this.pending.get(event.turn_id);
    if (!builder) {
      builder = new TraceBuilder(event.turn_id, meta, Date.now() - event.t_ms);
      this.pending.set(event.turn_id, builder);
    }
    builder.add(event);
    if (!builder.ended) return undefined;
    this.pending.delete(event.turn_id);
    return this.write(builder);
  }

  recordTurn(events: Iterable<TurnEvent>, meta?: TraceMeta): Promise<boolean> {
    let builder: TraceBuilder | undefined;
    let lastMs = 0;
    const list = [...events];
    for (const e of list) lastMs = Math.max(lastMs, e.t_ms);
    for (const event of list) {
      builder ??= new TraceBuilder(event.turn_id, meta, Date.now() - lastMs);
      builder.add(event);
    }
    if (!builder?.ended) {
      this.logger?.warn({ turn_id: builder ? list[0]!.turn_id : null }, 'store: a turn without turn.end was not recorded');
      return Promise.resolve(false);
    }
    return this.write(builder);
  }

  private write(builder: TraceBuilder): Promise<boolean> {
    const trace = builder.finish();
    const ops = writeOps(trace, new Date(builder.startedAt).toISOString(), new Date().toISOString());
    const done = this.writer ? this.writer.write(ops, trace.turn_id) : Promise.resolve(this.writeHere(ops, trace.turn_id));
    const id = trace.conversation_id;
    this.lastWriteOf.set(id, done);
    void done.then(() => {
      if (this.lastWriteOf.get(id) === done) this.lastWriteOf.delete(id);
    });
    return done;
  }

  private writeHere(ops: WriteOp[], turnId: string): boolean {
    try {
      this.runHere(ops);
    } catch (err) {
      this.failed(err, turnId);
      return false;
    }
    this.written++;
    this.startWriter();
    return true;
  }

  /** Once enough turns were written here, and only for a WAL file (a worker's connection needs one). */
  private startWriter(): void {
    if (this.writerTried || this.written < this.writerAfter) return;
    this.writerTried = true;
    if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') return;
    this.writer = startStoreWriter({
      path: this.path,
      runHere: this.runHere,
      groupMs: this.groupCommitMs,
      onError: (err, key) =>
        key ? this.failed(err, key) : this.logger?.warn({ err: describe(err), path: this.path }, 'store: writes stay on the main thread'),
    });
  }

  /** Mid-turn the store is an observer: a full disk loses a trace, never a turn. */
  private failed(err: unknown, turnId: string): void {
    this.logger?.warn({ err: describe(err), turn_id: turnId, path: this.path }, 'store: could not record a turn');
  }

  listTurns(options: { q?: string; limit?: number; before?: string } = {}): TurnTrace[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.q) {
      where.push("(input LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')");
      const like = likePattern(options.q);
      params.push(like, like);
    }
    if (options.before) {
      const row = this.stmts.turnRowid.get(options.before);
      if (row) {
        where.push('id < ?');
        params.push(row.id);
      } else {
        where.push('created_at < ?');
        params.push(options.before);
      }
    }
    const sql = `SELECT * FROM turns ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    params.push(clampLimit(options.limit));
    return (this.db.prepare(sql).all(...params) as TurnRow[]).map(toTrace);
  }

  getTurn(turnId: string): TurnTrace | undefined {
    const row = this.stmts.getTurn.get(turnId);
    return row ? toTrace(row) : undefined;
  }

  listConversations(options: { q?: string; limit?: number } = {}): ConversationSummary[] {
    const params: (string | number)[] = [];
    let filter = '';
    if (options.q) {
      filter = `WHERE c.id IN (SELECT conversation_id FROM turns WHERE input LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')`;
      const like = likePattern(options.q);
      params.push(like, like);
    }
    params.push(clampLimit(options.limit));
    const sql = `
      SELECT c.id, c.created_at, c.updated_at,
             (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) AS turn_count,
             (SELECT input FROM turns t WHERE t.conversation_id = c.id ORDER BY t.id DESC LIMIT 1) AS last_input
      FROM conversations c ${filter}
      ORDER BY (SELECT MAX(t.id) FROM turns t WHERE t.conversation_id = c.id) DESC, c.updated_at DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params) as ConversationSummary[];
  }

  getConversation(id: string): Conversation | undefined {
    const row = this.stmts.getConversation.get(id);
    if (!row) return undefined;
    const messages: StoredMessage[] = [];
    for (const turn of this.stmts.conversationTurns.all(id)) {
      messages.push({ role: 'user', content: turn.input, turn_id: turn.turn_id, created_at: turn.created_at });
      const answer = heardText(turn);
      if (answer.trim() !== '') messages.push({ role: 'assistant', content: answer, turn_id: turn.turn_id, created_at: turn.ended_at });
    }
    return { id: row.id, created_at: row.created_at, messages };
  }

  async history(conversationId: string, turns: number): Promise<HistoryMessage[]> {
    if (!(turns > 0)) return [];
    // The conversation's previous turn may still be on its way to the disk (a barge-in starts the
    // next turn at once): wait for that write, never on the event loop.
    await this.lastWriteOf.get(conversationId);
    try {
      const messages: HistoryMessage[] = [];
      for (const turn of this.stmts.history.all(conversationId, Math.floor(turns)).reverse()) {
        messages.push({ role: 'user', content: turn.input });
        // What history keeps is what the person actually heard (shorter after a barge-in), in the
        // model's own words, with the tools Barnabee ran for it and their results.
        messages.push(...heardMessages(turn));
      }
      return messages;
    } catch (err) {
      this.logger?.warn({ err: describe(err), path: this.path }, 'store: could not read history');
      return [];
    }
  }

  close(): void {
    this.writer?.close();
    this.writer = null;
    if (this.db.open) this.db.close();
  }
}

/** A finished turn as the statements of its one transaction. */
function writeOps(trace: TurnTrace, startedAt: string, endedAt: string): WriteOp[] {
  return [
    ['upsertConversation', [trace.conversation_id, startedAt, endedAt]],
    [
      'insertTurn',
      {
        turn_id: trace.turn_id,
        conversation_id: trace.conversation_id,
        created_at: trace.created_at,
        ended_at: endedAt,
        input: trace.input,
        agent: trace.agent,
        intent: trace.intent,
        confidence: trace.confidence,
        model: trace.model,
        status: trace.status,
        ...packTrace(trace),
        usage: trace.usage ? JSON.stringify(trace.usage) : null,
        metrics: trace.metrics ? JSON.stringify(trace.metrics) : null,
        transport: trace.transport,
      },
    ],
  ];
}

function toTrace(row: TurnRow): TurnTrace {
  return {
    turn_id: row.turn_id,
    conversation_id: row.conversation_id,
    created_at: row.created_at,
    input: row.input,
    agent: row.agent as TurnTrace['agent'],
    intent: row.intent,
    confidence: row.confidence,
    model: row.model,
    status: row.status as TurnStatus,
    ...unpackTrace(row),
    usage: row.usage ? (JSON.parse(row.usage) as TraceUsage) : null,
    metrics: row.metrics ? (JSON.parse(row.metrics) as TurnMetrics) : null,
    transport: row.transport,
  };
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
