/**
 * When a turn's bytes leave: what a listener waits for (the first text, the first audio, an error,
 * the end) at the end of the tick; streamed tokens, `turn.start` and `route` at the end of the
 * event-loop iteration, batched into one write per socket.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeBatcher } from '../../src/server/outlets.js';
import { TurnHub, type Outlet } from '../../src/server/turns.js';
import type { Assistant, TurnEvent, TurnPart, TurnRequest } from '../../src/turn/index.js';

/** A stream that records when it was corked and uncorked, relative to a nextTick and a setImmediate. */
function fakeStream() {
  const log: string[] = [];
  let corked = 0;
  return {
    log,
    get corked() {
      return corked;
    },
    cork() {
      corked++;
      log.push('cork');
    },
    uncork() {
      corked--;
      log.push('uncork');
    },
  };
}

const markers = (log: string[]) =>
  new Promise<void>((resolve) => {
    process.nextTick(() => log.push('tick'));
    setImmediate(() => {
      log.push('immediate');
      resolve();
    });
  });

describe('writeBatcher', () => {
  it('holds ordinary writes until the end of the event-loop iteration, in one cork', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s);
    hold(false);
    hold(false);
    hold(false);
    await markers(s.log);
    assert.deepEqual(s.log, ['cork', 'tick', 'uncork', 'immediate']);
    assert.equal(s.corked, 0);
  });

  it('lets an urgent write leave at the end of the tick, with what was held before it', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s);
    hold(false);
    hold(true);
    await markers(s.log);
    // The urgent release comes before the marker tick queued after it; the immediate finds nothing held.
    assert.deepEqual(s.log, ['cork', 'uncork', 'tick', 'immediate']);
    assert.equal(s.corked, 0);
  });

  it('holds again after an urgent release, and releases at the end of the iteration', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s);
    hold(true);
    await new Promise<void>((r) => process.nextTick(r));
    hold(false);
    await new Promise<void>((r) => setImmediate(r));
    assert.deepEqual(s.log, ['cork', 'uncork', 'cork', 'uncork']);
    assert.equal(s.corked, 0);
  });
});

describe('TurnHub: which events are urgent', () => {
  const parts: TurnPart[] = [
    { type: 'turn.start', conversation_id: 'c', input: 'hi', speak: true },
    { type: 'route', agent: 'interaction', intent: 'chat', confidence: 1, route_ms: 0.1 },
    { type: 'chunk', text: '', done: false },
    { type: 'chunk', text: 'Hel', done: false },
    { type: 'chunk', text: 'lo.', done: false },
    { type: 'speech.start', segment: 0, text: 'Hello.' },
    { type: 'audio', segment: 0, sample_rate: 16000, encoding: 'pcm_s16le', channels: 1, pcm: Buffer.alloc(4) },
    { type: 'audio', segment: 0, sample_rate: 16000, encoding: 'pcm_s16le', channels: 1, pcm: Buffer.alloc(4) },
    { type: 'speech.end', segment: 0, duration_ms: 1 },
    { type: 'chunk', text: '', done: true },
    { type: 'error', code: 'x', message: 'late trouble', retryable: false },
    {
      type: 'turn.end',
      status: 'failed',
      text: 'Hello.',
      spoken_text: 'Hello.',
      metrics: { route_ms: 0.1, first_chunk_ms: 1, first_audio_ms: 2, total_ms: 3 },
    },
  ] as TurnPart[];
  const assistant: Assistant = {
    async *run(): AsyncGenerator<TurnEvent> {
      for (const [seq, part] of parts.entries()) yield { ...part, turn_id: 't', seq, t_ms: seq } as TurnEvent;
    },
  };

  it('the first text, the first audio, an error and turn.end are urgent; the rest is not', async () => {
    const sent: Array<[string, boolean]> = [];
    const outlet: Outlet = { send: (e, urgent) => void sent.push([e.type === 'chunk' ? `chunk:${e.text}` : e.type, urgent]), buffered: () => 0 };
    const hub = new TurnHub(assistant, { maxTurnsPerClient: 1, clientBufferBytes: 1 << 20 });
    const log = { info() {}, error() {} } as never;
    await hub.start({ text: 'hi' } as TurnRequest, { outlet, clientId: 'a', transport: 'test', log }).done;
    assert.deepEqual(sent, [
      ['turn.start', false],
      ['route', false],
      ['chunk:', false],
      ['chunk:Hel', true],
      ['chunk:lo.', false],
      ['speech.start', false],
      ['audio', true],
      ['audio', false],
      ['speech.end', false],
      ['chunk:', false],
      ['error', true],
      ['turn.end', true],
    ]);
  });
});
