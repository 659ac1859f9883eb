import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmtCost, fmtMs, fmtPct } from '../../src/dashboard/format.js';
import { waterfallMarks } from '../../src/dashboard/waterfall.js';
import { parseFeedMessage } from '../../src/dashboard/wire.js';
import { realTurn, wireFrames } from '../support/dashboard-turns.js';

describe('waterfall marks', () => {
  it('route → first chunk → first audio → end, from a real turn.end', async () => {
    const end = wireFrames(await realTurn('q', ['Hello ', 'world.'])).at(-1)!;
    assert.equal(end.type, 'turn.end');
    if (end.type !== 'turn.end') return;
    const m = end.metrics;
    const marks = waterfallMarks(m);
    assert.deepEqual(
      marks.map((x) => [x.key, x.ms]),
      [
        ['route', m.route_ms],
        ['first_chunk', m.first_chunk_ms],
        ['first_audio', m.first_audio_ms],
        ['total', m.total_ms],
      ],
    );
    assert.equal(marks.at(-1)!.at, 1);
    for (const x of marks) assert.ok(x.at !== null && x.at >= 0 && x.at <= 1);
  });

  it('a turn without speech has no first-audio bar; a zero-length turn puts marks at the end', () => {
    const marks = waterfallMarks({ route_ms: 0, first_chunk_ms: 0, first_audio_ms: null, total_ms: 0 });
    assert.deepEqual(
      marks.map((x) => [x.key, x.ms, x.at]),
      [
        ['route', 0, 1],
        ['first_chunk', 0, 1],
        ['first_audio', null, null],
        ['total', 0, 1],
      ],
    );
  });

  it('clamps a mark past the total (clock rounding) to the end', () => {
    const [route] = waterfallMarks({ route_ms: 12, first_chunk_ms: null, first_audio_ms: null, total_ms: 10 });
    assert.equal(route!.at, 1);
  });
});

describe('formatting', () => {
  it('milliseconds: one decimal under 10, whole above, a dash for none', () => {
    assert.deepEqual([fmtMs(0.42), fmtMs(9.96), fmtMs(10.4), fmtMs(1234.5), fmtMs(null), fmtMs(undefined)], ['0.4 ms', '10 ms', '10 ms', '1235 ms', '—', '—']);
    assert.deepEqual([fmtCost(0), fmtCost(0.00042), fmtCost(1.5), fmtCost(null)], ['$0', '$0.00042', '$1.50', '—']);
    assert.deepEqual([fmtPct(0.05), fmtPct(0.5), fmtPct(null)], ['5.0%', '50%', '—']);
  });
});

describe('parseFeedMessage', () => {
  it('accepts turn events and metrics snapshots, skips anything else', async () => {
    for (const f of wireFrames(await realTurn('q', ['a']))) assert.deepEqual(parseFeedMessage(JSON.stringify(f)), f);
    const snapshot = { type: 'metrics', active_turns: 0, turns_total: 3, errors_total: 0, tokens_total: 10, cost_usd_total: 0 };
    assert.deepEqual(parseFeedMessage(JSON.stringify(snapshot)), snapshot);
    for (const junk of ['', 'nope', '[]', 'null', '{"type":"pong"}', '{"type":"chunk","text":"x"}', '{"type":"chunk","turn_id":1,"seq":0,"t_ms":0}']) {
      assert.equal(parseFeedMessage(junk), null, junk);
    }
  });
});
