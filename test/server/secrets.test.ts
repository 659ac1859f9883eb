/**
 * A token sent to the wrong place — in a URL path, upper-cased, percent-encoded — is echoed neither
 * in the 404 body nor in any log line; `X-Request-ID` is echoed only when it is a short plain token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/server-harness.js';

const TOKEN = 'Path-Token-0123456789abcdef';

async function settled(h: Harness, from: number, lines = 1) {
  // onResponse logs after the bytes left: wait for the line rather than a fixed time.
  for (let i = 0; i < 200 && h.logs.length < from + lines; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('secrets in URLs', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ BARNABEE_API_TOKEN: TOKEN });
  });
  after(() => h.close());

  const forms = [TOKEN, TOKEN.toUpperCase(), TOKEN.toLowerCase(), encodeURIComponent(TOKEN).replace('P', '%50'), Buffer.from(TOKEN).toString('base64url')];

  it('GET /api/v1/<token> (and its case and encoded forms) → 404 that echoes no path, and a log line without it', async () => {
    for (const form of forms) {
      const from = h.logs.length;
      const res = await fetch(`${h.url}/api/v1/${form}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 404);
      const body = await res.text();
      assert.match(body, /"not_found"/);
      assert.ok(!body.includes(form) && !body.toLowerCase().includes(TOKEN.toLowerCase()), `404 body echoes ${form}: ${body}`);
      await settled(h, from);
      const logged = h.logs.slice(from).join('\n');
      assert.match(logged, /"statusCode":404/);
      assert.ok(!logged.includes(form) && !logged.toLowerCase().includes(TOKEN.toLowerCase()), `log line carries ${form}: ${logged}`);
    }
  });

  it('an unauthenticated request with the token in its path or query logs neither', async () => {
    const from = h.logs.length;
    const res = await fetch(`${h.url}/api/v1/${TOKEN}/x?token=${TOKEN.toUpperCase()}&k=${encodeURIComponent(TOKEN)}`);
    assert.equal(res.status, 401);
    assert.ok(!(await res.text()).toLowerCase().includes(TOKEN.toLowerCase()));
    await settled(h, from);
    assert.ok(h.logs.length > from, 'the refusal is logged');
    assert.ok(!h.logs.slice(from).join('\n').toLowerCase().includes(TOKEN.toLowerCase()));
  });

  it('an unknown opaque token in a path is not logged either (no token configured)', async () => {
    const open = await startHarness();
    try {
      const stranger = 'sk9f8e7d6c5b4a3928170aBcDeF';
      const from = open.logs.length;
      const res = await fetch(`${open.url}/api/v1/${stranger}`);
      assert.equal(res.status, 404);
      assert.ok(!(await res.text()).includes(stranger));
      await settled(open, from);
      assert.match(open.logs.slice(from).join('\n'), /\/api\/v1\/\[redacted\]/);
    } finally {
      await open.close();
    }
  });

  it('X-Request-ID is echoed when short and plain, replaced when long or odd', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const echo = async (id: string) => (await fetch(`${h.url}/healthz`, { headers: { ...auth, 'x-request-id': id } })).headers.get('x-request-id');
    assert.equal(await echo('req-42.a:b'), 'req-42.a:b');
    for (const bad of ['x'.repeat(65), 'has space', 'semi;colon', '<script>', 'ü-not-ascii'.normalize()]) {
      let got: string | null;
      try {
        got = await echo(bad);
      } catch {
        continue; // fetch itself refuses some header values: nothing was sent
      }
      assert.match(got ?? '', /^[0-9a-f-]{36}$/, `replaced: ${JSON.stringify(bad)}`);
    }
  });
});
