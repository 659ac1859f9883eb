/**
 * The Wyoming server, driven over TCP by a client written from the protocol (test/support), with
 * the real runtime in demo mode behind it: the simulated model over real HTTP, Flite speech, SQLite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startWyomingServer } from '../../src/server/index.js';
import { chunkText } from '../../src/speech/index.js';
import type { EventOf } from '../../src/turn/index.js';
import { startWyomingHarness, type WyomingHarness } from '../support/wyoming-harness.js';
import { frame, WyomingTestClient, type WyEvent } from '../support/wyoming-client.js';

let h: WyomingHarness;
before(async () => {
  h = await startWyomingHarness();
});
after(() => h.close());

const open = () => WyomingTestClient.open(h.port);
const handledDone = (es: WyEvent[]) => es.some((e) => e.type === 'handled-stop' || e.type === 'not-handled');

/** HA's conversation agent: one connection per turn, transcript in, read until `handled`, close. */
async function converse(text: string, context: Record<string, unknown> = { conversation_id: `c-${Math.random().toString(36).slice(2)}` }) {
  const client = await open();
  client.send('transcript', { text, language: 'en', context });
  const events = await client.waitFor(handledDone, 'handled-stop');
  client.close();
  return events;
}

describe('Wyoming server: describe', () => {
  it('answers describe with a handle program and a streaming tts program', async () => {
    const client = await open();
    client.send('describe');
    const info = await client.waitForType('info');
    client.close();
    const [handle] = info.data.handle;
    assert.equal(handle.name, 'barnabee');
    assert.equal(handle.installed, true);
    assert.equal(handle.supports_handled_streaming, true);
    assert.equal(handle.supports_home_control, true);
    assert.equal(typeof handle.attribution.name, 'string');
    assert.equal(typeof handle.version, 'string');
    assert.ok(handle.models[0].installed && handle.models[0].languages.includes('en'));
    const [tts] = info.data.tts;
    assert.equal(tts.supports_synthesize_streaming, true);
    assert.equal(tts.installed, true);
    assert.equal(tts.voices[0].name, 'kal16', 'the configured voice comes first');
    assert.ok(tts.voices.every((v: any) => v.installed && v.languages.includes('en')));
    for (const key of ['asr', 'intent', 'wake', 'mic', 'snd']) assert.deepEqual(info.data[key], []);
  });

  it('follows the framing however the bytes are split, with data inline or in its own block', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }), async (cuts) => {
        const both = '{"text":"both ✓"}';
        const bytes = Buffer.concat([
          frame('describe'),
          frame('ping', { text: 'inline ✓' }, { inline: true }),
          frame('ping', { text: 'block ✓' }),
          // Data in both places: the block is merged over the header's.
          Buffer.from(JSON.stringify({ type: 'ping', data: { text: 'header' }, data_length: Buffer.byteLength(both), version: '1.9.0' }) + '\n' + both),
        ]);
        const client = await open();
        let at = 0;
        for (const cut of [...cuts, bytes.length]) {
          const end = Math.min(bytes.length, at + cut);
          if (end > at) client.write(bytes.subarray(at, end));
          at = end;
          // Let each piece reach the server on its own.
          await new Promise((r) => setImmediate(r));
        }
        const events = await client.waitFor((es) => es.filter((e) => e.type === 'pong').length === 3, 'three pongs');
        client.close();
        assert.deepEqual(events.map((e) => e.type), ['info', 'pong', 'pong', 'pong']);
        assert.deepEqual(events.slice(1).map((e) => e.data.text), ['inline ✓', 'block ✓', 'both ✓']);
      }),
      { numRuns: 15 },
    );
  });
});

