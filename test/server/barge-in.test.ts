/**
 * Barge-in that knows what was heard: a client cancels with `played_ms` (audio it actually played)
 * and the turn's `spoken_text` keeps exactly the segments played, plus the played share of the next;
 * the conversation history keeps the model's own words ("$5", not "5 dollars") for the same part.
 * Over the WebSocket (`turn.cancel`) and for HTTP streams (`POST /api/v1/turns/{id}/cancel`), against
 * the real runtime in demo mode with Flite; the model stalls after four sentences, so the turn is
 * still running when the cancel arrives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { tokenize } from '../../src/llm/index.js';
import { postJson, WsClient } from '../support/server-clients.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

const SENTENCES = [
  'The first one costs $5 today.',
  'The second sentence has six words.',
  'The third one has six words.',
  'The fourth is never heard at all.',
  'The fifth never even arrives here.',
];
const ANSWER = SENTENCES.join(' ');
// Everything up to the first word of the fifth sentence: the fourth segment is complete, then silence.
const STALL_AFTER = tokenize(`${SENTENCES.slice(0, 4).join(' ')} The`).length;

type Ev = Record<string, any>;
/** Played: segments 0 and 1 whole, then half of segment 2's audio. */
const playedMs = (events: Ev[]) => {
  const d = (n: number) => events.find((e) => e.type === 'speech.end' && e.segment === n)!.duration_ms as number;
  return d(0) + d(1) + d(2) / 2;
};
const heard = 'The first one costs 5 dollars today. The second sentence has six words. The third one';
// The history keeps the model's own words for the same part.
const heardSource = 'The first one costs $5 today. The second sentence has six words. The third one';

describe('barge-in with played_ms', () => {
  let h: RealHarness;
  before(async () => {
    h = await startRealHarness();
  });
  after(() => h.close());
  const stallingAnswer = () => h.simulator.enqueue({ text: ANSWER, ttftMs: 1, tokensPerSecond: 400, fault: { kind: 'stall', afterTokens: STALL_AFTER } });

  it('WebSocket turn.cancel keeps the two played segments and half of the third', async () => {
    stallingAnswer();
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    try {
      ws.send({ type: 'turn.create', text: 'tell me five things', speak: true });
      const events = await ws.waitFor((ev) => ev.some((e) => e.type === 'speech.end' && e.segment === 2), 30_000);
      ws.send({ type: 'turn.cancel', played_ms: playedMs(events) });
      const end = (await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'), 30_000)).find((e) => e.type === 'turn.end')!;
      assert.equal(end.status, 'cancelled');
      assert.equal(end.spoken_text, heard);
      assert.equal(end.metrics.played_ms, Math.round(playedMs(events)));
      assert.equal(ANSWER.slice(0, end.spoken_end), heardSource);
      const conversation = events.find((e) => e.type === 'turn.start')!.conversation_id as string;
      const history = await h.runtime.store!.history(conversation, 8);
      assert.deepEqual(history.at(-1), { role: 'assistant', content: heardSource });
    } finally {
      ws.close();
    }
  });

  /** Event decoders for the HTTP streams: each takes bytes as they arrive and pushes whole events. */
  const decoders: Record<string, (push: (e: Ev) => void) => (text: string) => void> = {
    '/api/v1/chat/stream': (push) => {
      const parser = createParser({ onEvent: (m: EventSourceMessage) => m.data && push(JSON.parse(m.data)) });
      return (text) => parser.feed(text);
    },
    '/api/v1/chat/events': (push) => {
      let buffered = '';
      return (text) => {
        const lines = (buffered + text).split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line) push(JSON.parse(line));
      };
    },
  };

  for (const [path, decoder] of Object.entries(decoders)) {
    it(`an HTTP stream (${path}) cancels by turn id with played_ms`, async () => {
      stallingAnswer();
      const res = await postJson(`${h.url}${path}`, { text: 'tell me five things', speak: true });
      const events: Ev[] = [];
      const feed = decoder((e) => events.push(e));
      const utf8 = new TextDecoder();
      let cancelled = false;
      for await (const bytes of res.body!) {
        feed(utf8.decode(bytes as Uint8Array, { stream: true }));
        if (!cancelled && events.some((e) => e.type === 'speech.end' && e.segment === 2)) {
          cancelled = true;
          const r = await postJson(`${h.url}/api/v1/turns/${events[0].turn_id}/cancel`, { played_ms: playedMs(events) });
          assert.equal(r.status, 202);
        }
        if (events.some((e) => e.type === 'turn.end')) break;
      }
      const end = events.find((e) => e.type === 'turn.end')!;
      assert.equal(end.status, 'cancelled');
      assert.equal(end.spoken_text, heard);
      const history = await h.runtime.store!.history(events[0].conversation_id, 8);
      assert.deepEqual(history.at(-1), { role: 'assistant', content: heardSource });
    });
  }

  it('cancelling a turn that is not running, or not yours, is a 404 and changes nothing', async () => {
    const r = await postJson(`${h.url}/api/v1/turns/no-such-turn/cancel`, {});
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'turn_not_running');
    const bad = await postJson(`${h.url}/api/v1/turns/x/cancel`, { played_ms: -5 });
    assert.equal(bad.status, 400);
  });
});
