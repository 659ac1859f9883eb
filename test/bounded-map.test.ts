/** setBounded: a table of recent entries that never passes its bound, oldest first out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setBounded } from '../src/bounded-map.js';

describe('setBounded', () => {
  it('keeps at most max entries, forgetting the oldest first', () => {
    const m = new Map<string, number>();
    for (let i = 0; i < 10; i++) setBounded(m, `k${i}`, i, 3);
    assert.deepEqual([...m.keys()], ['k7', 'k8', 'k9']);
  });

  it('a key set again moves to the back: it outlives the keys set before it', () => {
    const m = new Map<string, number>();
    for (const k of ['a', 'b', 'c']) setBounded(m, k, 0, 3);
    setBounded(m, 'a', 1, 3);
    setBounded(m, 'd', 0, 3);
    assert.deepEqual([...m.entries()], [['c', 0], ['a', 1], ['d', 0]]);
  });
});
