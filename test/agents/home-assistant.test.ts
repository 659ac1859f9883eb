import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createHomeAssistantBackend, HomeError } from '../../src/agents/home/index.js';
import { startHaServer, type HaServer } from '../support/ha-server.js';

describe('Home Assistant backend (REST API over loopback)', () => {
  let ha: HaServer;
  before(async () => {
    ha = await startHaServer();
  });
  after(() => ha.close());

  const backend = (over: { url?: string; token?: string; timeoutMs?: number } = {}) =>
    createHomeAssistantBackend({ url: ha.url, token: ha.token, timeoutMs: 10_000, ...over });

  /** Asserts a HomeError with this code whose message and JSON hold no secret. */
  const rejectsWith = async (p: Promise<unknown>, code: string, pattern?: RegExp, secret = ha.token) => {
    let caught: unknown;
    await p.catch((e) => (caught = e));
    assert.ok(caught instanceof HomeError, `expected HomeError ${code}, got ${inspect(caught)}`);
    assert.equal(caught.code, code, caught.message);
    if (pattern) assert.match(caught.message, pattern);
    for (const shown of [caught.message, JSON.stringify(caught), inspect(caught), String(caught.stack)]) assert.ok(!shown.includes(secret), 'token leaked');
    return caught;
  };

  it('lists states with the Bearer token', async () => {
    const before = ha.requests.length;
    const states = await backend().listEntities();
    const req = ha.requests[before];
    assert.deepEqual([req.method, req.path, req.authorization], ['GET', '/api/states', `Bearer ${ha.token}`]);
    const kitchen = states.find((e) => e.entity_id === 'light.kitchen_ceiling')!;
    assert.equal(kitchen.state, 'on');
    assert.equal(kitchen.attributes.brightness, 255);
    // No friendly name: named after the object id, as Home Assistant's UI does.
    assert.equal(states.find((e) => e.entity_id === 'light.garage_strip')!.attributes.friendly_name, 'garage strip');
  });

  it('calls services with JSON data; the server state changes and the changed states come back', async () => {
    const home = backend({ url: `${ha.url}/api/` });
    const changed = await home.callService('light', 'turn_on', { entity_id: 'light.kitchen_island', brightness_pct: 40 });
    const req = ha.requests.at(-1)!;
    assert.deepEqual([req.method, req.path, req.body], ['POST', '/api/services/light/turn_on', { entity_id: 'light.kitchen_island', brightness_pct: 40 }]);
    assert.deepEqual(changed.map((e) => [e.entity_id, e.state, e.attributes.brightness]), [['light.kitchen_island', 'on', 102]]);
    assert.equal(ha.state('light.kitchen_island')!.state, 'on');
    await home.callService('lock', 'lock', { entity_id: ['lock.back_door'] });
    assert.equal(ha.state('lock.back_door')!.state, 'locked');
    // Nothing changed: Home Assistant answers with an empty list.
    assert.deepEqual(await home.callService('lock', 'lock', { entity_id: 'lock.back_door' }), []);
  });

  it('a wrong token is a clear unauthorized error that never shows the token', async () => {
    const wrong = 'wrong-token-0123456789-SECRET-abc';
    await rejectsWith(backend({ token: wrong }).listEntities(), 'unauthorized', /rejected the access token.*HA_TOKEN/, wrong);
    await rejectsWith(backend({ token: wrong }).callService('light', 'turn_on', { entity_id: 'light.porch' }), 'unauthorized', /HTTP 401/, wrong);
  });

  it('a wrong base path is not_found; an unknown service is bad_request', async () => {
    await rejectsWith(backend({ url: `${ha.url}/hass` }).listEntities(), 'not_found', /HTTP 404.*HA_URL/);
    await rejectsWith(backend().callService('light', 'explode', { entity_id: 'light.porch' }), 'bad_request', /HTTP 400/);
    await rejectsWith(backend().callService('light/../x', 'turn_on', { entity_id: 'light.porch' }), 'unknown_service');
  });

  it('5xx is a retryable upstream error; a 400 body echoing the token is redacted', async () => {
    ha.fault({ kind: 'status', status: 502 });
    const e = await rejectsWith(backend().listEntities(), 'upstream', /HTTP 502/);
    assert.equal(e.retryable, true);
    ha.fault({ kind: 'status', status: 400, body: `bad token ${ha.token}` });
    await rejectsWith(backend().callService('light', 'turn_on', { entity_id: 'light.porch' }), 'bad_request', /\[redacted\]/);
  });

  it('times out a slow server and names the limit', async () => {
    ha.fault({ kind: 'delay', ms: 5000 });
    const started = performance.now();
    const e = await rejectsWith(backend({ timeoutMs: 150 }).listEntities(), 'timeout', /within 150 ms/);
    assert.ok(performance.now() - started < 4000, 'gave up before the server answered');
    assert.equal(e.retryable, true);
  });

  it('a dropped connection or a closed port is unreachable; a non-JSON body is bad_response', async () => {
    ha.fault({ kind: 'drop' });
    await rejectsWith(backend().listEntities(), 'unreachable');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await rejectsWith(backend({ url: `http://127.0.0.1:${port}` }).listEntities(), 'unreachable', /ECONNREFUSED/);
    ha.fault({ kind: 'body', body: '<html>proxy error</html>' });
    await rejectsWith(backend().listEntities(), 'bad_response');
    ha.fault({ kind: 'body', body: '[{"nope":1}]' });
    await rejectsWith(backend().listEntities(), 'bad_response', /unexpected shape/);
  });

  it("the caller's abort surfaces as the abort, not as a home error", async () => {
    ha.fault({ kind: 'delay', ms: 800 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('barge-in')), 30);
    await assert.rejects(backend().listEntities(ac.signal), /barge-in/);
  });

  it('keeps the token out of the backend object itself', () => {
    const home = backend();
    assert.ok(!inspect(home, { depth: 5, showHidden: true }).includes(ha.token));
    assert.ok(!JSON.stringify(home).includes(ha.token));
    assert.throws(() => createHomeAssistantBackend({ url: 'not a url', token: 'x' }), HomeError);
    assert.throws(() => createHomeAssistantBackend({ url: 'ftp://host', token: 'x' }), HomeError);
  });
});
