/**
 * Who may talk to Barnabee, at the header level over real HTTP (docs/protocol.md, "Who may call"):
 * the Host allow-list (DNS rebinding), Origin and Fetch Metadata on every route and upgrade, HEAD,
 * the session cookie across ports, the auth-failure limit, TRUST_PROXY and X-Request-ID.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { Auth, AuthFailures, SessionCookies } from '../../src/server/auth.js';
import { Gate, hostNameOf } from '../../src/server/gate.js';
import { startServer } from '../../src/server/index.js';
import type { RuntimeStatus } from '../../src/turn/index.js';
import { tempStore } from '../support/dashboard-turns.js';
import { scriptedRuntime, type ScriptedRuntime } from '../support/server-assistant.js';
import { WsClient } from '../support/server-clients.js';

const TOKEN = 'gate-test-token-0123456789abcdef';
const STATUS: RuntimeStatus = { version: '0.1.0', provider: 'demo', demo: true, model: 'sim', tts: { engine: 'flite', voice: 'kal' }, home: 'simulated' };

interface Served {
  url: string;
  port: number;
  runtime: ScriptedRuntime;
  logs: string[];
  /** Turns that reached the agent, and every turn.start the bus carried. */
  turnStarts: () => number;
}

/** The whole server (scripted agent, dashboard routes over a real SQLite store) on a loopback port. */
async function serve(t: TestContext, env: Record<string, string> = {}): Promise<Served> {
  const runtime = scriptedRuntime({ LOG_LEVEL: 'info', ...env });
  let starts = 0;
  const unsubscribe = runtime.bus.subscribe((e) => void (e.type === 'turn.start' && starts++));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const server = await startServer(
    { ...runtime, store: tempStore(t), status: () => STATUS },
    { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'info' }, sink) },
  );
  t.after(async () => {
    unsubscribe();
    await server.close();
  });
  return { url: server.url, port: Number(new URL(server.url).port), runtime, logs, turnStarts: () => starts + runtime.records.length };
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (fetch will not send a foreign Host). */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const codeOf = (r: RawResponse) => (JSON.parse(r.body) as { error: { code: string } }).error.code;

async function refusedUpgrade(url: string, headers: Record<string, string>): Promise<number> {
  try {
    const ws = await WsClient.open(url, { headers });
    ws.close();
    return 101;
  } catch (e) {
    return (e as { statusCode?: number }).statusCode ?? -1;
  }
}

describe('the gate, as a rule', () => {
  it('reads host names from Host values', () => {
    assert.equal(hostNameOf('127.0.0.1:8000'), '127.0.0.1');
    assert.equal(hostNameOf('[::1]:8000'), '::1');
    assert.equal(hostNameOf('[::1]'), '::1');
    assert.equal(hostNameOf('LocalHost:80'), 'localhost');
    assert.equal(hostNameOf('[evil.example]:80'), null);
    assert.equal(hostNameOf('a:b:c'), null);
    assert.equal(hostNameOf(''), null);
  });

  it('Host: IP literals, localhost and listed names; Origin: own or listed; Fetch Metadata', () => {
    const gate = new Gate({ allowedHosts: ['barnabee.lan'], allowedOrigins: ['https://panel.example'] });
    const v = (host: string | undefined, origin?: string, fetchSite?: string, protocol = 'http') => {
      const r = gate.check({ host, protocol, origin, fetchSite });
      return r.ok ? 'ok' : r.code;
    };
    for (const host of ['127.0.0.1:8000', '10.0.0.5', '[::1]:8000', '[fe80::1]', 'localhost:8000', 'LOCALHOST', 'barnabee.lan:8000', 'Barnabee.LAN']) {
      assert.equal(v(host), 'ok', host);
    }
    for (const host of [undefined, '', 'evil.example', 'evil.example:8000', '127.0.0.1.nip.io', 'localhost.', 'sub.localhost', '2130706433', 'a:b:c']) {
      assert.equal(v(host), 'host_not_allowed', String(host));
    }
    assert.equal(v('127.0.0.1:8000', 'http://127.0.0.1:8000'), 'ok');
    assert.equal(v('127.0.0.1:80', 'http://127.0.0.1'), 'ok', 'default port');
    assert.equal(v('barnabee.lan', 'https://barnabee.lan', 'same-origin', 'https'), 'ok');
    assert.equal(v('barnabee.lan', 'http://barnabee.lan', 'same-origin', 'https'), 'origin_not_allowed', 'scheme matters');
    assert.equal(v('127.0.0.1:8000', 'https://panel.example', 'cross-site'), 'ok', 'CORS_ORIGINS');
    for (const origin of ['http://localhost:8000', 'http://localhost:9999', 'http://127.0.0.2:8000', 'http://127.0.0.1:8001', 'null', 'file://', 'not a url', 'https://panel.example.evil']) {
      assert.equal(v('127.0.0.1:8000', origin), 'origin_not_allowed', origin);
    }
    assert.equal(v('127.0.0.1:8000', undefined, 'cross-site'), 'origin_not_allowed');
    assert.equal(v('127.0.0.1:8000', undefined, 'same-site'), 'origin_not_allowed', 'another port or loopback address is same-site');
    assert.equal(v('127.0.0.1:8000', undefined, 'same-origin'), 'ok');
    assert.equal(v('127.0.0.1:8000', undefined, 'none'), 'ok', 'typed into the address bar');
  });
});

