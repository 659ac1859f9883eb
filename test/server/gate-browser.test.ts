/**
 * The gate against a real browser (Debian's Chromium): an attacker page served from a second
 * loopback origin (`localhost` on another port, and 127.0.0.2) tries every way in against Barnabee
 * on 127.0.0.1 in its default configuration (no token) — reading the dashboard feed, unlocking the
 * door over the WebSocket, two `<img>` tags on the GET turn route, an `EventSource` on the SSE GET
 * route, `fetch` — and the server's own state shows that nothing happened. The same script run on
 * Barnabee's own origin does unlock the door (so the attack is real), and the dashboard works there.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { browser, chromiumMissing, closeBrowser, openPage } from '../support/browser-chromium.js';
import { FeedWatcher, startDashboardServer, type DashboardServer } from '../support/browser-server.js';
import { tempDir } from '../support/turn-store.js';

const skip = chromiumMissing();
after(() => closeBrowser());

/**
 * Runs in the attacker's page. Each vector waits for its own outcome (an event, never a timer):
 * a refused WebSocket closes without opening, an `<img>` loads or errors, an EventSource errors
 * or delivers turn.end, a fetch resolves or throws.
 */
const ATTACK = String.raw`async function attack(base) {
  const wsBase = base.replace(/^http/, 'ws');
  const out = {};
  out.feed = await new Promise((resolve) => {
    const ws = new WebSocket(wsBase + '/api/v1/ws/dashboard');
    let opened = false;
    ws.onopen = () => (opened = true);
    ws.onmessage = (e) => { resolve({ opened, read: String(e.data).slice(0, 80) }); ws.close(); };
    ws.onclose = () => resolve({ opened, read: null });
  });
  out.ws = await new Promise((resolve) => {
    const ws = new WebSocket(wsBase + '/api/v1/ws');
    let opened = false;
    const answers = [];
    ws.onopen = () => {
      opened = true;
      ws.send(JSON.stringify({ type: 'turn.create', text: 'unlock the front door', conversation_id: 'attack-ws' }));
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      const ev = JSON.parse(e.data);
      if (ev.type !== 'turn.end') return;
      answers.push(ev.text);
      if (answers.length === 1) ws.send(JSON.stringify({ type: 'turn.create', text: 'yes', conversation_id: 'attack-ws' }));
      else ws.close();
    };
    ws.onclose = () => resolve({ opened, answers });
  });
  const img = (text) =>
    new Promise((resolve) => {
      const el = document.createElement('img');
      el.onload = () => resolve('load');
      el.onerror = () => resolve('error');
      el.src = base + '/api/v1/chat?conversation_id=attack-img&text=' + encodeURIComponent(text);
      document.body.appendChild(el);
    });
  out.img = [await img('unlock the back door'), await img('yes')];
  out.eventSource = await new Promise((resolve) => {
    const es = new EventSource(base + '/api/v1/chat/stream?conversation_id=attack-es&text=' + encodeURIComponent('turn on the kitchen light'));
    es.addEventListener('turn.end', () => { es.close(); resolve('turn.end'); });
    es.onerror = () => { const state = es.readyState; es.close(); resolve('error, readyState ' + state); };
  });
  const tryFetch = (path, init) =>
    fetch(base + path, init).then(async (r) => 'HTTP ' + r.status + ' ' + (await r.text()).slice(0, 60), (e) => 'threw ' + e.name);
  out.fetchTurns = await tryFetch('/api/v1/turns');
  out.fetchChat = await tryFetch('/api/v1/chat', { method: 'POST', mode: 'no-cors', body: JSON.stringify({ text: 'unlock the garage door' }) });
  return out;
}`;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>not Barnabee</title></head><body><script>${ATTACK}</script></body></html>`;

/** A plain web server for the attacker page, on one loopback address. */
async function attackerSite(t: TestContext, host: string, port = 0): Promise<string> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** 127.0.0.2 on Barnabee's own port when the system lets us bind it there, else on any port. */
async function secondLoopback(t: TestContext, port: number): Promise<string> {
  try {
    return await attackerSite(t, '127.0.0.2', port);
  } catch {
    return attackerSite(t, '127.0.0.2');
  }
}

interface Outcome {
  feed: { opened: boolean; read: string | null };
  ws: { opened: boolean; answers: string[] };
  img: string[];
  eventSource: string;
  fetchTurns: string;
  fetchChat: string;
}

const runAttack = (page: Page, base: string) => page.evaluate(`(${ATTACK})(${JSON.stringify(base)})`) as Promise<Outcome>;

async function lockState(srv: DashboardServer, id: string): Promise<string | undefined> {
  return (await srv.runtime.home.listEntities()).find((e) => e.entity_id === id)?.state;
}

/**
 * Every turn that started before this returns is in `feed.events`: a sentinel turn from a plain
 * client is started and waited for; the feed is one ordered stream, so anything earlier came first.
 */
async function settle(srv: DashboardServer, feed: FeedWatcher, label: string): Promise<void> {
  const res = await fetch(`${srv.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'what time is it', conversation_id: label }) });
  assert.equal(res.status, 200);
  const { turn_id } = (await res.json()) as { turn_id: string };
  await feed.wait((e) => e.turn_id === turn_id && e.type === 'turn.end');
}

