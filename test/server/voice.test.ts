/**
 * A voice the speech engine does not have is bad input: 400 `invalid_voice` on every HTTP transport
 * that takes `voice`, an `error` event (and no turn) on the WebSocket — before the turn starts,
 * never a 502 from a failed synthesis. Real runtime in demo mode with its real Flite engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postJson, WsClient } from '../support/server-clients.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

describe('unknown voice', () => {
  let h: RealHarness;
  before(async () => {
    h = await startRealHarness();
  });
  after(() => h.close());

  async function expectInvalidVoice(res: Response, what: string) {
    assert.equal(res.status, 400, what);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'invalid_voice', what);
    assert.match(body.error.message, /unknown voice "nobody".*kal16/, what);
  }

  it('HTTP: every route that takes a voice answers 400 invalid_voice, and runs no turn', async () => {
    const started: string[] = [];
    const unsubscribe = h.runtime.bus.subscribe((e) => void (e.type === 'turn.start' && started.push(e.turn_id)));
    for (const route of ['/api/v1/chat', '/api/v1/chat/stream', '/api/v1/chat/text', '/api/v1/chat/events', '/api/v1/chat/audio']) {
      await expectInvalidVoice(await postJson(h.url + route, { text: 'what time is it', voice: 'nobody', speak: true }), `POST ${route}`);
      await expectInvalidVoice(await postJson(h.url + route, { text: 'what time is it', voice: 'nobody' }), `POST ${route} without speech`);
    }
    for (const route of ['/api/v1/chat', '/api/v1/chat/stream']) {
      await expectInvalidVoice(await fetch(`${h.url}${route}?text=hello&voice=nobody&speak=true`), `GET ${route}`);
    }
    unsubscribe();
    assert.deepEqual(started, [], 'no turn started');
  });

  it('HTTP: a voice the engine has still speaks', async () => {
    const res = await postJson(`${h.url}/api/v1/chat/audio`, { text: 'what time is it', voice: 'slt' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
  });

  it('WebSocket: an error event naming invalid_voice, no turn, and the running turn goes on', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'turn.create', text: 'what time is it', voice: 'nobody', speak: true });
    const [err] = await ws.waitFor((ev) => ev.length >= 1);
    assert.deepEqual([err!.type, err!.code, err!.turn_id], ['error', 'invalid_voice', null]);
    ws.send({ type: 'turn.create', text: 'what time is it', voice: 'slt', speak: true });
    const events = await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    assert.equal(events.filter((e) => e.type === 'turn.start').length, 1, 'only the good request started a turn');
    assert.ok(events.some((e) => e.type === 'audio'), 'the known voice spoke');
    assert.equal(events.at(-1)!.status, 'completed');
    ws.close();
  });
});
