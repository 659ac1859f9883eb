/**
 * Turn writes off the event loop. A turn's one transaction (~0.1 ms, ~5 WAL pages; now and then
 * SQLite's automatic checkpoint, the only step that fsyncs, 4–7 ms) runs on a worker thread with
 * its own connection, so the loop streaming every other turn never waits on the disk.
 *
 * Group commit: the turns that reach the worker in one go are written in one transaction (each in
 * a savepoint of its own, so one bad turn fails alone), and each `write` promise settles once its
 * turn is committed. The worker is woken at most once per `groupMs`: a write handed over within
 * that long of the last wake-up waits for the window's end and is committed with the others that
 * came meanwhile. An idle server's write goes at once; a busy one's turns share their pages and
 * their wake-up (bench/server/findings.json). Committed in WAL mode is durable across a process
 * kill (`synchronous=NORMAL` leaves only power loss to the next checkpoint), so the turn runner
 * holds `turn.end` until then.
 *
 * Nothing here blocks the main thread but `settle()`, which only `close()` calls. If the worker
 * cannot start, dies or stops answering, the writes it had not finished are run on the main
 * thread, and so are all later ones.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

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

/**
 * The control block both threads share (Int32 slots): the last write handed over, the last one
 * finished, and the request to close. Sequence numbers are kept modulo 2^32 there; see `committed`.
 */
const POSTED = 0;
const DONE = 1;
const CLOSING = 2;

