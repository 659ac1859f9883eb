/**
 * SSE reconnects (docs/protocol.md "Reconnects and resuming (SSE)"): a real `EventSource` runs one
 * turn however often it reconnects, a dropped stream resumes the same turn with no gap and no
 * duplicate, a finished turn answers 204, and nobody else can resume a client's turn.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { pino } from 'pino';
import { createAssistant } from '../../src/assistant.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { createEventBus, openStore, type Agent, type Store } from '../../src/turn/index.js';
import { readSse, textOf, turnEvents } from '../support/server-clients.js';
import { scriptedAgent, testConfig, type ScriptRecord } from '../support/server-assistant.js';
import { tempDir } from '../support/turn-store.js';
import { waitUntil as until } from '../support/wait.js';

interface Server {
  url: string;
  records: ScriptRecord[];
  store: Store;
  server: RunningServer;
}

/** The scripted agent behind a real server, recording into a real SQLite store. */
async function start(env: Record<string, string>, dir: string, agent?: Agent): Promise<Server> {
  const config = testConfig({ BARNABEE_DB: `${dir}/sse.db`, ...env });
  const store = openStore(config.BARNABEE_DB);
  const bus = createEventBus();
  const records: ScriptRecord[] = [];
  const a = agent ?? scriptedAgent(records);
  const assistant = createAssistant({
    router: { classify: () => ({ agent: 'interaction', intent: 'chat', confidence: 1 }) },
    agents: { instant: a, action: a, interaction: a },
    bus,
    store,
    historyTurns: 0,
  });
  const server = await startServer({ config, assistant, bus, store }, { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'silent' }) });
  return { url: server.url, records, store, server };
}

const stop = async (s: Server) => {
  await s.server.close();
  s.store.close();
};

const TURN_EVENTS = ['turn.start', 'route', 'chunk', 'usage', 'turn.error', 'turn.end'] as const;

/** A real EventSource that records every turn event, every id and every error it fires. */
function watch(url: string, init?: ConstructorParameters<typeof EventSource>[1]) {
  const es = new EventSource(url, init);
  const events: Array<Record<string, any>> = [];
  const ids: string[] = [];
  const errors: Array<{ code?: number; message?: string }> = [];
  let wake: () => void = () => {};
  for (const name of TURN_EVENTS) {
    es.addEventListener(name, (m) => {
      events.push(JSON.parse(m.data) as Record<string, any>);
      ids.push(m.lastEventId);
      wake();
    });
  }
  es.addEventListener('error', (e) => {
    errors.push({ code: (e as { code?: number }).code, message: (e as { message?: string }).message });
    wake();
  });
  const waitFor = async (pred: () => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; events ${JSON.stringify(events.map((e) => `${e.type}:${e.seq}`))}, errors ${JSON.stringify(errors)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  };
  return { es, events, ids, errors, waitFor };
}

/** Every seq 0..turn.end exactly once, in order. */
function assertWhole(events: Array<Record<string, any>>): void {
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i),
    `seqs ${JSON.stringify(events.map((e) => e.seq))}`,
  );
  assert.equal(events[0]!.type, 'turn.start');
  assert.equal(events.at(-1)!.type, 'turn.end');
  assert.equal(new Set(events.map((e) => e.turn_id)).size, 1, 'one turn');
}