// One server for these subtests (it is closed after the last one).
it('the gate over HTTP', async (t) => {
  const s = await serve(t, { ALLOWED_HOSTS: 'barnabee.lan', CORS_ORIGINS: 'https://panel.example' });

  await t.test('DNS rebinding: a foreign Host gets 403 host_not_allowed on every route and upgrade', async () => {
    for (const host of ['attacker.example', `attacker.example:${s.port}`, `127.0.0.1.nip.io:${s.port}`]) {
      for (const [method, path] of [
        ['GET', '/api/v1/turns'],
        ['GET', '/api/v1/conversations'],
        ['GET', '/api/v1/status'],
        ['GET', '/api/v1/events'],
        ['GET', '/'],
        ['GET', '/healthz'],
        ['GET', '/v1/models'],
        ['GET', '/api/v1/chat?text=hello'],
        ['POST', '/api/v1/chat'],
        ['OPTIONS', '/api/v1/chat'],
        ['GET', '/no/such/route'],
      ] as const) {
        const r = await raw(s.port, method, path, { host, 'content-type': 'application/json' }, method === 'POST' ? '{"text":"hello"}' : undefined);
        assert.equal(r.status, 403, `${method} ${path} with Host ${host}`);
        assert.equal(codeOf(r), 'host_not_allowed');
      }
      for (const path of ['/api/v1/ws/dashboard', '/api/v1/ws']) {
        assert.equal(await refusedUpgrade(`ws://127.0.0.1:${s.port}${path}`, { host }), 403, `${path} with Host ${host}`);
      }
    }
    for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`, `barnabee.lan:${s.port}`, '192.168.1.20']) {
      assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { host })).status, 200, host);
    }
    assert.equal(s.turnStarts(), 0, 'no turn ran');
  });

  await t.test('a page on another origin is refused: Origin and Sec-Fetch-Site, on every route and upgrade', async () => {
    const before = s.turnStarts();
    const foreign: Record<string, string>[] = [
      { origin: `http://localhost:${s.port}` },
      { origin: 'http://localhost:9999' },
      { origin: `http://127.0.0.2:${s.port}` },
      { origin: 'null' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      for (const [method, path] of [
        ['GET', '/api/v1/chat?text=unlock%20the%20front%20door'],
        ['GET', '/api/v1/chat/stream?text=unlock%20the%20front%20door'],
        ['POST', '/api/v1/chat'],
        ['POST', '/v1/chat/completions'],
        ['GET', '/api/v1/turns'],
        ['GET', '/api/v1/events'],
        ['DELETE', '/api/v1/session'],
        ['OPTIONS', '/api/v1/chat'],
      ] as const) {
        const r = await raw(s.port, method, path, { ...headers, 'content-type': 'application/json' }, method === 'POST' ? '{"text":"unlock the front door","messages":[{"role":"user","content":"hi"}]}' : undefined);
        assert.equal(r.status, 403, `${method} ${path} with ${JSON.stringify(headers)}`);
        assert.equal(codeOf(r), 'origin_not_allowed');
        assert.equal(r.headers['access-control-allow-origin'], undefined);
      }
      for (const path of ['/api/v1/ws/dashboard', '/api/v1/ws']) {
        assert.equal(await refusedUpgrade(`ws://127.0.0.1:${s.port}${path}`, headers), 403, `${path} with ${JSON.stringify(headers)}`);
      }
    }
    assert.equal(s.turnStarts(), before, 'no turn ran');
  });

  await t.test('its own origin, a listed origin, and callers without Origin (curl, SDKs) pass', async () => {
    const own = { origin: `http://127.0.0.1:${s.port}`, 'sec-fetch-site': 'same-origin' };
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', own)).status, 200);
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { 'sec-fetch-site': 'same-origin' })).status, 200);
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { 'sec-fetch-site': 'none' })).status, 200);
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { host: `localhost:${s.port}`, origin: `http://localhost:${s.port}` })).status, 200);
    const listed = await raw(s.port, 'GET', '/api/v1/turns', { origin: 'https://panel.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(listed.status, 200);
    assert.equal(listed.headers['access-control-allow-origin'], 'https://panel.example');
    const pre = await raw(s.port, 'OPTIONS', '/api/v1/chat', { origin: 'https://panel.example', 'access-control-request-method': 'POST' });
    assert.equal(pre.status, 204);

    const plain = await raw(s.port, 'POST', '/api/v1/chat', { 'content-type': 'application/json' }, '{"text":"echo plain"}');
    assert.equal(plain.status, 200);
    assert.equal((JSON.parse(plain.body) as { response: string }).response, 'You said: plain');

    const ws = await WsClient.open(`ws://127.0.0.1:${s.port}/api/v1/ws`, { headers: { origin: `http://127.0.0.1:${s.port}` } });
    ws.send({ type: 'turn.create', text: 'echo own origin' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    ws.close();
  });

  await t.test('a link from another site opens the page shell, and nothing else', async () => {
    const before = s.turnStarts();
    const link = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-user': '?1' };
    const page = await raw(s.port, 'GET', '/', link);
    assert.ok(page.status === 200 || page.status === 503, `the shell opens (${page.status})`);
    assert.equal((await raw(s.port, 'GET', '/', { ...link, 'sec-fetch-site': 'same-site' })).status, page.status);
    for (const [path, headers] of [
      ['/api/v1/chat?text=unlock%20the%20front%20door', link],
      ['/api/v1/chat/stream?text=unlock%20the%20front%20door', link],
      ['/api/v1/turns', link],
      ['/', { ...link, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }],
      ['/', { ...link, 'sec-fetch-dest': 'iframe' }],
      ['/app.js', { ...link, 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }],
    ] as const) {
      const r = await raw(s.port, 'GET', path, headers);
      assert.equal(r.status, 403, `${path} ${JSON.stringify(headers)}`);
    }
    assert.equal((await raw(s.port, 'POST', '/', { ...link, 'content-type': 'application/json' }, '{}')).status, 403);
    assert.equal(s.turnStarts(), before, 'no turn ran');
  });

  await t.test('HEAD never runs a turn: 405 on GET routes that did not ask for HEAD; the page and /healthz answer it', async () => {
    const before = s.turnStarts();
    for (const path of ['/api/v1/chat?text=unlock%20the%20front%20door', '/api/v1/chat/stream?text=unlock%20the%20front%20door', '/api/v1/turns', '/v1/models', '/api/v1/events']) {
      const r = await raw(s.port, 'HEAD', path);
      assert.equal(r.status, 405, path);
      assert.equal(r.headers.allow, 'GET');
      assert.equal(r.body, '');
    }
    assert.equal((await raw(s.port, 'HEAD', '/no/such/route')).status, 404);
    const page = await raw(s.port, 'HEAD', '/');
    assert.ok(page.status === 200 || page.status === 503, `the page answers HEAD (${page.status})`);
    assert.equal((await raw(s.port, 'HEAD', '/healthz')).status, 200);
    // The GET twin still works, so the refusal is about the method.
    assert.equal((await raw(s.port, 'GET', '/api/v1/chat?text=echo%20get')).status, 200);
    assert.equal(s.turnStarts(), before + 2, 'only the GET ran a turn (seen by the agent and on the bus)');
  });

  await t.test('X-Request-ID: a short plain id is echoed, anything else replaced', async () => {
    const echoed = await raw(s.port, 'GET', '/healthz', { 'x-request-id': 'req-1.a:b_c' });
    assert.equal(echoed.headers['x-request-id'], 'req-1.a:b_c');
    assert.equal((await raw(s.port, 'GET', '/healthz', { 'x-request-id': 'x'.repeat(64) })).headers['x-request-id'], 'x'.repeat(64));
    for (const bad of ['x'.repeat(65), 'has space', 'a/b', '<script>', 'a%0d%0ab', '"quoted"']) {
      const r = await raw(s.port, 'GET', '/healthz', { 'x-request-id': bad });
      assert.match(String(r.headers['x-request-id']), /^[0-9a-f-]{36}$/, bad);
    }
    // Refused requests carry one too (the gate runs after the id is set).
    const refused = await raw(s.port, 'GET', '/healthz', { host: 'attacker.example', 'x-request-id': 'refused-1' });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['x-request-id'], 'refused-1');
  });
});