describe('Wyoming server: conversation', () => {
  it('streams handled-chunk events, then the mandatory handled and handled-stop', async () => {
    const events = await converse('tell me about the moon', { conversation_id: 'ha-conv-1', device_id: 'dev1', satellite_id: 'sat1' });
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'handled-start');
    assert.deepEqual(types.slice(-2), ['handled', 'handled-stop']);
    const chunks = events.filter((e) => e.type === 'handled-chunk');
    assert.ok(chunks.length >= 2, `the answer streams (got ${chunks.length} chunks)`);
    assert.ok(types.slice(1, -2).every((t) => t === 'handled-chunk'));
    const handled = events.find((e) => e.type === 'handled')!;
    assert.ok(handled.data.text.length > 10);
    assert.equal(handled.data.text, chunks.map((c) => c.data.text).join(''));
    assert.deepEqual(handled.data.context, { conversation_id: 'ha-conv-1', device_id: 'dev1', satellite_id: 'sat1' });
    assert.deepEqual(events[0].data.context, handled.data.context);
  });

  it('runs the turn through the hub and bus like any transport: the dashboard and the store see it', async () => {
    const text = `what is the weather like on mars ${Date.now()}`;
    await converse(text);
    const start = (await h.busEvent((e) => e.type === 'turn.start' && e.input === text)) as EventOf<'turn.start'>;
    const end = (await h.busEvent((e) => e.type === 'turn.end' && e.turn_id === start.turn_id)) as EventOf<'turn.end'>;
    assert.equal(end.status, 'completed');
    assert.equal(h.runtime.store.getTurn(start.turn_id)?.transport, 'wyoming');
    assert.match(start.conversation_id, /^wyoming-/);
  });

  it('keeps a conversation: a follow-up with the same conversation id sends the earlier turn to the model', async () => {
    const context = { conversation_id: `follow-${Date.now()}` };
    await converse('tell me a fact about owls', context);
    const first = h.simulator.records.at(-1)!.body as { messages: unknown[] };
    await converse('and another one', context);
    const second = h.simulator.records.at(-1)!.body as { messages: { role: string; content: string }[] };
    assert.equal(second.messages.length, first.messages.length + 2, 'the first question and answer are in the history');
    assert.ok(second.messages.some((m) => m.role === 'user' && m.content === 'tell me a fact about owls'));
  });

  it('confirms an unlock across turns of the same conversation, one connection per turn', async () => {
    const context = { conversation_id: `lock-${Date.now()}` };
    const ask = await converse('unlock the front door', context);
    assert.match(ask.find((e) => e.type === 'handled')!.data.text, /\?/);
    const yes = await converse('yes', context);
    const said = yes.find((e) => e.type === 'handled')!.data.text as string;
    const start = (await h.busEvent((e) => e.type === 'turn.start' && e.input === 'yes' && e.conversation_id.startsWith('wyoming-'))) as EventOf<'turn.start'>;
    const action = (await h.busEvent((e) => e.type === 'action' && e.turn_id === start.turn_id)) as EventOf<'action'>;
    assert.equal(action.ok, true, said);
    assert.match(action.service, /unlock/);
  });

  it('answers not-handled when no turn can be made of the transcript', async () => {
    for (const data of [{ text: '   ' }, { text: 42 }, { text: 'hi', context: { conversation_id: 'bad id with spaces' } }]) {
      const client = await open();
      client.send('transcript', data);
      const [event] = await client.waitFor(handledDone, 'not-handled');
      client.close();
      assert.equal(event.type, 'not-handled', JSON.stringify(data));
      assert.equal(typeof event.data.text, 'string');
    }
  });

  it('cancels the turn when the client disconnects mid-answer', async () => {
    const text = `tell me a very long story ${Date.now()}`;
    h.simulator.enqueue({ ttftMs: 0, tokensPerSecond: 20, text: 'Once upon a time '.repeat(200) });
    const client = await open();
    client.send('transcript', { text, context: { conversation_id: 'gone-1' } });
    await client.waitForType('handled-chunk');
    client.close();
    const start = (await h.busEvent((e) => e.type === 'turn.start' && e.input === text)) as EventOf<'turn.start'>;
    const end = (await h.busEvent((e) => e.type === 'turn.end' && e.turn_id === start.turn_id)) as EventOf<'turn.end'>;
    assert.equal(end.status, 'cancelled');
    await h.simulator.settled();
    assert.equal(h.simulator.records.at(-1)!.closedBy, 'client-closed', 'the model request was closed too');
  });
});

describe('Wyoming server: a failing model', () => {
  let failing: WyomingHarness;
  before(async () => {
    failing = await startWyomingHarness({ LLM_MODEL: 'sim/status:400', LLM_MAX_RETRIES: '0' });
  });
  after(() => failing.close());

  it('still ends with handled (an apology) and handled-stop', async () => {
    const client = await WyomingTestClient.open(failing.port);
    client.send('transcript', { text: 'tell me about the moon', context: { conversation_id: 'fail-1' } });
    const events = await client.waitFor(handledDone, 'handled-stop');
    client.close();
    assert.deepEqual(events.map((e) => e.type).slice(-2), ['handled', 'handled-stop']);
    assert.ok(events.find((e) => e.type === 'handled')!.data.text.length > 0);
    const end = (await failing.busEvent((e) => e.type === 'turn.end')) as EventOf<'turn.end'>;
    assert.notEqual(end.status, 'completed');
  });
});

