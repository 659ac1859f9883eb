/**
 * Against the real runtime in demo mode: one scripted model answer reaches every transport as the
 * same text, and a client that leaves closes the upstream model request (the simulator's record).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { postJson, readNdjson, readSse, textOf, turnEvents, WsClient } from '../support/server-clients.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';
import { PROMPT_MS, waitUntil } from '../support/wait.js';

const QUESTION = 'tell me about the history of the bicycle';
const ANSWER = 'Bicycles appeared in the early nineteenth century, and pedals came decades later.';

describe('real runtime (demo mode)', () => {
  let h: RealHarness;
  before(async () => {
    // SSE_RESUME_MS=0: an SSE client that leaves is gone at once (no wait for a reconnect).
    h = await startRealHarness({ SSE_RESUME_MS: '0' });
  });
  after(() => h.close());

  it('the same turn yields the same text on every transport', async () => {
    const texts: Record<string, string> = {};
    const next = () => h.simulator.enqueue({ text: ANSWER, ttftMs: 5, tokensPerSecond: 2000 });

    next();
    texts.sse = textOf(turnEvents(await readSse(`${h.url}/api/v1/chat/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: QUESTION }) })));
    next();
    texts.sseGet = textOf(turnEvents(await readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent(QUESTION)}`)));
    next();
    texts.ndjson = textOf(await readNdjson(await postJson(`${h.url}/api/v1/chat/events`, { text: QUESTION })));
    next();
    texts.text = await (await postJson(`${h.url}/api/v1/chat/text`, { text: QUESTION })).text();
    next();
    texts.json = ((await (await postJson(`${h.url}/api/v1/chat`, { text: QUESTION })).json()) as { response: string }).response;
    next();
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'turn.create', text: QUESTION });
    texts.ws = textOf(await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end')));
    ws.close();
    next();
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused' });
    let streamed = '';
    for await (const c of await client.chat.completions.create({ model: 'barnabee', stream: true, messages: [{ role: 'user', content: QUESTION }] })) {
      streamed += c.choices[0]?.delta.content ?? '';
    }
    texts.openai = streamed;

    for (const [transport, text] of Object.entries(texts)) assert.equal(text.trim(), ANSWER, transport);
  });

  it('the dashboard routes are registered with the real runtime', async () => {
    const res = await fetch(`${h.url}/api/v1/status`);
    assert.match(res.headers.get('x-barnabee-demo') ?? '', /simulated/, 'demo mode says so on every response');
    const status = (await res.json()) as Record<string, unknown>;
    assert.equal(status.provider, 'demo');
    assert.equal(status.demo, true);
  });

  it('an instant answer travels the same way (no model)', async () => {
    const before = h.simulator.records.length;
    const a = (await (await postJson(`${h.url}/api/v1/chat`, { text: 'what is 7 times 6' })).json()) as Record<string, any>;
    assert.equal(a.agent, 'instant');
    assert.match(a.response, /42/);
    assert.equal(h.simulator.records.length, before, 'no model request');
  });

  for (const transport of ['sse', 'ws'] as const) {
    it(`${transport}: a client that leaves closes the upstream model request at once`, async () => {
      h.simulator.enqueue({ text: 'word '.repeat(400), ttftMs: 5, tokensPerSecond: 50 });
      const count = h.simulator.records.length;
      let leftAt = 0;
      if (transport === 'sse') {
        await readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent(QUESTION)}`, {}, (m) => {
          if (m.event !== 'chunk') return false;
          leftAt = performance.now();
          return true;
        });
      } else {
        const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
        ws.send({ type: 'turn.create', text: QUESTION });
        await ws.waitFor((ev) => ev.some((e) => e.type === 'chunk'));
        leftAt = performance.now();
        ws.socket.terminate();
      }
      const rec = await waitUntil(() => (h.simulator.records[count]?.closedAt ? h.simulator.records[count] : undefined), 'the simulator to see the request close');
      assert.equal(rec.closedBy, 'client-closed');
      assert.ok(rec.tokensSent < 400, 'generation stopped early');
      assert.ok(rec.closedAt! - leftAt < PROMPT_MS, `upstream closed ${(rec.closedAt! - leftAt).toFixed(1)} ms after the client left`);
    });
  }
});
