/**
 * The streamed reads' "later": woken at the end of an event-loop iteration, in the order they
 * parked, at most WAKE_PER_ITERATION per iteration, with other work getting its turn in between.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endOfIteration, WAKE_PER_ITERATION } from '../../src/llm/later.js';

describe('endOfIteration', () => {
  it('wakes after the current tick and its promise jobs, not before', async () => {
    const order: string[] = [];
    const parked = endOfIteration().then(() => order.push('woken'));
    process.nextTick(() => order.push('tick'));
    void Promise.resolve().then(() => order.push('job'));
    await parked;
    assert.equal(order.length, 3);
    assert.equal(order[2], 'woken');
  });

  it('wakes in the order parked, at most WAKE_PER_ITERATION per iteration, letting other work run between batches', async () => {
    const order: string[] = [];
    const n = WAKE_PER_ITERATION * 2 + 5;
    const all = Array.from({ length: n }, (_, i) => endOfIteration().then(() => order.push(`read ${i}`)));
    // Queued after the first batch's wake-up: runs once that batch is done, before the next one.
    setImmediate(() => order.push('other work'));
    await Promise.all(all);
    const reads = order.filter((o) => o.startsWith('read'));
    assert.deepEqual(reads, Array.from({ length: n }, (_, i) => `read ${i}`));
    assert.equal(order.indexOf('other work'), WAKE_PER_ITERATION);
  });

  it('parks again after a wake-up (a stream reads many times)', async () => {
    let count = 0;
    for (let i = 0; i < 3 * WAKE_PER_ITERATION; i++) {
      await endOfIteration();
      count++;
    }
    assert.equal(count, 3 * WAKE_PER_ITERATION);
  });
});
