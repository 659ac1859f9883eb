/** Aborting closes the upstream connection at once: measured from the simulator's record of the close. */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ask, collect, rig, type Rig } from '../support/llm-sim.js';

const CLOSE_BOUND_MS = 50;
const TRIALS = 5;
const LONG = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');

describe('llm client: abort', () => {
  let r: Rig;
  before(async () => {
    r = await rig({ text: LONG, ttftMs: 20, tokensPerSecond: 50, keepaliveEveryMs: 10 });
  });
  after(() => r.close());

  async function closeDelay(abortAt: number): Promise<number> {
    await r.sim.settled();
    const rec = r.sim.records.at(-1)!;
    assert.equal(rec.closedBy, 'client-closed');
    return rec.closedAt! - abortAt;
  }

  /**
   * The bound is checked on the median of several trials: on a loaded shared machine one trial
   * can be descheduled for longer than 50 ms, while a client that fails to close the socket
   * misses the bound every time. Every trial must still close well within a second.
   */
  async function trials(t: TestContext, label: string, trial: () => Promise<number>): Promise<void> {
    const delays: number[] = [];
    for (let i = 0; i < TRIALS; i++) delays.push(await trial());
    delays.sort((a, b) => a - b);
    t.diagnostic(`${label}: close delays ms ${delays.map((d) => d.toFixed(1)).join(' ')}`);
    const median = delays[Math.floor(delays.length / 2)]!;
    assert.ok(median <= CLOSE_BOUND_MS, `median close delay ${median.toFixed(1)} ms`);
    assert.ok(delays.at(-1)! < 1000, `a close took ${delays.at(-1)!.toFixed(1)} ms`);
  }

  it(`aborting mid-stream closes the upstream within ${CLOSE_BOUND_MS} ms and throws aborted`, async (t) => {
    await trials(t, 'abort mid-stream', async () => {
      const ac = new AbortController();
      let abortAt = 0;
      let error: unknown = null;
      let tokens = 0;
      try {
        for await (const part of r.client.stream(ask('x'), { signal: ac.signal })) {
          if (part.type === 'text-delta' && ++tokens === 3) {
            abortAt = performance.now();
            ac.abort();
          }
        }
      } catch (err) {
        error = err;
      }
      assert.equal((error as { code?: string }).code, 'aborted');
      const delay = await closeDelay(abortAt);
      assert.ok(r.sim.records.at(-1)!.tokensSent < 150, 'generation stopped early');
      return delay;
    });
  });

  it('aborting before the first token closes the upstream at once', async (t) => {
    await trials(t, 'abort before first token', async () => {
      r.sim.enqueue({ text: LONG, ttftMs: 10_000, keepaliveEveryMs: 20 });
      const ac = new AbortController();
      const pending = collect(r.client.stream(ask('x'), { signal: ac.signal }));
      await new Promise((resolve) => setTimeout(resolve, 60));
      const abortAt = performance.now();
      ac.abort();
      const { error, elapsedMs } = await pending;
      assert.equal(error?.code, 'aborted');
      assert.ok(elapsedMs < 1000);
      return closeDelay(abortAt);
    });
  });

  it('a consumer that stops reading (break) closes the upstream', async (t) => {
    await trials(t, 'consumer break', async () => {
      let stopAt = 0;
      for await (const part of r.client.stream(ask('x'))) {
        if (part.type === 'text-delta') {
          stopAt = performance.now();
          break;
        }
      }
      return closeDelay(stopAt);
    });
  });

  it('an already aborted signal fails without a request', async () => {
    const before = r.sim.records.length;
    const { error } = await collect(r.client.stream(ask('x'), { signal: AbortSignal.abort() }));
    assert.equal(error?.code, 'aborted');
    assert.equal(r.sim.records.length, before);
  });

  it('aborting during a retry backoff ends the call at once', async () => {
    r.sim.enqueue({ fault: { kind: 'status', status: 429, retryAfterS: 5 } });
    const ac = new AbortController();
    const pending = collect(r.client.stream(ask('x'), { signal: ac.signal }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    ac.abort();
    const { error, elapsedMs } = await pending;
    assert.equal(error?.code, 'aborted');
    assert.ok(elapsedMs < 1000, `${elapsedMs} ms`);
  });

  it('the client keeps working after aborts (the pool replaced the dropped sockets)', async () => {
    r.sim.enqueue({ text: 'Still here.', tokensPerSecond: 0 });
    const c = await r.client.complete(ask('x'));
    assert.equal(c.text, 'Still here.');
  });
});