/** Checks the audio grammar of a streamed synthesis: (audio-start, audio-chunk+, audio-stop)+ synthesize-stopped. */
function segmentsOf(events: WyEvent[]): Buffer[][] {
  const segments: Buffer[][] = [];
  let open: Buffer[] | null = null;
  for (const e of events) {
    if (e.type === 'audio-start') {
      assert.equal(open, null, 'audio-start inside a segment');
      assert.deepEqual([e.data.rate, e.data.width, e.data.channels], [16000, 2, 1]);
      open = [];
    } else if (e.type === 'audio-chunk') {
      assert.ok(open, 'audio-chunk outside a segment');
      assert.deepEqual([e.data.rate, e.data.width, e.data.channels], [16000, 2, 1]);
      assert.ok(e.payload && e.payload.length > 0 && e.payload.length % 2 === 0);
      open.push(e.payload);
    } else if (e.type === 'audio-stop') {
      assert.ok(open && open.length > 0, 'audio-stop without audio');
      segments.push(open);
      open = null;
    }
  }
  assert.equal(open, null, 'a segment was left open');
  return segments;
}

describe('Wyoming server: text-to-speech', () => {
  const story =
    'The lighthouse keeper climbed the stairs every evening, counting each step as he went. ' +
    'At the top he wound the great clock, polished the lens and lit the lamp. ' +
    'Ships far out at sea saw the light sweep across the waves and knew where the rocks were. ' +
    'In the morning he put the lamp out, wrote in his log and walked down again.';

  it('speaks a text stream as it arrives: the first audio leaves before synthesize-stop, in order, then synthesize-stopped', async () => {
    const client = await open();
    client.send('synthesize-start', { voice: { name: 'kal16' } });
    const words = story.split(/(?<= )/);
    for (let i = 0; i < words.length; i += 3) client.send('synthesize-chunk', { text: words.slice(i, i + 3).join('') });
    // Event-ordered proof: stop (and HA's whole-text copy) go only after audio arrived.
    await client.waitForType('audio-chunk');
    assert.ok(!client.events.some((e) => e.type === 'synthesize-stopped'));
    client.send('synthesize', { text: story, voice: { name: 'kal16' } });
    client.send('synthesize-stop');
    const events = await client.waitFor((es) => es.some((e) => e.type === 'synthesize-stopped'), 'synthesize-stopped');
    client.send('ping', { text: 'after' });
    await client.waitForType('pong');
    client.close();
    assert.equal(events.filter((e) => e.type === 'synthesize-stopped').length, 1);
    const stoppedAt = client.events.findIndex((e) => e.type === 'synthesize-stopped');
    assert.deepEqual(client.events.slice(stoppedAt + 1).map((e) => e.type), ['pong'], 'nothing after synthesize-stopped');
    const segments = segmentsOf(client.events.slice(0, stoppedAt));
    const expected = chunkText(story, { firstMinWords: h.runtime.config.SPEECH_FIRST_MIN_WORDS, maxChars: h.runtime.config.SPEECH_MAX_CHARS });
    assert.equal(segments.length, expected.length, 'one audio stream per segment, and the whole-text copy was not spoken again');
    assert.ok(segments.length >= 4);
  });

  it('answers a plain synthesize (no stream) as one audio stream ending in audio-stop', async () => {
    const client = await open();
    client.send('synthesize', { text: 'Hello there. The kitchen lights are on.' });
    await client.waitForType('audio-stop');
    client.send('ping', { text: 'after' });
    await client.waitForType('pong');
    client.close();
    const types = client.events.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'audio-start').length, 1);
    assert.equal(types.filter((t) => t === 'audio-stop').length, 1);
    assert.ok(!types.includes('synthesize-stopped'));
    assert.equal(segmentsOf(client.events).length, 1);
  });

  it('refuses out-of-order stream events with an error and stays usable', async () => {
    const client = await open();
    client.send('synthesize-chunk', { text: 'orphan' });
    client.send('synthesize-stop');
    client.send('describe');
    await client.waitForType('info');
    client.close();
    assert.deepEqual(client.events.slice(0, 2).map((e) => [e.type, e.data.code]), [
      ['error', 'invalid_sequence'],
      ['error', 'invalid_sequence'],
    ]);
  });
});

