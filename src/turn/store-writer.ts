/**
 * Turn writes off the event loop. A turn's one transaction (~0.3 ms, ~20 WAL pages; now and then
 * SQLite's automatic checkpoint, the only step that fsyncs, 4–7 ms) runs on a worker thread with
 * its own connection, so the loop streaming every other turn never waits on the disk.
 *
 * Group commit: the turns that reach the worker in one go are written in one transaction (each in
 * a savepoint of its own, so one bad turn fails alone), and each `write` promise settles once its
 * turn is committed. Committed in WAL mode is durable across a process kill (`synchronous=NORMAL`
 * leaves only power loss to the next checkpoint), so the turn runner holds `turn.end` until then.
 *
 * Nothing here blocks the main thread but `settle()`, which only `close()` calls. If the worker
 * cannot start, dies or stops answering, the writes it had not finished are run on the main
 * thread, and so are all later ones.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The statements a turn's write runs; both sides prepare them from here. */
export const WRITE_SQL = {
  upsertConversation:
    'INSERT INTO conversations (id, created_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at',
  insertTurn: `
    INSERT INTO turns (turn_id, conversation_id, created_at, ended_at, input, agent, intent, confidence, model, status, text,
                       spoken_text, usage, metrics, events, transport)
    VALUES (@turn_id, @conversation_id, @created_at, @ended_at, @input, @agent, @intent, @confidence, @model, @status, @text,
            @spoken_text, @usage, @metrics, @events, @transport)`,
} as const;

/** One statement and its parameters (positional as an array, named as an object). */
export type WriteOp = [statement: keyof typeof WRITE_SQL, params: unknown[] | Record<string, unknown>];

