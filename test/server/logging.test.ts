/** Log volume: one line per turn, none per successful request; a failed request leaves one line, never the token. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/server-harness.js';
import { waitUntil } from '../support/wait.js';

const TOKEN = 'log-test-secret-token-123';

describe('request logging', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ BARNABEE_API_TOKEN: TOKEN });
  });
  after(() => h.close());

  it('writes one line per turn and no per-request lines for a successful request', async () => {
    const before = h.logs.length;
    const res = await fetch(`${h.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello there' }),
    });
    assert.equal(res.status, 200);
    await res.json();
    const lines = h.logObjects().slice(before);
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['turn'],
    );
    assert.equal(lines[0]!.transport, 'json');
    assert.ok(lines[0]!.metrics, 'the turn line carries its metrics');
  });

  it('logs a 4xx response once, with its status and request id, and without the token', async () => {
    const before = h.logs.length;
    const res = await fetch(`${h.url}/api/v1/chat?token=${TOKEN}`, { headers: { authorization: 'Bearer wrong', 'x-request-id': 'log-probe-1' } });
    assert.equal(res.status, 401);
    await res.text();
    // onResponse runs after the bytes left.
    await waitUntil(() => h.logs.length > before, 'the response log line');
    const lines = h.logObjects().slice(before);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!.statusCode, 401);
    assert.equal(lines[0]!.reqId, 'log-probe-1');
    assert.ok(!h.logs.slice(before).join('\n').includes(TOKEN), 'the token never reaches a log line');
  });
});