// Plain CommonJS so the worker needs no TypeScript loader; better-sqlite3 is resolved by the parent.
//
// The hand-off is a futex, not a message event: the worker sleeps in Atomics.wait and takes the
// writes from its port with receiveMessageOnPort, so it never runs an event loop. Waking it this
// way costs a third of a posted message's wake-up (bench/store.ts), and a turn's write is mostly
// that wake-up.
const WORKER_SOURCE = `
const { receiveMessageOnPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const { writes: port, failures } = workerData;
const ctl = new Int32Array(workerData.ctl);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 2000');
const statements = {};
for (const [name, sql] of Object.entries(workerData.sql)) statements[name] = db.prepare(sql);
// Inside \`batch\` a turn's transaction is a savepoint: a turn that fails rolls back alone.
const turn = db.transaction((ops) => {
  for (const [name, params] of ops) Array.isArray(params) ? statements[name].run(...params) : statements[name].run(params);
});
const batch = db.transaction((writes, failed) => {
  for (const w of writes) {
    try { turn(w.ops); } catch (err) { failed.push({ key: w.key, seq: w.seq, error: String((err && err.message) || err) }); }
  }
});
const commit = (writes) => {
  let failed = [];
  try {
    // A turn alone is its own transaction: no savepoint to open and release.
    if (writes.length === 1) turn(writes[0].ops);
    else batch(writes, failed);
  } catch {
    // The commit itself failed: write the turns one by one to find the ones that cannot be.
    failed = [];
    for (const w of writes) {
      try { turn(w.ops); } catch (err) { failed.push({ key: w.key, seq: w.seq, error: String((err && err.message) || err) }); }
    }
  }
  // Reported before DONE moves, so the parent has them when it sees the turns finished.
  for (const f of failed) failures.postMessage(f);
  Atomics.store(ctl, ${DONE}, writes[writes.length - 1].seq | 0);
  Atomics.notify(ctl, ${DONE});
};
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${POSTED}, seen);
  seen = Atomics.load(ctl, ${POSTED});
  // Everything in the port is one batch: at least what POSTED counts (a write is in the port
  // before it is counted), perhaps a little more.
  const writes = [];
  for (let m; (m = receiveMessageOnPort(port)); ) writes.push(m.message);
  if (writes.length) commit(writes);
  if (Atomics.load(ctl, ${CLOSING})) break;
}
db.close();
port.close();
failures.close();
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
  /** The shortest time between two wake-ups of the worker (ms; default 0: every write wakes it). */
  groupMs?: number;
}

interface InFlight {
  seq: number;
  ops: WriteOp[];
  key: string;
  postedAt: number;
  resolve(ok: boolean): void;
}

// In Node 20 and ES2024; the project's TypeScript lib predates it.
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string } })
  .waitAsync;

interface Failure {
  key: string;
  seq: number;
  error: string;
}

/** Starts the writer worker for the WAL database at `path`. Never throws: without a worker, writes run here. */
export function startStoreWriter(options: StoreWriterOptions): StoreWriter {
  const ctl = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const writes = new MessageChannel();
  const failures = new MessageChannel();
  let worker: Worker | null = null;
  let posted = 0;
  // Handed over, in order, and not yet known to be committed: rerun here if the worker is given up.
  let inFlight: InFlight[] = [];
  let watchdog: NodeJS.Timeout | null = null;
  let waiting = false;
  const groupMs = options.groupMs ?? 0;
  let lastWake = -Infinity;
  let wakeTimer: NodeJS.Timeout | null = null;

  const runHere = (ops: WriteOp[], key: string): boolean => {
    try {
      options.runHere(ops);
      return true;
    } catch (err) {
      options.onError(err, key);
      return false;
    }
  };
  /** The last write the worker finished. The slots hold numbers modulo 2^32; what lies between them is small. */
  const committed = (done = Atomics.load(ctl, DONE)) => posted - (((posted | 0) - done) | 0);
  /** Settles the writes the worker has finished, with the failures it reported for them. */
  const finish = () => {
    const upTo = committed();
    const failed = new Set<number>();
    for (let m; (m = receiveMessageOnPort(failures.port1)); ) {
      const f = m.message as Failure;
      options.onError(new Error(f.error), f.key);
      failed.add(f.seq);
    }
    let i = 0;
    while (i < inFlight.length && inFlight[i]!.seq <= upTo) {
      inFlight[i]!.resolve(!failed.has(inFlight[i]!.seq));
      i++;
    }
    if (i) inFlight = inFlight.slice(i);
    if (!inFlight.length) idle();
  };
  /** Settles writes as the worker finishes them: one waiter at a time, woken by the worker's notify. */
  const watchDone = () => {
    if (waiting || !worker || !inFlight.length) return;
    const done = Atomics.load(ctl, DONE);
    const result = committed(done) >= inFlight[0]!.seq ? null : waitAsync(ctl, DONE, done);
    if (!result?.async) return void queueMicrotask(onDone);
    waiting = true;
    void (result.value as Promise<string>).then(() => {
      waiting = false;
      onDone();
    });
  };
  const onDone = () => {
    if (!worker) return;
    finish();
    watchDone();
  };
  const wake = () => {
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeTimer = null;
    lastWake = performance.now();
    // What it counts is in the port already: the worker takes everything up to POSTED.
    Atomics.store(ctl, POSTED, posted | 0);
    Atomics.notify(ctl, POSTED);
  };
  /** Wakes the worker now, or at the end of the window opened by the last wake-up. */
  const wakeSoon = () => {
    if (wakeTimer) return;
    const wait = lastWake + groupMs - performance.now();
    if (wait <= 0) return wake();
    wakeTimer = setTimeout(wake, wait);
  };
  // While a write waits, the worker keeps the process alive and a watchdog watches it.
  const busy = () => {
    worker?.ref();
    watchdog ??= setTimeout(watch, WORKER_TIMEOUT_MS);
    watchDone();
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
    // What the worker committed stays committed; the rest is written here, in order.
    finish();
    worker = null;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeTimer = null;
    idle();
    void w.terminate();
    options.onError(why);
    const rest = inFlight;
    inFlight = [];
    for (const write of rest) write.resolve(runHere(write.ops, write.key));
  };

  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, path: options.path, sql: WRITE_SQL, ctl: ctl.buffer, writes: writes.port2, failures: failures.port2 },
      transferList: [writes.port2, failures.port2],
    });
    worker.unref();
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
        writes.port1.postMessage({ seq, ops, key });
        busy();
        wakeSoon();
      });
    },
    settle() {
      if (wakeTimer) wake();
      const deadline = performance.now() + WORKER_TIMEOUT_MS;
      while (worker) {
        const done = Atomics.load(ctl, DONE);
        if (committed(done) >= posted) break;
        const left = deadline - performance.now();
        if (left <= 0) return abandon(new Error(`the store writer did not answer within ${WORKER_TIMEOUT_MS} ms`));
        Atomics.wait(ctl, DONE, done, left);
      }
      if (worker) finish();
    },
    close() {
      this.settle();
      const w = worker;
      worker = null;
      idle();
      if (!w) return;
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      // The worker closes its connection once it has seen this, after the writes handed over before it.
      Atomics.store(ctl, CLOSING, 1);
      Atomics.notify(ctl, POSTED);
    },
  };
}
