import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEvent, newTurn, TurnList, turnFromTrace } from '../../src/dashboard/turn-model.js';
import { realTurn, tempStore, wireFrames } from '../support/dashboard-turns.js';

describe('turn model (the page fold of turn events)', () => {
  it('grows the answer chunk by chunk and ends with the turn.end metrics', async () => {
    const frames = wireFrames(await realTurn('tell me a story', ['Once ', 'upon ', 'a time.']));
    const turn = newTurn(frames[0]!.turn_id);
    const texts: string[] = [];
    for (const f of frames) {
      assert.equal(applyEvent(turn, f), true);
      if (f.type === 'chunk') texts.push(turn.text);
    }
    assert.deepEqual(texts, ['Once ', 'Once upon ', 'Once upon a time.', 'Once upon a time.']);
    assert.equal(turn.input, 'tell me a story');
    assert.deepEqual(turn.route && [turn.route.agent, turn.route.intent], ['interaction', 'chat']);
    const end = frames.at(-1)!;
    assert.equal(end.type, 'turn.end');
    assert.deepEqual(turn.end?.metrics, end.type === 'turn.end' ? end.metrics : null);
    assert.equal(turn.end?.status, 'completed');
    assert.equal(turn.joinedLate, false);
  });

  it('marks a segment speaking from speech.start until speech.end', async () => {
    const frames = wireFrames(await realTurn('hi', ['Hello there. ', 'Nice day.']));
    const turn = newTurn(frames[0]!.turn_id);
    for (const f of frames) {
      applyEvent(turn, f);
      if (f.type === 'speech.start') assert.equal(turn.segments.find((s) => s.index === f.segment)?.state, 'speaking');
      if (f.type === 'speech.end') assert.equal(turn.segments.find((s) => s.index === f.segment)?.state, 'spoken');
    }
    assert.deepEqual(
      turn.segments.map((s) => s.text),
      ['Hello there. ', 'Nice day.'],
    );
    assert.equal(turn.audioChunks, 2);
    assert.equal(turn.sampleRate, 16000);
  });

  it('ignores a repeated event (the same turn seen on the feed and on the talk socket)', async () => {
    const frames = wireFrames(await realTurn('x', ['a', 'b']));
    const turn = newTurn(frames[0]!.turn_id);
    for (const f of frames) {
      applyEvent(turn, f);
      assert.equal(applyEvent(turn, f), false);
    }
    assert.equal(turn.text, 'ab');
    assert.equal(turn.chunks, 3);
  });

  it('ignores events of another turn', async () => {
    const a = wireFrames(await realTurn('a', ['A']));
    const b = wireFrames(await realTurn('b', ['B']));
    const turn = newTurn(a[0]!.turn_id);
    assert.equal(applyEvent(turn, b[0]!), false);
    assert.equal(turn.lastSeq, -1);
  });

  it('a page that joins mid-turn takes the final text from turn.end', async () => {
    const frames = wireFrames(await realTurn('q', ['one ', 'two ', 'three']));
    const firstChunk = frames.findIndex((f) => f.type === 'chunk');
    const turn = newTurn(frames[0]!.turn_id);
    for (const f of frames.slice(firstChunk + 1)) applyEvent(turn, f);
    assert.equal(turn.joinedLate, true);
    assert.equal(turn.input, null);
    assert.equal(turn.text, 'one two three');
  });

  it('the list keeps running turns and drops the oldest finished ones over capacity', async () => {
    const list = new TurnList(2);
    const running = wireFrames(await realTurn('running', ['…']));
    list.apply(running[0]!);
    const done = [];
    for (let i = 0; i < 3; i++) {
      const frames = wireFrames(await realTurn(`t${i}`, [`${i}`]));
      for (const f of frames) list.apply(f);
      done.push(frames[0]!.turn_id);
    }
    const dropped = list.prune();
    assert.deepEqual(dropped, [done[0], done[1]]);
    assert.deepEqual(
      list.list().map((t) => t.id),
      [done[2], running[0]!.turn_id],
    );
  });

  it('reads a stored trace (History) into the same view as the live fold', async (t) => {
    const store = tempStore(t);
    const events = await realTurn('switch it on', ['Done, ', 'the light is on.'], {
      extra: [
        { type: 'action', service: 'light.turn_on', target: 'light.kitchen', ok: true, detail: 'on' },
        { type: 'tool_result', id: 'c1', name: 'HassTurnOn', arguments: { name: 'kitchen light' }, ok: true, content: '{"success":true}' },
        { type: 'tool_result', id: 'c2', name: 'HassTurnOn', arguments: { name: 'attic' }, ok: false, content: '{"success":false,"error":"No device called \\"attic\\" was found."}' },
      ],
    });
    await store.recordTurn(events, { transport: 'ws' });
    const live = newTurn(events[0]!.turn_id);
    for (const f of wireFrames(events)) applyEvent(live, f);
    const stored = turnFromTrace(JSON.parse(JSON.stringify(store.getTurn(events[0]!.turn_id))));
    for (const key of ['id', 'conversation_id', 'input', 'route', 'text', 'chunks', 'actions', 'errors', 'audioChunks', 'sampleRate', 'lastSeq', 'lastT'] as const) {
      assert.deepEqual(stored[key], live[key], key);
    }
    assert.deepEqual(stored.end, live.end);
    // The home tools run for the model show with what the model was told (its error, when it failed).
    assert.deepEqual(
      live.actions.map((a) => [a.service, a.target, a.ok, a.detail]),
      [
        ['light.turn_on', 'light.kitchen', true, 'on'],
        ['tool HassTurnOn', '{"name":"kitchen light"}', true, '{"success":true}'],
        ['tool HassTurnOn', '{"name":"attic"}', false, 'No device called "attic" was found.'],
      ],
    );
    assert.deepEqual(
      stored.segments.map((s) => [s.index, s.text, s.state]),
      live.segments.map((s) => [s.index, s.text, s.state]),
    );
  });
});
