/** The API token on every route but /healthz, in every accepted place; CORS; secrets kept out of sight. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { Auth, startServer, WS_SUBPROTOCOL } from '../../src/server/index.js';
import { scriptedRuntime } from '../support/server-assistant.js';
import { postJson, WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';
import { waitUntil } from '../support/wait.js';

const TOKEN = 'tok_0123456789abcdef-SECRET';

describe('auth', () => {
  let h: Harness;
  before(async () => {
    // Many wrong tokens on purpose: the failure limit has its own tests (gate.test.ts).
    h = await startHarness({ BARNABEE_API_TOKEN: TOKEN, CORS_ORIGINS: 'https://panel.example', AUTH_FAILURES_PER_MINUTE: '1000' });
  });
  after(() => h.close());

  it('rejects missing or wrong tokens with a JSON 401 on every protected route', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/chat'],
      ['POST', '/api/v1/chat/stream'],
      ['GET', '/api/v1/events'],
      ['GET', '/v1/models'],
      ['GET', '/metrics'],
      ['GET', '/readyz'],
    ] as const) {
      for (const auth of [undefined, 'Bearer wrong-token-but-long-enough', `Bearer ${TOKEN}x`, TOKEN]) {
        const res = await fetch(h.url + path, {
          method,
          headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: method === 'POST' ? JSON.stringify({ text: 'hello' }) : undefined,
        });
        assert.equal(res.status, 401, `${method} ${path} with ${auth ?? 'nothing'}`);
        assert.deepEqual(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
      }
    }
    assert.equal(h.runtime.records.length, 0, 'no turn ran');
  });

  it('/healthz stays open', async () => {
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
  });

  it('accepts the Bearer token and the session cookie', async () => {
    const a = await postJson(`${h.url}/api/v1/chat`, { text: 'hello' }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(a.status, 200);
    // The cookie counts with a sign that the page on this origin sent it (gate.test.ts has the rest).
    const b = await fetch(`${h.url}/v1/models`, { headers: { cookie: `barnabee_session=${new Auth({ token: TOKEN }).sessions!.issue()}`, 'sec-fetch-site': 'same-origin' } });
    assert.equal(b.status, 200);
    const other = new Auth({ token: 'another-token-entirely' }).sessions!.issue();
    const c = await fetch(`${h.url}/v1/models`, { headers: { cookie: `barnabee_session=${other}`, 'sec-fetch-site': 'same-origin' } });
    assert.equal(c.status, 401);
  });

  it('WebSocket: ?token= or the token as a subprotocol (barnabee.v1 echoed, never the token)', async () => {
    await assert.rejects(WsClient.open(`${h.wsUrl}/api/v1/ws`), (e: { statusCode?: number }) => e.statusCode === 401);
    await assert.rejects(WsClient.open(`${h.wsUrl}/api/v1/ws?token=nope`), (e: { statusCode?: number }) => e.statusCode === 401);

    const q = await WsClient.open(`${h.wsUrl}/api/v1/ws?token=${encodeURIComponent(TOKEN)}`);
    q.send({ type: 'turn.create', text: 'echo via query' });
    assert.equal((await q.waitFor((ev) => ev.some((e) => e.type === 'turn.end'))).at(-1)!.text, 'You said: via query');
    q.close();

    const p = await WsClient.open(`${h.wsUrl}/api/v1/ws`, { protocols: [WS_SUBPROTOCOL, TOKEN] });
    assert.equal(p.socket.protocol, WS_SUBPROTOCOL);
    p.send({ type: 'ping' });
    await p.waitFor((ev) => ev.some((e) => e.type === 'pong'));
    p.close();

    const d = await WsClient.open(`${h.wsUrl}/api/v1/ws/dashboard`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await d.waitFor((ev) => ev.some((e) => e.type === 'metrics'));
    d.close();
  });

  it('CORS: closed to unknown origins, open to the allow-list', async () => {
    const pre = (origin: string) =>
      fetch(`${h.url}/api/v1/chat`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const good = await pre('https://panel.example');
    assert.equal(good.status, 204, 'a preflight carries no token and must still pass');
    assert.equal(good.headers.get('access-control-allow-origin'), 'https://panel.example');
    const bad = await pre('https://evil.example');
    assert.equal(bad.headers.get('access-control-allow-origin'), null);
  });

  it('the token never appears in a response, an event or a log line', async () => {
    const turnLines = () => h.logObjects().filter((l) => l.msg === 'turn').length;
    const linesBefore = turnLines();
    const q = await WsClient.open(`${h.wsUrl}/api/v1/ws?token=${encodeURIComponent(TOKEN)}`, { protocols: [WS_SUBPROTOCOL, TOKEN] });
    q.send({ type: 'turn.create', text: 'hello' });
    await q.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    q.close();
    const r = await postJson(`${h.url}/api/v1/chat/events`, { text: 'hello' }, { authorization: `Bearer ${TOKEN}` });
    const body = await r.text();
    assert.ok(!body.includes(TOKEN));
    assert.ok(!JSON.stringify(q.events).includes(TOKEN));
    const metrics = await (await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    assert.ok(!metrics.includes(TOKEN));
    await waitUntil(() => turnLines() >= linesBefore + 2, "both turns' log lines");
    for (const line of h.logs) assert.ok(!line.includes(TOKEN), `log line leaks the token: ${line}`);
  });
});

describe('listening', () => {
  it('refuses a non-loopback address without a token: in the config, and again when listening', async () => {
    assert.throws(() => loadConfig({ HOST: '0.0.0.0' }, { envFile: false }), /HOST="0\.0\.0\.0".*BARNABEE_API_TOKEN/);
    const rt = scriptedRuntime();
    await assert.rejects(startServer({ ...rt, config: { ...rt.config, HOST: '0.0.0.0' } }, { handleSignals: false }), /BARNABEE_API_TOKEN/);
  });

  it('CORS is closed by default', async () => {
    const h = await startHarness();
    try {
      // Refused outright by the gate (gate.test.ts has the whole rule), with no CORS grant.
      const res = await fetch(`${h.url}/v1/models`, { headers: { origin: 'https://anywhere.example' } });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
    } finally {
      await h.close();
    }
  });
});
