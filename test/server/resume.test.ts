/** The SSE resume registry's bounds and answers (docs/protocol.md "Reconnects and resuming (SSE)"). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseTurns, traceEvents } from '../../src/server/resume.js';
import type { TurnEvent } from '../../src/turn/index.js';
import { TraceBuilder } from '../../src/turn/trace.js';

const chunk = (turn_id: string, seq: number, text: string): TurnEvent => ({ type: 'chunk', turn_id, seq, t_ms: seq, text, done: false });
const end = (turn_id: string, seq: number): TurnEvent => ({
  type: 'turn.end',
  turn_id,
  seq,
  t_ms: seq,
  status: 'completed',
  text: 'x',
  spoken_text: 'x',
  expects_reply: false,
  metrics: { route_ms: 0, first_chunk_ms: 0, first_audio_ms: null, total_ms: seq },
});
const encode = (e: TurnEvent) => `${e.type}:${e.seq}:${'text' in e ? e.text : ''}`;

describe('SseTurns', () => {
  it('holds at most turnBytes per turn, dropping the oldest; a gap is reported as not covered', () => {
    const turns = new SseTurns({ windowMs: 60_000, turnBytes: 10_000, totalBytes: 1_000_000 });
    const t = turns.begin('a');
    const out = t.outlet(encode);
    for (let i = 0; i < 100; i++) out.send(chunk('t1', i, 'x'.repeat(1000)), false);
    assert.ok(t.heldBytes <= 10_000, `held ${t.heldBytes}`);
    assert.equal(turns.heldBytes, t.heldBytes);
    assert.equal(t.covers(98), true);
    assert.equal(t.covers(10), false);
    assert.equal(turns.plan('t1', 10, 'a').kind, 'memory', 'a running turn resumes from what is held');
    turns.drop(t);
    assert.equal(turns.heldBytes, 0);
  });

  it('holds at most totalBytes in all; ended turns give up their events first', () => {
    const turns = new SseTurns({ windowMs: 60_000, turnBytes: 50_000, totalBytes: 60_000 });
    const done = turns.begin('a');
    const d = done.outlet(encode);
    for (let i = 0; i < 40; i++) d.send(chunk('ended', i, 'x'.repeat(1000)), false);
    d.send(end('ended', 40), true);
    const running = turns.begin('a');
    const r = running.outlet(encode);
    for (let i = 0; i < 40; i++) r.send(chunk('running', i, 'y'.repeat(1000)), false);
    assert.ok(turns.heldBytes <= 60_000, `held ${turns.heldBytes}`);
    assert.equal(done.heldBytes, 0, 'the ended turn lost its events first');
    assert.equal(running.covers(-1), true, 'the running one kept all of its own');
    // The ended turn is still known to its owner: a resume from its middle goes to the trace, after its end to 204.
    assert.equal(turns.plan('ended', 5, 'a').kind, 'trace');
    assert.equal(turns.plan('ended', 40, 'a').kind, 'done');
    assert.equal(turns.plan('ended', 40, 'b').kind, 'unknown', 'another client learns nothing');
    assert.equal(turns.plan('nope', 0, 'a').kind, 'unknown');
    for (;;) {
      r.send(chunk('running', 100 + turns.heldBytes, 'z'.repeat(1000)), false);
      if (!running.covers(-1)) break;
    }
    assert.ok(turns.heldBytes <= 60_000, 'a running turn is trimmed once nothing else is left');
    turns.drop(done);
    turns.drop(running);
  });

  it('past the window an ended turn is remembered only by its owner: 204 after its end, the trace before it, nothing for others', async () => {
    const turns = new SseTurns({ windowMs: 1, turnBytes: 50_000, totalBytes: 1_000_000 });
    const t = turns.begin('a');
    const out = t.outlet(encode);
    for (let i = 0; i < 5; i++) out.send(chunk('gone', i, 'x'), false);
    out.send(end('gone', 5), true);
    assert.equal(turns.plan('gone', 2, 'a').kind, 'memory', 'within the window: the exact events');
    // The window's timer retires the turn: its events go, one small owner entry stays.
    while (turns.plan('gone', 2, 'a').kind === 'memory') await new Promise((resolve) => setImmediate(resolve));
    assert.equal(turns.heldBytes, 0);
    assert.deepEqual(turns.plan('gone', 2, 'a'), { kind: 'trace', turn: null });
    assert.equal(turns.plan('gone', 5, 'a').kind, 'done');
    assert.equal(turns.plan('gone', 5, 'b').kind, 'unknown', 'another client learns nothing');
  });

  it('remembers at most 10,000 retired owners, the oldest forgotten first', () => {
    const turns = new SseTurns({ windowMs: 60_000, turnBytes: 50_000, totalBytes: 1_000_000 });
    for (let n = 0; n < 10_050; n++) {
      const t = turns.begin('a');
      t.outlet(encode).send(end(`t${n}`, 0), true);
      turns.retire(t);
    }
    assert.equal(turns.plan('t0', 0, 'a').kind, 'unknown', 'the oldest are forgotten');
    assert.equal(turns.plan('t49', 0, 'a').kind, 'unknown');
    assert.equal(turns.plan('t50', 0, 'a').kind, 'done');
    assert.equal(turns.plan('t10049', 0, 'a').kind, 'done');
  });
});

describe('traceEvents', () => {
  it('rebuilds the events after a seq from a trace: chunks as one run, the whole text at the end', () => {
    const b = new TraceBuilder('t');
    const events: TurnEvent[] = [
      { type: 'turn.start', turn_id: 't', seq: 0, t_ms: 0, conversation_id: 'c', input: 'hi', speak: false },
      { type: 'route', turn_id: 't', seq: 1, t_ms: 1, agent: 'interaction', intent: 'chat', confidence: 1, route_ms: 1 },
      chunk('t', 2, 'Hel'),
      chunk('t', 3, 'lo'),
      { type: 'chunk', turn_id: 't', seq: 4, t_ms: 4, text: '', done: true },
      { type: 'error', turn_id: 't', seq: 5, t_ms: 5, code: 'x', message: 'y', retryable: false },
      { ...(end('t', 6) as object), text: 'Hello', spoken_text: 'Hello' } as TurnEvent,
    ];
    for (const e of events) b.add(e);
    const trace = b.finish();
    const after1 = traceEvents(trace, 1);
    assert.deepEqual(after1.map((e) => [e.type, e.seq]), [['chunk', 4], ['error', 5], ['turn.end', 6]]);
    assert.equal(after1[0]!.text, 'Hello');
    assert.equal(after1.at(-1)!.text, 'Hello');
    // Part of the chunk run already seen: the run is skipped (turn.end has the whole text).
    assert.deepEqual(traceEvents(trace, 2).map((e) => e.type), ['error', 'turn.end']);
    assert.deepEqual(traceEvents(trace, -1)[0], { type: 'turn.start', turn_id: 't', seq: 0, t_ms: 0, conversation_id: 'c', input: 'hi', speak: false });
  });
});
