/**
 * Turn flow through the server: disconnects abort the turn upstream at once (bench/abort.ts
 * measures how fast), a paused reader stays within its buffer bound while others go on, limits,
 * barge-in, graceful shutdown.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { postJson, readSse, textOf, turnEvents, WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';
import { PROMPT_MS, waitUntil as until } from '../support/wait.js';

describe('disconnect aborts the turn upstream', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const lastRecord = (text: string) => () => h.runtime.records.findLast((r) => r.text === text);

  /** An SSE client that leaves after its first chunk, on a fresh server with this resume window. */
  async function sseLeaves(window: string) {
    const hs = await startHarness({ SSE_RESUME_MS: window });
    try {
      let closedAt = 0;
      await readSse(`${hs.url}/api/v1/chat/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"slow 500 10"}' }, (m) => {
        if (m.event === 'chunk') closedAt = performance.now();
        return m.event === 'chunk';
      });
      const rec = await until(() => { const r = hs.runtime.records.findLast((x) => x.text === 'slow 500 10'); return r?.abortedAt ? r : undefined; }, 'the abort');
      assert.equal(rec.finished, false);
      const line = await until(() => hs.logObjects().find((l) => l.msg === 'turn' && l.transport === 'sse' && l.status === 'cancelled'));
      assert.equal(line.cancel_reason, 'client_disconnected');
      return rec.abortedAt! - closedAt;
    } finally {
      await hs.close();
    }
  }

  it('SSE reader gone: with SSE_RESUME_MS=0 at once', async () => {
    const ms = await sseLeaves('0');
        assert.ok(ms < PROMPT_MS, `aborted ${ms} ms after the client left`);
  });

  it('SSE reader gone: by default once the resume window passes without a reconnect', async () => {
    const ms = await sseLeaves('300');
    assert.ok(ms >= 300, `kept ${ms} ms for a reconnect`);
  });

  it('WebSocket closed', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'turn.create', text: 'slow 501 10' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'chunk'));
    const closedAt = performance.now();
    ws.socket.terminate();
    const rec = await until(() => { const r = lastRecord('slow 501 10')(); return r?.abortedAt ? r : undefined; });
    assert.ok(rec.abortedAt! - closedAt < PROMPT_MS, `aborted ${rec.abortedAt! - closedAt} ms after the socket closed`);
  });

  it('NDJSON, chunked text and one-shot JSON clients gone', async () => {
    const port = Number(new URL(h.url).port);
    for (const [path, text] of [
      ['/api/v1/chat/events', 'slow 502 10'],
      ['/api/v1/chat/text', 'slow 503 10'],
      ['/api/v1/chat', 'slow 504 10'],
    ] as const) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const body = JSON.stringify({ text });
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      await until(lastRecord(text));
      const closedAt = performance.now();
      socket.destroy();
      const rec = await until(() => { const r = lastRecord(text)(); return r?.abortedAt ? r : undefined; });
      assert.ok(rec.abortedAt! - closedAt < PROMPT_MS, `${path}: aborted ${rec.abortedAt! - closedAt} ms after the client left`);
    }
  });
});

describe('backpressure', () => {
  let h: Harness;
  const BOUND = 64 * 1024;
  before(async () => {
    h = await startHarness({ CLIENT_BUFFER_BYTES: String(BOUND) });
  });
  after(() => h.close());

  it('a paused reader is cut off at its bound with client_too_slow; another client is unaffected', async () => {
    const port = new URL(h.url).port;
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const body = JSON.stringify({ text: 'flood 40000 1000' });
    socket.write(`POST /api/v1/chat/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    socket.pause(); // a client that stops reading

    // While it is stuck, another client's turn runs normally.
    const other = await readSse(`${h.url}/api/v1/chat/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"echo not blocked"}' });
    assert.equal(textOf(turnEvents(other)), 'You said: not blocked');

    const line = await until(() => h.logObjects().find((l) => l.msg === 'turn' && l.cancel_reason === 'client_too_slow'), 'the client_too_slow log line', 30_000);
    assert.equal(line.status, 'cancelled');
    // Bound plus the one event that crossed it plus the error and turn.end that close the stream.
    assert.ok(line.buffer_peak_bytes > BOUND, 'the bound was reached');
    assert.ok(line.buffer_peak_bytes <= BOUND + 8 * 1024, `server held ${line.buffer_peak_bytes} bytes for a bound of ${BOUND}`);

    // Resumed, the client finds the reason and the end of the turn.
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (raw += d));
    socket.resume();
    await until(() => raw.includes('event: turn.end'), 'turn.end', 30_000);
    assert.match(raw, /event: turn\.error\nid: [^\n]+\ndata: \{"type":"error"[^\n]*"code":"client_too_slow"/);
    assert.match(raw, /"type":"turn.end","status":"cancelled","text":"","spoken_text":""/);
    // Then the server ends the response and the connection.
    await once(socket, 'end');
    socket.destroy();
  });

  it('a WebSocket reader that stops reading is cut off the same way, then closed with 1008', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const closed = once(ws.socket, 'close');
    ws.send({ type: 'turn.create', text: 'flood 40000 1000' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'action'));
    ws.socket.pause();
    const line = await until(() => h.logObjects().find((l) => l.msg === 'turn' && l.transport === 'ws' && l.cancel_reason === 'client_too_slow'), 'the client_too_slow log line', 30_000);
    assert.ok(line.buffer_peak_bytes <= BOUND + 8 * 1024, `server held ${line.buffer_peak_bytes} bytes`);
    ws.socket.resume();
    const [code, reason] = (await closed) as [number, Buffer];
    assert.equal(code, 1008);
    assert.equal(String(reason), 'client_too_slow');
    assert.equal(ws.events.find((e) => e.type === 'error')?.code, 'client_too_slow');
    const end = ws.events.at(-1)!;
    assert.equal(end.type, 'turn.end');
    assert.equal(end.status, 'cancelled');
    assert.equal(end.text, '', 'the short turn.end carries no answer text');
  });
});

describe('limits and barge-in', () => {
  let h: Harness;
  before(async () => {
    // SSE_RESUME_MS=0: an SSE stream that drops cancels its turn at once (no reconnect expected here).
    h = await startHarness({ RATE_LIMIT_PER_MINUTE: '12', MAX_TURNS_PER_CLIENT: '2', SSE_RESUME_MS: '0' });
  });
  after(() => h.close());

  it('a new turn.create cancels the running one; turn.cancel cancels', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'turn.create', text: 'slow 500 10' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'chunk'));
    ws.send({ type: 'turn.create', text: 'echo next' });
    await ws.waitFor((ev) => ev.filter((e) => e.type === 'turn.end').length === 2);
    const ends = ws.events.filter((e) => e.type === 'turn.end');
    assert.equal(ends[0]!.status, 'cancelled');
    assert.equal(ends[1]!.status, 'completed');
    assert.equal(ends[1]!.text, 'You said: next');
    // The cancelled turn ended before the next began.
    const types = ws.events.map((e) => e.type);
    assert.ok(types.indexOf('turn.end') < types.lastIndexOf('turn.start'));

    ws.send({ type: 'turn.create', text: 'slow 500 10' });
    await ws.waitFor((ev) => ev.filter((e) => e.type === 'turn.start').length === 3);
    ws.send({ type: 'turn.cancel' });
    await ws.waitFor((ev) => ev.filter((e) => e.type === 'turn.end').length === 3);
    assert.equal(ws.events.at(-1)!.status, 'cancelled');
    ws.close();
  });

  it('at most MAX_TURNS_PER_CLIENT turns at once → 429 too_many_turns', async () => {
    const acs = [new AbortController(), new AbortController()];
    const streams = acs.map((ac) => fetch(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 500 10')}`, { signal: ac.signal }));
    await Promise.all(streams);
    await until(() => h.server.app.barnabee.hub.running.size === 2);
    const res = await postJson(`${h.url}/api/v1/chat`, { text: 'hello' });
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'too_many_turns');
    for (const ac of acs) ac.abort();
    await until(() => h.server.app.barnabee.hub.running.size === 0);
  });

  it('per-client rate limit → 429 rate_limited', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 15 && !limited; i++) {
      const res = await fetch(`${h.url}/v1/models`);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    assert.ok(limited, 'rate limit reached');
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'rate_limited');
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200, 'health checks are not limited');
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, lets short turns finish, cancels the rest with turn.end', async () => {
    // The grace is long enough for the short turn (about 0.2 s of answer) on a heavily loaded machine.
    const h = await startHarness({ SHUTDOWN_GRACE_MS: '1500' });
    const short = readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 10 20')}`);
    const long = readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 1000 20')}`);
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'turn.create', text: 'slow 1001 20' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'chunk'));
    await until(() => h.server.app.barnabee.hub.running.size === 3);

    const t0 = performance.now();
    const closing = h.close();
    await until(() => !h.server.app.server.listening, 'the listener to close');
    await assert.rejects(fetch(`${h.url}/healthz`), 'new connections are refused');

    const s = turnEvents(await short);
    assert.equal(s.at(-1)!.type, 'turn.end');
    assert.equal(s.at(-1)!.status, 'completed');
    const l = turnEvents(await long);
    assert.equal(l.at(-1)!.type, 'turn.end');
    assert.equal(l.at(-1)!.status, 'cancelled');
    assert.equal(l.at(-2)!.code, 'server_shutdown');
    const w = await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    assert.equal(w.at(-1)!.status, 'cancelled');
    await closing;
    const took = performance.now() - t0;
    assert.ok(took >= 1480 && took < 8000, `shutdown took ${took} ms for a 1500 ms grace`);
  });
});
