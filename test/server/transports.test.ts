/** Every transport carries the same turn: same text, gap-free events, each in its own framing. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { parseWav } from '../../src/speech/index.js';
import { fliteStage } from '../support/server-assistant.js';
import { postJson, readNdjson, readSse, textOf, turnEvents, WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';
import { waitUntil } from '../support/wait.js';

const UTTERANCE = 'echo the quick brown fox';
const ANSWER = 'You said: the quick brown fox';

function assertTurnShape(events: Record<string, any>[]) {
  assert.equal(events[0]?.type, 'turn.start');
  assert.equal(events.at(-1)?.type, 'turn.end');
  const id = events[0]!.turn_id;
  events.forEach((e, i) => {
    assert.equal(e.turn_id, id);
    assert.equal(e.seq, i, 'seq is 0,1,2… without gaps');
  });
}

describe('transports', () => {
  let h: Harness;
  const stage = fliteStage();
  before(async () => {
    h = await startHarness({}, { speech: stage, snapshotEveryMs: 200 });
  });
  after(async () => {
    await h.close();
    await stage.close();
  });

  it('SSE POST: one event per turn event, id turn_id:seq, proper headers', async () => {
    const r = await readSse(`${h.url}/api/v1/chat/stream`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: UTTERANCE }) });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.equal(r.headers.get('x-accel-buffering'), 'no');
    assert.equal(r.headers.get('content-encoding'), null);
    const events = turnEvents(r);
    assertTurnShape(events);
    for (const m of r.messages) {
      const e = JSON.parse(m.data);
      assert.equal(m.event, e.type);
      assert.equal(m.id, `${e.turn_id}:${e.seq}`);
    }
    assert.equal(textOf(events), ANSWER);
    assert.equal(events.at(-1)!.text, ANSWER);
  });

  it('SSE GET ?text= gives the same answer', async () => {
    const r = await readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent(UTTERANCE)}`);
    assert.equal(r.status, 200);
    assert.equal(textOf(turnEvents(r)), ANSWER);
  });

  it('WebSocket: JSON frames, audio as JSON without data + one binary PCM frame', async () => {
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    ws.send({ type: 'ping' });
    ws.send({ type: 'turn.create', text: UTTERANCE, speak: true });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'), 20_000);
    const events = ws.events.filter((e) => e.type !== 'pong');
    assert.ok(ws.events.some((e) => e.type === 'pong'));
    assertTurnShape(events);
    assert.equal(textOf(events), ANSWER);
    // Each audio JSON frame is followed directly by its binary frame.
    const frames = ws.frames;
    const audioIdx = frames.map((f, i) => (f.json?.type === 'audio' ? i : -1)).filter((i) => i >= 0);
    assert.ok(audioIdx.length > 0, 'speech produced audio');
    for (const i of audioIdx) {
      assert.equal(frames[i]!.json!.data, undefined);
      assert.ok(frames[i + 1]?.binary && frames[i + 1]!.binary!.length > 0);
    }
    ws.close();
  });

  it('chunked text: only the answer text, as text/plain', async () => {
    const res = await postJson(`${h.url}/api/v1/chat/text`, { text: UTTERANCE });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), ANSWER);
  });

  it('NDJSON: one event a line, audio with base64 data', async () => {
    const res = await postJson(`${h.url}/api/v1/chat/events`, { text: UTTERANCE, speak: true });
    assert.match(res.headers.get('content-type')!, /^application\/x-ndjson/);
    const events = await readNdjson(res);
    assertTurnShape(events);
    assert.equal(textOf(events), ANSWER);
    const audio = events.filter((e) => e.type === 'audio');
    assert.ok(audio.length > 0);
    assert.ok(Buffer.from(audio[0]!.data, 'base64').length > 0);
  });

  it('one-shot JSON, POST and GET, in the Home Assistant shape', async () => {
    const a = (await (await postJson(`${h.url}/api/v1/chat`, { text: UTTERANCE, conversation_id: 'kitchen-1' })).json()) as Record<string, any>;
    assert.equal(a.response, ANSWER);
    assert.equal(a.agent, 'interaction');
    assert.equal(a.intent, 'chat');
    assert.equal(a.conversation_id, 'kitchen-1');
    assert.equal(typeof a.turn_id, 'string');
    assert.equal(typeof a.metrics.total_ms, 'number');
    const b = (await (await fetch(`${h.url}/api/v1/chat?text=${encodeURIComponent(UTTERANCE)}`)).json()) as Record<string, any>;
    assert.equal(b.response, ANSWER);
  });

  it('streaming WAV: a playable header first, then PCM', async () => {
    const res = await postJson(`${h.url}/api/v1/chat/audio`, { text: UTTERANCE });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 4).toString('ascii'), 'RIFF');
    const wav = parseWav(bytes);
    assert.equal(wav.channels, 1);
    assert.ok(wav.sampleRate >= 8000);
    assert.ok(wav.data.length > wav.sampleRate / 2, 'at least a quarter second of audio');
  });

  it('OpenAI-compatible: the official client streams and completes', async () => {
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused' });
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['barnabee']);

    const stream = await client.chat.completions.create({
      model: 'barnabee',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: UTTERANCE },
      ],
    });
    let text = '';
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, ANSWER);
    assert.equal(finish, 'stop');
    assert.ok(usage && (usage as { completion_tokens: number }).completion_tokens > 0);

    const done = await client.chat.completions.create({ model: 'barnabee', messages: [{ role: 'user', content: UTTERANCE }] });
    assert.equal(done.choices[0]!.message.content, ANSWER);
    assert.equal(done.object, 'chat.completion');
  });

  it('X-Request-ID is echoed when plain and generated otherwise', async () => {
    const a = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(a.headers.get('x-request-id'), 'abc-123');
    const b = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'bad id\u00e9'.replace('\u00e9', '%') } });
    assert.match(b.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
  });

  it('health, readiness and Prometheus metrics fed from the bus', async () => {
    assert.deepEqual(await (await fetch(`${h.url}/healthz`)).json(), { status: 'ok' });
    assert.equal((await fetch(`${h.url}/readyz`)).status, 200);
    const text = await (await fetch(`${h.url}/metrics`)).text();
    for (const name of ['barnabee_first_chunk_ms_bucket', 'barnabee_turn_duration_ms_bucket', 'barnabee_active_turns', 'barnabee_tokens_total', 'barnabee_cost_usd_total']) {
      assert.ok(text.includes(name), `${name} in /metrics`);
    }
    assert.match(text, /barnabee_turns_total\{agent="interaction",status="completed"\} \d+/);
  });

  it('one log line per turn with its metrics', async () => {
    const before = h.logObjects().filter((l) => l.msg === 'turn').length;
    await postJson(`${h.url}/api/v1/chat`, { text: 'hello' });
    const turns = h.logObjects().filter((l) => l.msg === 'turn');
    assert.equal(turns.length, before + 1);
    const line = turns.at(-1)!;
    assert.equal(line.transport, 'json');
    assert.equal(line.status, 'completed');
    assert.equal(typeof line.metrics.total_ms, 'number');
    assert.equal(typeof line.reqId, 'string');
  });

  it('dashboard feed (WebSocket and SSE): every client’s events, audio without data, metrics snapshots', async () => {
    const dash = await WsClient.open(`${h.wsUrl}/api/v1/ws/dashboard`);
    const sse = readSse(`${h.url}/api/v1/events`, {}, (m) => m.event === 'turn.end');
    await dash.waitFor((ev) => ev.some((e) => e.type === 'metrics'));
    await waitUntil(() => h.server.app.barnabee.feed.size === 2, 'the SSE watcher to be registered next to the WebSocket one');
    const res = await postJson(`${h.url}/api/v1/chat/events`, { text: UTTERANCE, speak: true });
    const direct = await readNdjson(res);
    const seen = await dash.waitFor((ev) => ev.some((e) => e.type === 'turn.end'), 20_000);
    const turn = seen.filter((e) => e.turn_id === direct[0]!.turn_id);
    assert.deepEqual(turn.map((e) => e.seq), direct.map((e) => e.seq));
    const audio = turn.filter((e) => e.type === 'audio');
    assert.ok(audio.length > 0);
    for (const a of audio) assert.equal(a.data, undefined, 'the feed carries no audio bytes');
    assert.equal(dash.frames.filter((f) => f.binary).length, 0);
    // Periodic snapshots, counting the turn.
    await dash.waitFor((ev) => ev.filter((e) => e.type === 'metrics').length >= 2 && ev.filter((e) => e.type === 'metrics').at(-1)!.turns_total > 0);
    const snap = dash.events.filter((e) => e.type === 'metrics').at(-1)!;
    for (const k of ['active_turns', 'turns_total', 'errors_total', 'tokens_total', 'cost_usd_total', 'by_agent']) assert.ok(k in snap, k);
    assert.ok(snap.by_agent.interaction.turns > 0);
    dash.close();

    const r = await sse;
    assert.ok(r.messages.some((m) => m.event === 'metrics'));
    const ends = r.messages.filter((m) => m.event === 'turn.end');
    assert.equal(JSON.parse(ends[0]!.data).turn_id, direct[0]!.turn_id);
    for (const m of r.messages.filter((m) => m.event === 'audio')) assert.equal(JSON.parse(m.data).data, undefined);
  });
});