if (skip) it('gate browser tests', (t) => t.skip(skip));

describe('a page on another loopback origin gets nothing', { skip: skip !== null }, () => {
  it('feed, WebSocket unlock, <img>, EventSource and fetch all fail; the door stays locked; the dashboard works', async (t) => {
    const srv = await startDashboardServer(t, { BARNABEE_DB: join(tempDir(t, 'barnabee-gate-'), 'b.db') });
    const port = Number(new URL(srv.url).port);
    const feed = await FeedWatcher.open(t, srv.url);
    const attackers = [await attackerSite(t, '127.0.0.1').then((u) => u.replace('127.0.0.1', 'localhost')), await secondLoopback(t, port)];

    const context = await (await browser()).newContext();
    t.after(() => context.close());
    for (const origin of attackers) {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      const got = await runAttack(page, srv.url);
      assert.deepEqual(got.feed, { opened: false, read: null }, `${origin}: the dashboard feed must not open`);
      assert.deepEqual(got.ws, { opened: false, answers: [] }, `${origin}: the turn WebSocket must not open`);
      assert.deepEqual(got.img, ['error', 'error'], `${origin}: <img>`);
      assert.match(got.eventSource, /^error, readyState 2$/, `${origin}: EventSource fails for good (CLOSED), no turn.end`);
      assert.equal(got.fetchTurns, 'threw TypeError', `${origin}: fetch cannot read /api/v1/turns`);
      assert.match(got.fetchChat, /^HTTP 0 $/, `${origin}: an opaque no-cors POST`);
      await page.close();
    }

    await settle(srv, feed, 'sentinel-1');
    const ran = feed.events.filter((e) => e.type === 'turn.start').map((e) => (e as { input: string }).input);
    assert.deepEqual(ran, ['what time is it'], 'no attacker turn started');
    for (const lock of ['lock.front_door', 'lock.back_door']) assert.equal(await lockState(srv, lock), 'locked', lock);
    assert.equal(await lockState(srv, 'cover.garage_door'), 'closed', 'the garage door');
    // Once the store has the sentinel it has everything before it: nothing else was recorded.
    await waitForStored(srv, 1);
    assert.deepEqual(
      srv.runtime.store.listTurns({ limit: 50 }).map((x) => x.input),
      ['what time is it'],
    );

    // A link from the other site still opens the dashboard (a top-level navigation to the page
    // shell), and the page then talks from Barnabee's own origin.
    const linked = await context.newPage();
    await linked.goto(`${attackers[0]}/`);
    await Promise.all([linked.waitForURL(`${srv.url}/`), linked.evaluate(`(() => { const a = document.createElement('a'); a.href = ${JSON.stringify(`${srv.url}/`)}; document.body.appendChild(a); a.click(); })()`)]);
    await linked.waitForSelector('#feed-state[data-state="open"]');
    await linked.close();

    // The dashboard on its own origin works: the feed opens and a typed turn is answered.
    const { page, problems } = await openPage(t);
    await page.goto(srv.url);
    await page.waitForSelector('#feed-state[data-state="open"]');
    await page.fill('#talk-input', 'what time is it');
    await page.press('#talk-input', 'Enter');
    const answered = await feed.wait((e) => e.type === 'turn.end' && feed.events.some((s) => s.turn_id === e.turn_id && s.type === 'turn.start' && (s as { conversation_id: string }).conversation_id !== 'sentinel-1'));
    assert.equal((answered as { status: string }).status, 'completed');
    assert.deepEqual(problems, []);

    // The control: the very same script on Barnabee's own origin does get in, so the refusals above
    // are the gate's doing, not a broken attack.
    const own = await runAttack(page, srv.url);
    assert.equal(own.feed.opened, true);
    assert.notEqual(own.feed.read, null);
    assert.equal(own.ws.opened, true);
    assert.equal(own.ws.answers.length, 2);
    assert.equal(await lockState(srv, 'lock.front_door'), 'unlocked', `the WebSocket vector unlocks the door when allowed: ${JSON.stringify(own.ws.answers)}`);
    assert.equal(own.eventSource, 'turn.end');
    assert.match(own.fetchTurns, /^HTTP 200 /);
  });
});

/** Waits until the store has at least `n` turns (it commits in the background), via the feed's pace. */
async function waitForStored(srv: DashboardServer, n: number): Promise<void> {
  for (let i = 0; i < 200 && srv.runtime.store.listTurns({ limit: n }).length < n; i++) await new Promise((r) => setTimeout(r, 50));
}
