/** Every class of bad input gets a clear 4xx `{error:{code,message}}` (or a WebSocket error event, socket kept). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postJson, WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';

async function expectError(res: Response, status: number, code: string) {
  assert.equal(res.status, status, `status for ${code}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 5, 'a message a person can read');
}

describe('bad input', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ MAX_INPUT_CHARS: '50', BODY_LIMIT_BYTES: '2048' });
  });
  after(() => h.close());

  const routes = ['/api/v1/chat', '/api/v1/chat/stream', '/api/v1/chat/text', '/api/v1/chat/events', '/api/v1/chat/audio'];

  it('invalid JSON → 400 invalid_json on every JSON route', async () => {
    for (const r of [...routes, '/v1/chat/completions']) await expectError(await postJson(h.url + r, '{"text": '), 400, 'invalid_json');
  });

  it('invalid UTF-8 → 400 invalid_utf8', async () => {
    const bytes = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    for (const r of routes) await expectError(await postJson(h.url + r, bytes), 400, 'invalid_utf8');
  });

  it('empty or blank text → 400 empty_text', async () => {
    for (const r of routes) await expectError(await postJson(h.url + r, { text: '  \n ' }), 400, 'empty_text');
    await expectError(await fetch(`${h.url}/api/v1/chat?text=`), 400, 'empty_text');
  });

  it('too long (counted in characters) → 400 input_too_long', async () => {
    await expectError(await postJson(`${h.url}/api/v1/chat`, { text: 'x'.repeat(51) }), 400, 'input_too_long');
    // 50 emoji are 100 UTF-16 units but 50 characters: accepted.
    const ok = await postJson(`${h.url}/api/v1/chat`, { text: '🙂'.repeat(50) });
    assert.equal(ok.status, 200);
  });

  it('wrong types and missing fields → 400 invalid_request naming the field', async () => {
    for (const body of [{ text: 42 }, {}, { text: 'hi', speak: 'yes' }, { text: 'hi', conversation_id: 'has spaces' }, [1, 2], 'null']) {
      const res = await postJson(`${h.url}/api/v1/chat`, body);
      assert.equal(res.status, 400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'invalid_request');
    }
    const res = await postJson(`${h.url}/api/v1/chat`, { text: 'hi', speak: 'yes' });
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /speak/);
  });

  it('body over the limit → 413 body_too_large; other media types → 415', async () => {
    await expectError(await postJson(`${h.url}/api/v1/chat`, { text: 'a', pad: 'x'.repeat(4000) }), 413, 'body_too_large');
    await expectError(await fetch(`${h.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }), 415, 'unsupported_media_type');
  });

  it('OpenAI endpoint: no user message, or empty messages → 400', async () => {
    await expectError(await postJson(`${h.url}/v1/chat/completions`, { messages: [] }), 400, 'invalid_request');
    await expectError(await postJson(`${h.url}/v1/chat/completions`, { messages: [{ role: 'system', content: 'x' }] }), 400, 'invalid_request');
    await expectError(await postJson(`${h.url}/v1/chat/completions`, { messages: [{ role: 'wizard', content: 'x' }] }), 400, 'invalid_request');
  });

  it('unknown route → 404 JSON', async () => {
    await expectError(await fetch(`${h.url}/nope`), 404, 'not_found');
  });

  it('WebSocket: unknown type, invalid JSON, bad fields, binary → error events, socket kept open', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'turn.explode' });
    ws.send('{not json');
    ws.send({ type: 'turn.create', text: '' });
    ws.send({ type: 'turn.create', text: 'y'.repeat(51) });
    ws.send({ type: 'turn.create', text: 7 });
    ws.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await ws.waitFor((ev) => ev.length >= 6);
    assert.deepEqual(
      ws.events.map((e) => e.code),
      ['unknown_type', 'invalid_json', 'empty_text', 'input_too_long', 'invalid_request', 'unsupported_frame'],
    );
    for (const e of ws.events) {
      assert.equal(e.type, 'error');
      assert.equal(e.turn_id, null);
    }
    // Still usable.
    ws.send({ type: 'turn.create', text: 'echo still here' });
    const events = await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    assert.equal(events.at(-1)!.text, 'You said: still here');
    ws.close();
  });

  it('WebSocket: a text frame that is not UTF-8 → an invalid_utf8 error event, then close 1007 (RFC 6455 §8.1)', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const closed = new Promise<number>((resolve) => ws.socket.once('close', (code) => resolve(code)));
    ws.socket.send(Buffer.from('{"type":"turn.create","text":"caf\xe9"}', 'latin1'), { binary: false });
    assert.equal(await closed, 1007);
    assert.deepEqual(
      ws.events.map((e) => [e.type, e.code]),
      [['error', 'invalid_utf8']],
    );
  });

  it('WebSocket: a message over BODY_LIMIT_BYTES → close 1009, the server still serving', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const closed = new Promise<number>((resolve) => ws.socket.once('close', (code) => resolve(code)));
    ws.send({ type: 'turn.create', text: 'x'.repeat(3000) });
    assert.equal(await closed, 1009);
    const next = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    next.send({ type: 'turn.create', text: 'echo fine' });
    const events = await next.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    assert.equal(events.at(-1)!.text, 'You said: fine');
    next.close();
  });
});