describe('SSE reconnects', () => {
  let s: Server;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'barnabee-sse-'));
    // A short retry so EventSource comes back quickly; the resume window stays at its default.
    s = await start({ SSE_RETRY_MS: '100' }, dir);
  });
  after(async () => {
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  });

  const turnsOf = (text: string) => s.records.filter((r) => r.text === text).length;

  it('a standard EventSource on GET runs exactly one turn, then stops at the 204', async () => {
    const text = 'echo unlock the front door';
    const w = watch(`${s.url}/api/v1/chat/stream?text=${encodeURIComponent(text)}`);
    // The server ends the stream after turn.end; EventSource reconnects with Last-Event-ID and
    // hears 204, which closes it for good.
    await w.waitFor(() => w.errors.some((e) => e.code === 204));
    assert.equal(w.es.readyState, w.es.CLOSED);
    assertWhole(w.events);
    assert.equal(textOf(w.events), 'You said: unlock the front door');
    assert.deepEqual(w.ids, w.events.map((e) => `${e.turn_id}:${e.seq}`), 'every event has id turn_id:seq');
    assert.equal(turnsOf(text), 1, 'the reconnect ran no second turn');
    w.es.close();
  });

  it('a stream cut mid-turn resumes the same turn with no gap and no duplicate', async () => {
    const text = 'slow 30 10';
    let calls = 0;
    // The first connection is cut by the network after a few chunks (the reader errors, as on a
    // dropped TCP connection); the reconnect goes through untouched.
    const cutting = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      calls++;
      const res = await fetch(input, init);
      if (calls > 1 || !res.body) return res;
      const reader = res.body.getReader();
      let seen = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          seen += new TextDecoder().decode(value);
          controller.enqueue(value);
          if ((seen.match(/event: chunk/g) ?? []).length >= 5) {
            await reader.cancel();
            controller.error(new TypeError('network connection lost'));
          }
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const w = watch(`${s.url}/api/v1/chat/stream?text=${encodeURIComponent(text)}`, { fetch: cutting as never });
    await w.waitFor(() => w.errors.some((e) => e.code === 204));
    assert.ok(calls >= 3, `connections: ${calls} (first, resume, 204)`);
    assertWhole(w.events);
    assert.equal(textOf(w.events), Array.from({ length: 30 }, (_, i) => `${i} `).join(''));
    assert.equal(w.events.at(-1)!.status, 'completed', 'the turn went on while the client was away');
    assert.equal(turnsOf(text), 1);
    w.es.close();
  });

  it('fetch with Last-Event-ID (header, or ?lastEventId=) resumes a POST stream', async () => {
    const body = JSON.stringify({ text: 'slow 20 10' });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    const first = await readSse(`${s.url}/api/v1/chat/stream`, init, (m) => m.event === 'chunk' && JSON.parse(m.data).seq >= 4);
    assert.match(first.comments.join('') + first.messages.map((m) => m.id).join(','), /:/);
    const lastId = first.messages.at(-1)!.id!;
    const second = await readSse(`${s.url}/api/v1/chat/stream`, { ...init, headers: { ...init.headers, 'last-event-id': lastId } });
    assert.equal(second.status, 200);
    const all = [...turnEvents(first), ...turnEvents(second)];
    assertWhole(all);
    assert.equal(turnsOf('slow 20 10'), 1, 'the POST body of a resume starts nothing');

    // The query form, for clients that cannot set headers; the end was delivered: 204.
    const endId = second.messages.at(-1)!.id!;
    const done = await fetch(`${s.url}/api/v1/chat/stream?lastEventId=${encodeURIComponent(endId)}`);
    assert.equal(done.status, 204);
    // A resume from the middle of an ended turn (within the window) replays the exact events.
    const again = await readSse(`${s.url}/api/v1/chat/stream?lastEventId=${encodeURIComponent(lastId)}`);
    assert.deepEqual(turnEvents(again), turnEvents(second));
    assert.equal(turnsOf('slow 20 10'), 1);
  });

  it('the stream starts with a retry hint', async () => {
    const res = await fetch(`${s.url}/api/v1/chat/stream?text=hi`);
    const raw = await res.text();
    assert.ok(raw.startsWith('retry: 100\n\n'), raw.slice(0, 40));
  });

  it('unknown, malformed and other clients\' turn ids never start or reveal a turn', async () => {
    const before = s.records.length;
    const unknown = await fetch(`${s.url}/api/v1/chat/stream?text=hi`, { headers: { 'last-event-id': `${crypto.randomUUID()}:3` } });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_turn');
    const bad = await fetch(`${s.url}/api/v1/chat/stream?text=hi`, { headers: { 'last-event-id': 'not an id' } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_last_event_id');

    // A turn of 127.0.0.1, asked for from 127.0.0.2: the same answer as an unknown id.
    const mine = await readSse(`${s.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 10 10')}`, {}, (m) => m.event === 'chunk');
    const id = mine.messages.at(-1)!.id!;
    const port = Number(new URL(s.url).port);
    const foreign = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, localAddress: '127.0.0.2', path: '/api/v1/chat/stream?text=hi', headers: { 'last-event-id': id } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(foreign.status, 404);
    assert.match(foreign.body, /unknown_turn/);
    assert.equal(s.records.length, before + 1, 'only the one real turn ran');
  });
});

