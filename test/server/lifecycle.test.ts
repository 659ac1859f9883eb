/** Heartbeats, dead peers and a real SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { readSse, turnEvents, WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';
import { waitUntil } from '../support/wait.js';

describe('heartbeats', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SSE_HEARTBEAT_MS: '100' });
  });
  after(() => h.close());

  it('SSE sends comment heartbeats while idle', async () => {
    const r = await readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 2 350')}`);
    assert.equal(turnEvents(r).at(-1)!.type, 'turn.end');
    assert.ok(r.comments.filter((c) => c.trim() === 'heartbeat').length >= 2, `comments: ${JSON.stringify(r.comments)}`);
  });

  it('WebSocket peers that stop answering pings are dropped, and their turn cancelled', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`, { autoPong: false });
    // Alive until the turn is running (a busy machine may take several ping intervals to start
    // it), then silent: from the first chunk on, a dead peer.
    let answering = true;
    ws.socket.on('ping', (data) => answering && ws.socket.pong(data));
    ws.send({ type: 'turn.create', text: 'slow 1000 10' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'chunk'));
    answering = false;
    const [code] = (await once(ws.socket, 'close')) as [number];
    assert.equal(code, 1006, 'terminated, not closed politely');
    await waitUntil(() => h.logObjects().some((l) => l.msg === 'turn' && l.cancel_reason === 'client_disconnected'), 'the turn to be cancelled');
  });
});

describe('heartbeats: a live peer', () => {
  // Pings far enough apart that a busy machine answering a pong late is not a dead peer.
  let h: Harness;
  before(async () => {
    h = await startHarness({ SSE_HEARTBEAT_MS: '300' });
  });
  after(() => h.close());

  it('a live WebSocket peer is kept across many ping intervals', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    let pings = 0;
    ws.socket.on('ping', () => pings++);
    // Each ping after the first is sent only once the previous one was answered.
    await waitUntil(() => pings >= 4 || ws.socket.readyState !== ws.socket.OPEN, 'four pings');
    assert.equal(ws.socket.readyState, ws.socket.OPEN);
    assert.ok(pings >= 4);
    ws.close();
  });
});

describe('signals', () => {
  it('SIGTERM drains: the running turn ends with turn.end, then the process exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/server-child.ts', import.meta.url))], {
      env: { ...process.env, SHUTDOWN_GRACE_MS: '300' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    while (!out.includes('\n')) await once(child.stdout, 'data');
    const url = out.split('\n')[0]!;
    let signalled = false;
    const reading = readSse(`${url}/api/v1/chat/stream?text=${encodeURIComponent('slow 1000 20')}`, {}, (m) => {
      // Once: a second SIGTERM means "no more grace", and one after exit would kill by default.
      if (m.event === 'chunk' && !signalled) signalled = child.kill('SIGTERM');
      return m.event === 'turn.end';
    });
    const events = turnEvents(await reading);
    assert.equal(events.at(-1)!.type, 'turn.end');
    assert.equal(events.at(-1)!.status, 'cancelled');
    assert.equal(events.at(-2)!.code, 'server_shutdown');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.ok(out.includes('closed'));
  });
});
