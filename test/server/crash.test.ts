/**
 * Crash safety, for real: a server process runs turns for several clients at once and is killed
 * with SIGKILL mid-stream, five times, each time restarted on the same database file. Every turn
 * whose `turn.end` a client received must be in the database, as the client saw it, and the file
 * must pass SQLite's integrity check. About 14 s of CPU in all (mostly starting the five
 * server processes): ~15 s on an idle two-core machine; the timeout leaves room for a heavily
 * shared one (at a load average of 28 on two cores, one run took 72 s).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { openStore } from '../../src/turn/index.js';
import { tempDir } from '../support/turn-store.js';

const LIVES = 5;
/** Turns each life acknowledges before the kill (the child's store writes every one on its worker thread). */
const TURNS_PER_LIFE = 30;
const WS_CLIENTS = 6;
const NDJSON_CLIENTS = 2;
/** Streamed model answers and instant answers, so both kinds of turn are in flight at the kill. */
const TEXTS = ['tell me about otters', 'what time is it', 'explain how tides work', "what's twelve times seven", 'tell me a story'];

interface Acked {
  text: string;
  status: string;
  conversation_id: string;
}

async function startChild(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/server-child-real.ts', import.meta.url))], {
    env: { ...process.env, BARNABEE_DB: db },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  while (!out.includes('\n')) await once(child.stdout!, 'data');
  return { child, url: out.split('\n')[0]! };
}

/** One life of the server: clients run turns until the server dies under them. `onEvent` sees each event once it is acknowledged. */
async function life(url: string, n: number, acked: Map<string, Acked>, onEvent: (e: Record<string, any>) => void): Promise<void> {
  const ack = (e: Record<string, any>, conversationId: string) => {
    acked.set(e.turn_id as string, { text: e.text as string, status: e.status as string, conversation_id: conversationId });
  };

  const wsClient = (k: number) =>
    new Promise<void>((resolve) => {
      const conversationId = `life${n}-ws${k}`;
      const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws`);
      let i = k;
      const next = () => socket.send(JSON.stringify({ type: 'turn.create', text: TEXTS[i++ % TEXTS.length], conversation_id: conversationId }));
      socket.on('open', next);
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const e = JSON.parse(data.toString()) as Record<string, any>;
        if (e.type === 'turn.end') ack(e, conversationId);
        onEvent(e);
        if (e.type === 'turn.end') next();
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });

  const ndjsonClient = async (k: number) => {
    const conversationId = `life${n}-nd${k}`;
    for (let i = k; ; i++) {
      let lines: Record<string, any>[];
      try {
        const res = await fetch(`${url}/api/v1/chat/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: TEXTS[i % TEXTS.length], conversation_id: conversationId }),
        });
        lines = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
      } catch {
        return; // the server is gone
      }
      const end = lines.at(-1);
      // A response cut short by the kill has no turn.end: that turn was never acknowledged.
      if (end?.type === 'turn.end') ack(end, conversationId);
      for (const e of lines) onEvent(e);
    }
  };

  await Promise.all([
    ...Array.from({ length: WS_CLIENTS }, (_, k) => wsClient(k)),
    ...Array.from({ length: NDJSON_CLIENTS }, (_, k) => ndjsonClient(k)),
  ]);
}

function assertAllPresent(db: string, acked: Map<string, Acked>, when: string): void {
  const store = openStore(db);
  try {
    for (const [turnId, seen] of acked) {
      const trace = store.getTurn(turnId);
      assert.ok(trace, `${when}: turn ${turnId} (${seen.conversation_id}) was acknowledged with turn.end but is not in the database`);
      assert.deepEqual({ text: trace.text, status: trace.status, conversation_id: trace.conversation_id }, seen, `${when}: turn ${turnId}`);
    }
  } finally {
    store.close();
  }
}

describe('crash', () => {
  it('every turn a client saw end survives kill -9 mid-stream, five times over, and the database stays intact', { timeout: 300_000 }, async (t) => {
    const db = join(tempDir(t, 'barnabee-crash-'), 'crash.db');
    const acked = new Map<string, Acked>();
    for (let n = 0; n < LIVES; n++) {
      const { child, url } = await startChild(db);
      t.after(() => void child.kill('SIGKILL'));
      const exited = once(child, 'exit');
      const killAt = acked.size + TURNS_PER_LIFE;
      let killed = false;
      // Every other life, a slow disk: another connection holds the write lock, so the turns ending
      // now cannot be committed, and is killed once two of them have sent their last text (a server
      // that announced turn.end before its commit loses those turns). The other lives are killed
      // the instant a client holds a turn.end, while the other clients' answers stream.
      const slowDisk = n % 2 === 1;
      let lock: Database.Database | null = null;
      let doneSinceLock = 0;
      await life(url, n, acked, (e) => {
        if (killed || acked.size < killAt) return;
        if (!slowDisk) {
          if (e.type === 'turn.end') killed = child.kill('SIGKILL');
        } else if (!lock) {
          lock = new Database(db);
          lock.exec('BEGIN IMMEDIATE');
        } else if (e.type === 'chunk' && e.done && ++doneSinceLock === 2) killed = child.kill('SIGKILL');
      });
      if (lock) {
        (lock as Database.Database).exec('ROLLBACK');
        (lock as Database.Database).close();
      }
      const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      assert.equal(signal, 'SIGKILL', `life ${n} ended by the kill`);
      assertAllPresent(db, acked, `after kill ${n + 1}`);
    }
    assert.ok(acked.size >= LIVES * TURNS_PER_LIFE, `${acked.size} turns acknowledged`);

    const raw = new Database(db, { readonly: true });
    t.after(() => raw.close());
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(raw.pragma('foreign_key_check'), []);
  });
});
