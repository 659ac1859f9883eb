import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import { Auth, requireAuth, SESSION_COOKIE } from '../../src/server/auth.js';
import { dashboardRoutes } from '../../src/server/routes/dashboard.js';
import type { RuntimeStatus } from '../../src/turn/index.js';
import type { Store } from '../../src/turn/index.js';
import { DASHBOARD_DIST, ensureDashboardBuilt } from '../support/browser-dashboard.js';
import { realTurn, tempStore } from '../support/dashboard-turns.js';
import { tempDir } from '../support/turn-store.js';

const TOKEN = 'dashboard-test-token-0123456789';
const STATUS: RuntimeStatus = {
  version: '0.1.0',
  provider: 'demo',
  demo: true,
  model: 'barnabee-sim',
  tts: { engine: 'flite', voice: 'kal' },
  home: 'simulated',
};

/**
 * The dashboard routes in a Fastify app wired the way the server wires them: the cookie plugin and
 * the global auth hook (which honours `config: { auth: false }`), listening on loopback.
 */
async function serve(t: TestContext, options: { token?: string; store?: Store; assetsDir?: string } = {}) {
  const app = Fastify();
  await app.register(fastifyCookie);
  app.decorate('barnabeeAuth', new Auth({ token: options.token }));
  app.addHook('onRequest', requireAuth);
  const store = options.store ?? tempStore(t);
  await app.register(dashboardRoutes, {
    runtime: { config: { BARNABEE_API_TOKEN: options.token }, store, status: () => STATUS },
    assetsDir: options.assetsDir,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { base: address, store };
}

before(() => ensureDashboardBuilt());

describe('dashboard page and assets', () => {
  it('serves the shell and the bundle with their content types, a CSP and revalidating cache headers', async (t) => {
    const { base } = await serve(t);
    for (const [path, file, type] of [
      ['/', 'index.html', 'text/html; charset=utf-8'],
      ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
      ['/app.css', 'app.css', 'text/css; charset=utf-8'],
    ] as const) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(join(DASHBOARD_DIST, file)));
      const etag = res.headers.get('etag');
      assert.match(etag ?? '', /^"[\w-]{22}"$/);
      const again = await fetch(base + path, { headers: { 'if-none-match': etag! } });
      assert.equal(again.status, 304);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
    }
    const csp = (await fetch(base)).headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it('the bundle is self-contained: no CDN, no external URL', () => {
    const html = readFileSync(join(DASHBOARD_DIST, 'index.html'), 'utf8');
    const js = readFileSync(join(DASHBOARD_DIST, 'app.js'), 'utf8');
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
    assert.doesNotMatch(js, /\bimport\s*\(?\s*["']https?:/);
    assert.ok(js.length < 200_000, `app.js is ${js.length} bytes`);
    // Minified: no long runs of indentation.
    assert.doesNotMatch(js, /\n {4}/);
  });

  it('without a bundle the page is a 503 that says to run npm run build', async (t) => {
    const { base } = await serve(t, { assetsDir: tempDir(t, 'barnabee-nodist-') });
    const res = await fetch(base);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(await res.text(), /npm run build/);
    assert.equal((await fetch(`${base}/app.js`)).status, 503);
    // The API still works.
    assert.equal((await fetch(`${base}/api/v1/status`)).status, 200);
  });
});

describe('status and history API', () => {
  it('status is the runtime status plus whether a token is required', async (t) => {
    const { base } = await serve(t);
    assert.deepEqual(await (await fetch(`${base}/api/v1/status`)).json(), { ...STATUS, auth: false });
  });

  it('lists stored turns newest first, searches them, pages with next_before, and opens one with its trace', async (t) => {
    const { base, store } = await serve(t);
    const ids: string[] = [];
    for (const [i, text] of ['what time is it', 'tell me about otters', 'turn on the kitchen light'].entries()) {
      const events = await realTurn(text, [`Answer ${i}. `, 'Done.'], { conversationId: i < 2 ? 'conv-a' : 'conv-b' });
      assert.equal(await store.recordTurn(events, { transport: 'ws' }), true);
      ids.push(events[0]!.turn_id);
    }

    const all = (await (await fetch(`${base}/api/v1/turns`)).json()) as { turns: { turn_id: string }[]; next_before: string | null };
    assert.deepEqual(
      all.turns.map((x) => x.turn_id),
      [...ids].reverse(),
    );
    assert.equal(all.next_before, null);

    const found = (await (await fetch(`${base}/api/v1/turns?q=otters`)).json()) as { turns: { input: string }[] };
    assert.deepEqual(
      found.turns.map((x) => x.input),
      ['tell me about otters'],
    );

    const page1 = (await (await fetch(`${base}/api/v1/turns?limit=2`)).json()) as { turns: { turn_id: string }[]; next_before: string };
    assert.deepEqual(page1.turns.map((x) => x.turn_id), [ids[2], ids[1]]);
    assert.equal(page1.next_before, ids[1]);
    const page2 = (await (await fetch(`${base}/api/v1/turns?limit=2&before=${page1.next_before}`)).json()) as {
      turns: { turn_id: string }[];
      next_before: string | null;
    };
    assert.deepEqual(page2.turns.map((x) => x.turn_id), [ids[0]]);
    assert.equal(page2.next_before, null);

    const one = (await (await fetch(`${base}/api/v1/turns/${ids[1]}`)).json()) as { input: string; text: string; events: { type: string }[] };
    assert.equal(one.input, 'tell me about otters');
    assert.equal(one.text, 'Answer 1. Done.');
    assert.equal(one.events[0]!.type, 'turn.start');
    assert.equal(one.events.at(-1)!.type, 'turn.end');

    const convs = (await (await fetch(`${base}/api/v1/conversations`)).json()) as { conversations: { id: string; turn_count: number }[] };
    assert.deepEqual(
      convs.conversations.map((c) => [c.id, c.turn_count]),
      [
        ['conv-b', 1],
        ['conv-a', 2],
      ],
    );
    const searched = (await (await fetch(`${base}/api/v1/conversations?q=otters`)).json()) as { conversations: { id: string }[] };
    assert.deepEqual(searched.conversations.map((c) => c.id), ['conv-a']);
    const conv = (await (await fetch(`${base}/api/v1/conversations/conv-a`)).json()) as { messages: { role: string; content: string }[] };
    assert.deepEqual(
      conv.messages.map((m) => [m.role, m.content]),
      [
        ['user', 'what time is it'],
        ['assistant', 'Answer 0. Done.'],
        ['user', 'tell me about otters'],
        ['assistant', 'Answer 1. Done.'],
      ],
    );
  });

  it('answers unknown ids with 404 and bad queries with a 400 naming the problem', async (t) => {
    const { base } = await serve(t);
    for (const path of ['/api/v1/turns/nope', '/api/v1/conversations/nope']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
    }
    for (const [query, message] of [
      ['limit=0', /limit: at least 1/],
      ['limit=abc', /limit: expected a number/],
      ['limit=5000', /limit: at most 200/],
      [`q=${'x'.repeat(201)}`, /q: at most 200/],
    ] as const) {
      const res = await fetch(`${base}/api/v1/turns?${query}`);
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'invalid_request');
      assert.match(body.error.message, message);
    }
    const res = await fetch(`${base}/api/v1/turns/${encodeURIComponent('a b<')}`);
    assert.equal(res.status, 400);
  });
});

describe('session (sign-in with the API token)', () => {
  it('keeps the API closed but the page and sign-in open; a good token sets an HttpOnly SameSite=Strict cookie', async (t) => {
    const { base } = await serve(t, { token: TOKEN });
    assert.equal((await fetch(`${base}/api/v1/status`)).status, 401);
    assert.equal((await fetch(`${base}/api/v1/turns`)).status, 401);
    assert.equal((await fetch(`${base}/`)).status, 200);
    assert.equal((await fetch(`${base}/app.js`)).status, 200);

    const post = (body: unknown) =>
      fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const wrong = await post({ token: `${TOKEN}x` });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.headers.getSetCookie(), []);
    const wrongBody = await wrong.text();
    assert.doesNotMatch(wrongBody, new RegExp(TOKEN));

    const bad = await post({});
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /token: expected a string/);

    const ok = await post({ token: TOKEN });
    assert.equal(ok.status, 200);
    const [cookie, ...rest] = ok.headers.getSetCookie();
    assert.equal(rest.length, 0);
    const value = cookie!.split(';')[0]!.slice(SESSION_COOKIE.length + 1);
    assert.ok(new Auth({ token: TOKEN }).sessions!.valid(value), 'a session signed with a key derived from the token');
    assert.match(cookie!, /; Max-Age=604800/, 'expires after SESSION_TTL_DAYS (7 by default)');
    assert.ok(!cookie!.includes(TOKEN), 'the cookie does not contain the token');
    assert.match(cookie!, /; HttpOnly/i);
    assert.match(cookie!, /; SameSite=Strict/i);
    assert.match(cookie!, /; Path=\//);
    assert.doesNotMatch(await ok.text(), new RegExp(TOKEN));

    // As the page sends it: with its own header (docs/protocol.md, "Who may call").
    const withCookie = { headers: { cookie: `${SESSION_COOKIE}=${value}`, 'x-barnabee-page': '1' } };
    const status = await fetch(`${base}/api/v1/status`, withCookie);
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { auth: boolean }).auth, true);
    assert.equal((await fetch(`${base}/api/v1/turns`, withCookie)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/status`, { headers: { cookie: `${SESSION_COOKIE}=forged`, 'x-barnabee-page': '1' } })).status, 401);

    const out = await fetch(`${base}/api/v1/session`, { method: 'DELETE', ...withCookie });
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie()[0] ?? '', new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`));
  });

  it('without a configured token sign-in is a no-op that says so', async (t) => {
    const { base } = await serve(t);
    const res = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token":"anything"}' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { authenticated: true, token_required: false });
    assert.deepEqual(res.headers.getSetCookie(), []);
  });
});
