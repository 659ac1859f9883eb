/**
 * Turn writes off the event loop. A turn's one transaction (~0.3 ms, ~20 WAL pages; now and then
 * SQLite's automatic checkpoint, the only step that fsyncs, 4–7 ms) runs on a worker thread with
 * its own connection, so the loop streaming every other turn never waits on the disk.
 *
 * Reads stay synchronous on the main connection. Each calls `settle()` first, which returns at
 * once when the writes it depends on are committed, and otherwise waits for the worker
 * (Atomics.wait on a shared counter: the length of one transaction, rarely more). So a read sees
 * every turn that ended before it; a conversation's history waits only for that conversation's
 * own last write.
 *
 * If the worker cannot start, dies or stops answering, the writes it had not finished are run on
 * the main thread, and so are all later ones.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The statements a turn's write runs; both sides prepare them from here. */
export const WRITE_SQL = {
  upsertConversation:
    'INSERT INTO conversations (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at',
  insertMessage: 'INSERT INTO messages (conversation_id, turn_id, role, content, created_at) VALUES (?, ?, ?, ?, ?)',
  insertTurn: `
    INSERT INTO turns (turn_id, conversation_id, created_at, input, agent, intent, confidence, model, status, text,
                       spoken_text, usage, metrics, events, transport)
    VALUES (@turn_id, @conversation_id, @created_at, @input, @agent, @intent, @confidence, @model, @status, @text,
            @spoken_text, @usage, @metrics, @events, @transport)`,
} as const;

/** One statement and its parameters (positional as an array, named as an object). */
export type WriteOp = [statement: keyof typeof WRITE_SQL, params: unknown[] | Record<string, unknown>];

/** How long a read waits for the worker before giving up on it. */
const SETTLE_TIMEOUT_MS = 5000;

// Plain CommonJS so the worker needs no TypeScript loader; better-sqlite3 is resolved by the parent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 2000');
const statements = {};
for (const [name, sql] of Object.entries(workerData.sql)) statements[name] = db.prepare(sql);
const done = new Int32Array(workerData.done);
const run = db.transaction((ops) => {
  for (const [name, params] of ops) Array.isArray(params) ? statements[name].run(...params) : statements[name].run(params);
});
parentPort.on('message', (m) => {
  if (m === 'close') {
    try { db.close(); } catch {}
    parentPort.close();
    return;
  }
  try {
    run(m.ops);
  } catch (err) {
    parentPort.postMessage({ key: m.key, error: String((err && err.message) || err) });
  }
  Atomics.store(done, 0, m.seq);
  Atomics.notify(done, 0);
});
`;

export interface StoreWriter {
  /** Hands a transaction over; returns its number (0 when it ran here, already done). */
  write(ops: WriteOp[], key: string): number;
  /** Returns once the writes handed over (up to number `upTo`) are committed (or failed and were reported). */
  settle(upTo?: number): void;
  /** The number of the last write finished. */
  finished(): number;
  close(): void;
}

export interface StoreWriterOptions {
  path: string;
  /** Runs a transaction on the main thread: the fallback. Throws what SQLite throws. */
  runHere(ops: WriteOp[]): void;
  /** A write that failed (key: the turn id), or the worker given up (no key). */
  onError(err: unknown, key?: string): void;
}

/** Starts the writer worker for the WAL database at `path`. Never throws: without a worker, writes run here. */
export function startStoreWriter(options: StoreWriterOptions): StoreWriter {
  const done = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | null = null;
  let posted = 0;
  // Handed over and maybe not yet committed: rerun here if the worker is given up.
  let inFlight: Array<{ seq: number; ops: WriteOp[]; key: string }> = [];

  const runHere = (ops: WriteOp[], key: string) => {
    try {
      options.runHere(ops);
    } catch (err) {
      options.onError(err, key);
    }
  };
  const forget = () => {
    const committed = Atomics.load(done, 0);
    let i = 0;
    while (i < inFlight.length && inFlight[i]!.seq <= committed) i++;
    if (i) inFlight = inFlight.slice(i);
  };
  const abandon = (why: unknown) => {
    if (!worker) return;
    const w = worker;
    worker = null;
    void w.terminate();
    options.onError(why);
    forget();
    const rest = inFlight;
    inFlight = [];
    for (const { ops, key } of rest) runHere(ops, key);
  };

  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path: options.path, sql: WRITE_SQL, done: done.buffer } });
    worker.unref();
    worker.on('message', (m: { key?: string; error?: string }) => options.onError(new Error(m.error), m.key));
    worker.once('error', (err) => abandon(err));
    worker.once('exit', (code) => abandon(new Error(`the store writer exited (code ${code})`)));
  } catch (err) {
    options.onError(err);
    worker = null;
  }

  return {
    write(ops, key) {
      if (!worker) {
        runHere(ops, key);
        return 0;
      }
      const seq = ++posted;
      inFlight.push({ seq, ops, key });
      if (inFlight.length > 64) forget();
      worker.postMessage({ seq, ops, key });
      return seq;
    },
    settle(upTo = posted) {
      if (!worker) return;
      const deadline = performance.now() + SETTLE_TIMEOUT_MS;
      for (;;) {
        const committed = Atomics.load(done, 0);
        if (committed >= upTo) break;
        const left = deadline - performance.now();
        if (left <= 0) return abandon(new Error(`the store writer did not answer within ${SETTLE_TIMEOUT_MS} ms`));
        Atomics.wait(done, 0, committed, left);
      }
      forget();
    },
    finished: () => (worker ? Atomics.load(done, 0) : posted),
    close() {
      this.settle();
      const w = worker;
      worker = null;
      if (!w) return;
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      // The worker closes its connection after the writes queued before this message.
      w.postMessage('close');
    },
  };
}