describe('Wyoming server: bad input', () => {
  it('answers an unknown event type with an error and keeps the connection', async () => {
    const client = await open();
    client.send('run-satellite');
    client.send('ping', { text: 'still here' });
    await client.waitForType('pong');
    client.close();
    assert.equal(client.events[0].type, 'error');
    assert.equal(client.events[0].data.code, 'unknown_event');
  });

  for (const [name, bytes, code] of [
    ['a header that is not JSON', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'invalid_header'],
    ['a header without a type', Buffer.from('{"data":{}}\n'), 'invalid_header'],
    ['data that is not JSON', Buffer.from('{"type":"transcript","data_length":5}\nhello'), 'invalid_data'],
    ['an oversized header line', Buffer.alloc(70 * 1024, 0x41), 'header_too_long'],
    ['a data block beyond the bound', Buffer.from('{"type":"transcript","data_length":50000000}\n'), 'data_too_long'],
    ['a payload beyond the bound', Buffer.from('{"type":"audio-chunk","payload_length":50000000}\n'), 'payload_too_long'],
    ['a negative length', Buffer.from('{"type":"transcript","data_length":-1}\n'), 'invalid_header'],
  ] as const) {
    it(`closes cleanly after an error event on ${name}`, async () => {
      const client = await open();
      client.write(bytes);
      await client.waitClosed();
      assert.deepEqual(client.events.map((e) => [e.type, e.data.code]), [['error', code]]);
    });
  }

  it('cancels the running turn when the framing breaks mid-answer, and keeps serving others', async () => {
    const text = `count to a thousand slowly ${Date.now()}`;
    h.simulator.enqueue({ ttftMs: 0, tokensPerSecond: 20, text: 'one two three '.repeat(200) });
    const client = await open();
    client.send('transcript', { text });
    await client.waitForType('handled-chunk');
    client.write('not json\n');
    await client.waitClosed();
    const start = (await h.busEvent((e) => e.type === 'turn.start' && e.input === text)) as EventOf<'turn.start'>;
    const end = (await h.busEvent((e) => e.type === 'turn.end' && e.turn_id === start.turn_id)) as EventOf<'turn.end'>;
    assert.equal(end.status, 'cancelled');
    const other = await open();
    other.send('describe');
    await other.waitForType('info');
    other.close();
  });
});

describe('Wyoming server: who may connect', () => {
  it('refuses a client outside WYOMING_ALLOWED_CLIENTS', async () => {
    const guarded = await startWyomingHarness({ WYOMING_ALLOWED_CLIENTS: '10.20.30.40, 192.168.0.0/16' });
    try {
      const client = await WyomingTestClient.open(guarded.port);
      client.send('describe');
      await client.waitClosed();
      assert.deepEqual(client.events.map((e) => [e.type, e.data.code]), [['error', 'forbidden']]);
    } finally {
      await guarded.close();
    }
  });

  it('refuses to start beyond loopback without a client list', async () => {
    const { config, hub } = h.server.app.barnabee;
    await assert.rejects(
      startWyomingServer({ host: '0.0.0.0', port: 0, allowedClients: [], hub, log: h.server.app.log, assistantName: 'B', version: '0', maxInputChars: config.MAX_INPUT_CHARS, bufferBytes: 1 << 20 }),
      /WYOMING_ALLOWED_CLIENTS/,
    );
  });

  it('serves a client inside WYOMING_ALLOWED_CLIENTS (an IPv4 peer matches its range)', async () => {
    const guarded = await startWyomingHarness({ WYOMING_ALLOWED_CLIENTS: '10.0.0.1,127.0.0.0/8' });
    try {
      const client = await WyomingTestClient.open(guarded.port);
      client.send('describe');
      await client.waitForType('info');
      client.close();
    } finally {
      await guarded.close();
    }
  });

  it('closes a connection that stays idle', async () => {
    const idle = await startWyomingHarness({}, { idleTimeoutMs: 300 });
    try {
      const client = await WyomingTestClient.open(idle.port);
      client.send('describe');
      await client.waitForType('info');
      await client.waitClosed();
    } finally {
      await idle.close();
    }
  });
});

describe('Wyoming server: shutdown', () => {
  it('lets a running answer end with handled when the grace runs out, then closes the connection', async () => {
    const s = await startWyomingHarness({ SHUTDOWN_GRACE_MS: '200' });
    try {
      s.simulator.configure({ ttftMs: 0, tokensPerSecond: 20, text: 'and so on '.repeat(300) });
      const client = await WyomingTestClient.open(s.port);
      client.send('transcript', { text: 'tell me a long story about dragons', context: { conversation_id: 'bye-1' } });
      await client.waitForType('handled-chunk');
      const closing = s.server.close();
      await client.waitClosed();
      await closing;
      assert.deepEqual(client.types().slice(-2), ['handled', 'handled-stop']);
      const end = (await s.busEvent((e) => e.type === 'turn.end')) as EventOf<'turn.end'>;
      assert.equal(end.status, 'cancelled');
    } finally {
      await s.close();
    }
  });
});