describe('SSE resume after the window', () => {
  it('a turn nobody came back for is cancelled, and a late reconnect still hears its turn.end, then 204', async (t) => {
    const s = await start({ SSE_RESUME_MS: '200' }, tempDir(t, 'barnabee-sse-'));
    t.after(() => stop(s));
    const first = await readSse(`${s.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 100 20')}`, {}, (m) => m.event === 'chunk');
    const rec = await until(() => s.records.find((r) => r.abortedAt !== null));
    assert.equal(rec.finished, false);
    const lastId = first.messages.at(-1)!.id!;
    const rest = await readSse(`${s.url}/api/v1/chat/stream`, { headers: { 'last-event-id': lastId } });
    assert.equal(rest.status, 200);
    const all = [...turnEvents(first), ...turnEvents(rest)];
    // Within the window the rest comes from memory, without a gap; a machine slow enough to come
    // back after it gets the stored trace, condensed. Either way: this turn, in order, to its end.
    const seqs = all.map((e) => e.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), `seqs ${JSON.stringify(seqs)}`);
    assert.equal(all[0]!.type, 'turn.start');
    assert.equal(new Set(all.map((e) => e.turn_id)).size, 1, 'one turn');
    assert.equal(all.at(-1)!.type, 'turn.end');
    assert.equal(all.at(-1)!.status, 'cancelled');
    assert.equal((await fetch(`${s.url}/api/v1/chat/stream`, { headers: { 'last-event-id': rest.messages.at(-1)!.id! } })).status, 204);
  });
});

describe('SSE resume from the stored trace', () => {
  it('once the window has passed, a resume is served from the trace and ends with the whole text', async (t) => {
    // SSE_RESUME_MS=0: an ended turn's events are let go at once; its owner is still known.
    const s = await start({ SSE_RESUME_MS: '0' }, tempDir(t, 'barnabee-sse-'));
    t.after(() => stop(s));
    const full = turnEvents(await readSse(`${s.url}/api/v1/chat/stream?text=${encodeURIComponent('echo one two three')}`));
    const end = full.at(-1)!;
    await until(() => s.store.getTurn(end.turn_id));
    const r = await readSse(`${s.url}/api/v1/chat/stream`, { headers: { 'last-event-id': `${end.turn_id}:1` } });
    assert.equal(r.status, 200);
    const resumed = turnEvents(r);
    assert.ok(resumed.every((e) => e.seq > 1 && e.turn_id === end.turn_id));
    const pick = ({ type, turn_id, seq, t_ms, status, text, spoken_text, metrics }: Record<string, any>) => ({ type, turn_id, seq, t_ms, status, text, spoken_text, metrics });
    assert.deepEqual(pick(resumed.at(-1)!), pick(end), 'turn.end as it was sent');
    assert.equal(resumed.at(-1)!.text, 'You said: one two three');
    assert.ok(resumed.length < full.length - 2, 'condensed: the chunks come as one');
    const seqs = resumed.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
    assert.equal((await fetch(`${s.url}/api/v1/chat/stream`, { headers: { 'last-event-id': `${end.turn_id}:${end.seq}` } })).status, 204);
    assert.equal(s.records.length, 1);
  });
});

describe('SSE turn errors', () => {
  it('reach an EventSource listener as turn.error with JSON data, apart from its own error event', async (t) => {
    const failing: Agent = {
      kind: 'interaction',
      // eslint-disable-next-line require-yield
      async *run() {
        yield { type: 'chunk', text: 'Part', done: false };
        throw new Error('upstream broke');
      },
    };
    const s = await start({ SSE_RETRY_MS: '100' }, tempDir(t, 'barnabee-sse-'), failing);
    t.after(() => stop(s));
    const w = watch(`${s.url}/api/v1/chat/stream?text=hi`);
    await w.waitFor(() => w.errors.some((e) => e.code === 204));
    const err = w.events.find((e) => e.type === 'error');
    assert.ok(err, `events: ${JSON.stringify(w.events.map((e) => e.type))}`);
    assert.equal(typeof err.code, 'string');
    assert.equal(typeof err.message, 'string');
    assert.equal(w.events.at(-1)!.status, 'failed');
    // EventSource's own error events (the 204) carry no turn data.
    assert.ok(w.errors.every((e) => e.code === undefined || e.code === 204));
    w.es.close();
  });
});
