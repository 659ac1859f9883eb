/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * crosses the threshold and, with `synchronous = NORMAL`, is the only step that fsyncs: on the
 * main thread that is a 4–7 ms stall every ~100 turns, felt by every stream in flight. Here a
 * worker thread with its own connection runs a PASSIVE checkpoint (it never blocks the writer)
 * every second, and the main connection stops checkpointing while the worker is up. If the worker
 * cannot start or dies, automatic checkpoints come back, so the WAL never grows without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default automatic checkpoint threshold, in pages. */
const AUTO_CHECKPOINT_PAGES = 1000;
const EVERY_MS = 1000;

// Plain CommonJS so the worker needs no TypeScript loader; better-sqlite3 is resolved by the parent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
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
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, everyMs: EVERY_MS } });
    worker.unref();
    worker.once('message', () => {
      if (db.open) db.pragma('wal_autocheckpoint = 0');
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