/** How long a write may wait for the worker before the worker is given up. */
const WORKER_TIMEOUT_MS = 5000;

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
// Inside \`batch\` a turn's transaction is a savepoint: a turn that fails rolls back alone.
const turn = db.transaction((ops) => {
  for (const [name, params] of ops) Array.isArray(params) ? statements[name].run(...params) : statements[name].run(params);
});
const batch = db.transaction((writes, failed) => {
  for (const w of writes) {
    try { turn(w.ops); } catch (err) { failed.push({ key: w.key, seq: w.seq, error: String((err && err.message) || err) }); }
  }
});
let queue = [];
const flush = () => {
  const writes = queue;
  queue = [];
  if (!writes.length) return;
  let failed = [];
  try {
    batch(writes, failed);
  } catch {
    // The commit itself failed: write the turns one by one to find the ones that cannot be.
    failed = [];
    for (const w of writes) {
      try { turn(w.ops); } catch (err) { failed.push({ key: w.key, seq: w.seq, error: String((err && err.message) || err) }); }
    }
  }
  const seq = writes[writes.length - 1].seq;
  Atomics.store(done, 0, seq);
  Atomics.notify(done, 0);
  parentPort.postMessage({ done: seq, failed });
};
parentPort.on('message', (m) => {
  if (m === 'close') {
    flush();
    try { db.close(); } catch {}
    parentPort.close();
    return;
  }
  // The messages already queued arrive before setImmediate runs: they become one batch.
  if (!queue.length) setImmediate(flush);
  queue.push(m);
});
`;

export interface StoreWriter {
  /** Hands a transaction over; settles once it is committed (true) or failed and was reported (false). Never rejects. */
  write(ops: WriteOp[], key: string): Promise<boolean>;
  /** Blocks until every write handed over is finished. For `close()` only: reads never wait on the writer. */
  settle(): void;
  close(): void;
}

export interface StoreWriterOptions {
  path: string;
  /** Runs a transaction on the main thread: the fallback. Throws what SQLite throws. */
  runHere(ops: WriteOp[]): void;
  /** A write that failed (key: the turn id), or the worker given up (no key). */
  onError(err: unknown, key?: string): void;
}

interface InFlight {
  seq: number;
  ops: WriteOp[];
  key: string;
  postedAt: number;
  resolve(ok: boolean): void;
}

interface DoneMessage {
  done: number;
  failed: Array<{ key: string; seq: number; error: string }>;
}

/** Starts the writer worker for the WAL database at `path`. Never throws: without a worker, writes run here. */
export function startStoreWriter(options: StoreWriterOptions): StoreWriter {
  const done = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | null = null;
  let posted = 0;
  // Handed over, in order, and not yet known to be committed: rerun here if the worker is given up.
  let inFlight: InFlight[] = [];
  let watchdog: NodeJS.Timeout | null = null;

  const runHere = (ops: WriteOp[], key: string): boolean => {
    try {
      options.runHere(ops);
      return true;
    } catch (err) {
      options.onError(err, key);
      return false;
    }
  };
  /** Settles the writes up to `upTo`; `failed` holds the numbers of those that were not written. */
  const finish = (upTo: number, failed: ReadonlySet<number> = new Set()) => {
    let i = 0;
    while (i < inFlight.length && inFlight[i]!.seq <= upTo) {
      inFlight[i]!.resolve(!failed.has(inFlight[i]!.seq));
      i++;
    }
    if (i) inFlight = inFlight.slice(i);
    if (!inFlight.length) idle();
  };
  // While a write waits, the worker keeps the process alive and a watchdog watches it.
  const busy = () => {
    worker?.ref();
    watchdog ??= setTimeout(watch, WORKER_TIMEOUT_MS);
  };
  const idle = () => {
    worker?.unref();
    if (watchdog) clearTimeout(watchdog);
    watchdog = null;
  };
  const watch = () => {
    watchdog = null;
    const oldest = inFlight[0];
    if (!oldest) return;
    const waited = performance.now() - oldest.postedAt;
    if (waited >= WORKER_TIMEOUT_MS) abandon(new Error(`the store writer did not answer within ${WORKER_TIMEOUT_MS} ms`));
    else watchdog = setTimeout(watch, WORKER_TIMEOUT_MS - waited);
  };
  const abandon = (why: unknown) => {
    if (!worker) return;
    const w = worker;
    worker = null;
    idle();
    void w.terminate();
    options.onError(why);
    // What the worker committed stays committed; the rest is written here, in order.
    finish(Atomics.load(done, 0));
    const rest = inFlight;
    inFlight = [];
    for (const write of rest) write.resolve(runHere(write.ops, write.key));
  };

  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path: options.path, sql: WRITE_SQL, done: done.buffer } });
    worker.unref();
    worker.on('message', (m: DoneMessage) => {
      for (const f of m.failed) options.onError(new Error(f.error), f.key);
      finish(m.done, new Set(m.failed.map((f) => f.seq)));
    });
    worker.once('error', (err) => abandon(err));
    worker.once('exit', (code) => abandon(new Error(`the store writer exited (code ${code})`)));
  } catch (err) {
    options.onError(err);
    worker = null;
  }

  return {
    write(ops, key) {
      if (!worker) return Promise.resolve(runHere(ops, key));
      const seq = ++posted;
      return new Promise<boolean>((resolve) => {
        inFlight.push({ seq, ops, key, postedAt: performance.now(), resolve });
        worker!.postMessage({ seq, ops, key });
        busy();
      });
    },
    settle() {
      const deadline = performance.now() + WORKER_TIMEOUT_MS;
      while (worker) {
        const committed = Atomics.load(done, 0);
        if (committed >= posted) break;
        const left = deadline - performance.now();
        if (left <= 0) return abandon(new Error(`the store writer did not answer within ${WORKER_TIMEOUT_MS} ms`));
        Atomics.wait(done, 0, committed, left);
      }
      // Their messages may never be read now: settle them here (a failure was reported by the worker's message, if it came).
      finish(Atomics.load(done, 0));
    },
    close() {
      this.settle();
      const w = worker;
      worker = null;
      idle();
      if (!w) return;
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      // The worker closes its connection after the writes queued before this message.
      w.postMessage('close');
    },
  };
}
