/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold and, with `synchronous = NORMAL`, is the only step that fsyncs: on the
 * main thread that is a 4–7 ms stall every ~100 turns, felt by every stream in flight. Here a
 * worker thread with its own connection runs PASSIVE checkpoints (they never block the writer)
 * every second, repeated while the writer keeps adding frames, so that the checkpoint catches up
 * and the next commit starts the WAL over. While the worker is up the main connection's own
 * checkpoint threshold is raised, not removed: if the worker never catches up (writes without
 * pause), the main thread still checkpoints, rarely, and the WAL stays bounded. If the worker cannot
 * start or dies, the default threshold comes back.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default automatic checkpoint threshold, in pages (4 MB). */
const AUTO_CHECKPOINT_PAGES = 1000;
/** The main thread's threshold while the worker checkpoints: the WAL's bound (~40 MB), reached only if the worker falls behind. */
const BACKSTOP_PAGES = 10_000;
const EVERY_MS = 1000;
/** At most this many PASSIVE passes per round. */
const PASSES = 8;

// Plain CommonJS so the worker needs no TypeScript loader; better-sqlite3 is resolved by the parent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
// A pass copies the frames that existed when it began; the writer restarts the WAL at its next
// commit only if none were added meanwhile. So passes repeat (each shorter) until one finds the
// WAL where the previous one left it.
const checkpoint = () => {
  try {
    let last = -1;
    for (let i = 0; i < workerData.passes; i++) {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      if (!r || r.log <= 0 || r.log === last) return;
      last = r.log;
    }
  } catch {}
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  try { db.close(); } catch {}
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export interface Checkpointer {
  close(): void;
}

/** Starts the checkpoint worker for `db` (a WAL database file at `path`). Never throws. */
export function startCheckpointer(db: Database.Database, path: string, onError?: (err: unknown) => void): Checkpointer {
  let worker: Worker | null = null;
  const restoreAuto = () => {
    try {
      if (db.open) db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    } catch {
      // The database is closing: nothing left to checkpoint from here.
    }
  };
  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, everyMs: EVERY_MS, passes: PASSES } });
    worker.unref();
    worker.once('message', () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    });
    worker.once('error', (err) => {
      onError?.(err);
      restoreAuto();
    });
    worker.once('exit', () => {
      worker = null;
      restoreAuto();
    });
  } catch (err) {
    onError?.(err);
  }
  return {
    close() {
      // The worker checkpoints once more and closes its connection; the main one closes after.
      worker?.postMessage('close');
      worker = null;
    },
  };
}