describe('token mode', () => {
  it('a page on another port of the same host cannot ride the session cookie', async (t) => {
    const s = await serve(t, { BARNABEE_API_TOKEN: TOKEN });
    const signIn = await raw(s.port, 'POST', '/api/v1/session', { 'content-type': 'application/json', origin: `http://127.0.0.1:${s.port}` }, JSON.stringify({ token: TOKEN }));
    assert.equal(signIn.status, 200);
    const setCookie = (signIn.headers['set-cookie'] as string[])[0]!;
    const cookie = setCookie.split(';')[0]!;
    assert.match(setCookie, /Max-Age=604800/);
    assert.doesNotMatch(setCookie, /Secure/i, 'plain http without a trusted proxy');

    // Same-origin use works…
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { cookie, 'sec-fetch-site': 'same-origin' })).status, 200);
    const own = await raw(s.port, 'POST', '/api/v1/chat', { cookie, origin: `http://127.0.0.1:${s.port}`, 'content-type': 'application/json' }, '{"text":"echo mine"}');
    assert.equal(own.status, 200);
    const before = s.turnStarts();
    // …the same cookie from a page on another port or loopback address does not.
    const samesite: Record<string, string>[] = [
      { origin: 'http://127.0.0.1:9999', 'sec-fetch-site': 'same-site' },
      { origin: 'http://localhost:9999', 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'same-site' }, // an <img> or a navigation: no Origin
    ];
    for (const headers of samesite) {
      const img = await raw(s.port, 'GET', '/api/v1/chat?text=unlock%20the%20front%20door', { cookie, ...headers });
      assert.equal(img.status, 403, JSON.stringify(headers));
      assert.equal(codeOf(img), 'origin_not_allowed');
      assert.equal(await refusedUpgrade(`ws://127.0.0.1:${s.port}/api/v1/ws/dashboard`, { cookie, ...headers }), 403);
    }
    assert.equal(s.turnStarts(), before, 'no turn ran');

    // Where a browser sends no Fetch Metadata (plain http to a LAN address) an <img> from another
    // port carries the cookie and nothing else: the cookie alone is not enough.
    assert.equal((await raw(s.port, 'GET', '/api/v1/chat?text=unlock%20the%20front%20door', { cookie })).status, 401);
    assert.equal((await raw(s.port, 'GET', '/api/v1/chat/stream?text=unlock%20the%20front%20door', { cookie })).status, 401);
    assert.equal(s.turnStarts(), before, 'no turn ran');
    // The dashboard's own requests show where they come from.
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { cookie, 'x-barnabee-page': '1' })).status, 200);
    assert.equal((await raw(s.port, 'GET', '/api/v1/turns', { cookie, origin: `http://127.0.0.1:${s.port}` })).status, 200);
    const ws = await WsClient.open(`ws://127.0.0.1:${s.port}/api/v1/ws/dashboard`, { headers: { cookie, origin: `http://127.0.0.1:${s.port}` } });
    ws.close();
    // A page on another origin cannot send that header: its preflight is refused.
    const pre = await raw(s.port, 'OPTIONS', '/api/v1/turns', { origin: `http://127.0.0.1:9999`, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-barnabee-page' });
    assert.equal(pre.status, 403);

    // Signing out clears the cookie.
    const out = await raw(s.port, 'DELETE', '/api/v1/session', { cookie, origin: `http://127.0.0.1:${s.port}` });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), /barnabee_session=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('the session cookie expires server-side and dies with the token', async (t) => {
    const s = await serve(t, { BARNABEE_API_TOKEN: TOKEN, SESSION_TTL_DAYS: '1' });
    const sessions = new Auth({ token: TOKEN, sessionTtlMs: 86_400_000 }).sessions!;
    const get = (value: string) => raw(s.port, 'GET', '/v1/models', { cookie: `barnabee_session=${value}`, 'sec-fetch-site': 'same-origin' });
    assert.equal((await get(sessions.issue())).status, 200);
    assert.equal((await get(sessions.issue(Date.now() - 2 * 86_400_000))).status, 401, 'older than SESSION_TTL_DAYS');
    assert.equal((await get(new SessionCookies('a-different-token-0123456789', 86_400_000).issue())).status, 401, 'another token');
    const fresh = sessions.issue();
    const [v, , mac] = fresh.split('.');
    assert.equal((await get(`${v}.${Math.floor(Date.now() / 1000) + 30}.${mac}`)).status, 401, 'an edited issue time breaks the signature');
  });

  it('SessionCookies: valid within the lifetime only, signed by the token', () => {
    let now = 1_700_000_000_000;
    const c = new SessionCookies(TOKEN, 60_000, () => now);
    const value = c.issue();
    assert.match(value, /^v1\.\d+\.[\w-]{43}$/);
    assert.ok(!value.includes(TOKEN));
    assert.ok(c.valid(value));
    now += 59_000;
    assert.ok(c.valid(value));
    now += 2_000;
    assert.ok(!c.valid(value), 'expired');
    assert.ok(!new SessionCookies(`${TOKEN}x`, 60_000, () => now).valid(c.issue()), 'token changed');
    for (const bad of ['', 'v1', 'v1.1.x', `v2.${value.slice(3)}`, `${value}x`]) assert.ok(!c.valid(bad), bad);
  });

  it('failed authentication is limited per client: 429 after AUTH_FAILURES_PER_MINUTE, even with the right token', async (t) => {
    const s = await serve(t, { BARNABEE_API_TOKEN: TOKEN, AUTH_FAILURES_PER_MINUTE: '4' });
    const good = { authorization: `Bearer ${TOKEN}` };
    assert.equal((await raw(s.port, 'GET', '/v1/models', good)).status, 200);
    // Every kind of failure counts: header, sign-in, WebSocket upgrade.
    assert.equal((await raw(s.port, 'GET', '/v1/models', { authorization: 'Bearer wrong-wrong-wrong-wrong' })).status, 401);
    assert.equal((await raw(s.port, 'GET', '/v1/models')).status, 401);
    assert.equal((await raw(s.port, 'POST', '/api/v1/session', { 'content-type': 'application/json' }, '{"token":"guess-guess-guess-guess"}')).status, 401);
    assert.equal(await refusedUpgrade(`ws://127.0.0.1:${s.port}/api/v1/ws?token=guess`, {}), 401);
    for (const [method, path, headers, body] of [
      ['GET', '/v1/models', good, undefined],
      ['GET', '/v1/models', { authorization: 'Bearer wrong-wrong-wrong-wrong' }, undefined],
      ['POST', '/api/v1/session', { 'content-type': 'application/json' }, JSON.stringify({ token: TOKEN })],
    ] as const) {
      const r = await raw(s.port, method, path, headers, body);
      assert.equal(r.status, 429, `${method} ${path}`);
      assert.equal(codeOf(r), 'too_many_auth_failures');
      assert.ok(Number(r.headers['retry-after']) > 0 && Number(r.headers['retry-after']) <= 60);
    }
    assert.equal(await refusedUpgrade(`ws://127.0.0.1:${s.port}/api/v1/ws?token=${TOKEN}`, {}), 429);
    // Open routes stay open.
    assert.equal((await raw(s.port, 'GET', '/healthz')).status, 200);
  });

  it('AuthFailures: the window passes; the table stays bounded', () => {
    let now = 0;
    const f = new AuthFailures(2, { windowMs: 60_000, maxClients: 3, now: () => now });
    f.record('a');
    assert.equal(f.retryAfter('a'), 0);
    f.record('a');
    assert.equal(f.retryAfter('a'), 60);
    now = 59_500;
    assert.equal(f.retryAfter('a'), 1);
    now = 60_000;
    assert.equal(f.retryAfter('a'), 0, 'window over');
    f.record('a');
    assert.equal(f.retryAfter('a'), 0, 'counting starts again');
    for (const c of ['b', 'c', 'd', 'e', 'f']) f.record(c);
    assert.ok(f.size <= 3);
  });
});

describe('TRUST_PROXY', () => {
  const xff = (ip: string, more: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...more });

  it('off by default: X-Forwarded-* from the client is ignored (cookie, rate limit, auth limit)', async (t) => {
    const s = await serve(t, { BARNABEE_API_TOKEN: TOKEN, RATE_LIMIT_PER_MINUTE: '4', AUTH_FAILURES_PER_MINUTE: '2' });
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'barnabee.example', ...xff('203.0.113.9') };
    const signIn = await raw(s.port, 'POST', '/api/v1/session', { 'content-type': 'application/json', ...https }, JSON.stringify({ token: TOKEN }));
    assert.equal(signIn.status, 200, 'X-Forwarded-Host is not believed either: Host is 127.0.0.1');
    assert.doesNotMatch(String(signIn.headers['set-cookie']), /Secure/i);

    const good = { authorization: `Bearer ${TOKEN}` };
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff(ip) })).status, 200);
    assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff('203.0.113.4') })).status, 429, 'one client, whatever it claims');
  });

  it('off by default: the auth-failure limit cannot be dodged with X-Forwarded-For', async (t) => {
    const s = await serve(t, { BARNABEE_API_TOKEN: TOKEN, AUTH_FAILURES_PER_MINUTE: '2' });
    assert.equal((await raw(s.port, 'GET', '/v1/models', xff('203.0.113.1'))).status, 401);
    assert.equal((await raw(s.port, 'GET', '/v1/models', xff('203.0.113.2'))).status, 401);
    assert.equal((await raw(s.port, 'GET', '/v1/models', xff('203.0.113.3'))).status, 429);
  });

  it('a listed proxy is believed: each forwarded client has its own limits and logs; https makes the cookie Secure', async (t) => {
    const s = await serve(t, { BARNABEE_API_TOKEN: TOKEN, TRUST_PROXY: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '3', AUTH_FAILURES_PER_MINUTE: '2', ALLOWED_HOSTS: 'barnabee.example' });
    const good = { authorization: `Bearer ${TOKEN}` };
    for (let i = 0; i < 3; i++) assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff('203.0.113.1') })).status, 200);
    assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff('203.0.113.1') })).status, 429, 'rate limit per real client');
    assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff('203.0.113.2') })).status, 200, 'another client is unaffected');

    for (let i = 0; i < 2; i++) assert.equal((await raw(s.port, 'GET', '/v1/models', xff('198.51.100.9'))).status, 401);
    assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff('198.51.100.9') })).status, 429, 'auth limit per real client');
    assert.equal((await raw(s.port, 'GET', '/v1/models', { ...good, ...xff('198.51.100.10') })).status, 200);
    const logged = s.logs.map((l) => JSON.parse(l) as { req?: { remoteAddress?: string }; statusCode?: number }).filter((l) => l.statusCode === 401);
    assert.ok(logged.length > 0 && logged.every((l) => l.req?.remoteAddress === '198.51.100.9'), 'error lines name the real client');

    // Behind TLS: the browser's origin is https://barnabee.example, the cookie is Secure.
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'barnabee.example', origin: 'https://barnabee.example', ...xff('203.0.113.50') };
    const signIn = await raw(s.port, 'POST', '/api/v1/session', { 'content-type': 'application/json', ...https }, JSON.stringify({ token: TOKEN }));
    assert.equal(signIn.status, 200);
    assert.match(String(signIn.headers['set-cookie']), /; Secure/);
    // Without the proxy's word the same Origin is foreign.
    const noProto = await raw(s.port, 'GET', '/api/v1/turns', { ...good, origin: 'https://barnabee.example', ...xff('203.0.113.51') });
    assert.equal(noProto.status, 403);
  });

  it('X-Forwarded-For from anyone but the listed proxy is ignored', async (t) => {
    const s = await serve(t, { TRUST_PROXY: '10.9.8.7', RATE_LIMIT_PER_MINUTE: '2' });
    assert.equal((await raw(s.port, 'GET', '/v1/models', xff('203.0.113.1'))).status, 200);
    assert.equal((await raw(s.port, 'GET', '/v1/models', xff('203.0.113.2'))).status, 200);
    assert.equal((await raw(s.port, 'GET', '/v1/models', xff('203.0.113.3'))).status, 429);
    const https = await raw(s.port, 'GET', '/api/v1/turns', { 'x-forwarded-proto': 'https', origin: `https://127.0.0.1:${s.port}` });
    assert.equal(https.status, 403, 'nor its X-Forwarded-Proto');
  });
});
