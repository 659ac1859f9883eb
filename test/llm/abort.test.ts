/**
 * Aborting closes the upstream connection: seen in the simulator's record of the close, long
 * before the answer would have ended. How fast is measured in bench/abort.ts; here the bound is a
 * generous one that only a client that never closed the socket can miss.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ask, collect, rig, type Rig } from '../support/llm-sim.js';
import { PROMPT_MS, waitUntil } from '../support/wait.js';

const TRIALS = 3;
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

  /** Several trials in a row: each must close its socket, and the pool must keep working after. */
  async function trials(t: TestContext, label: string, trial: () => Promise<number>): Promise<void> {
    const delays: number[] = [];
    for (let i = 0; i < TRIALS; i++) delays.push(await trial());
    t.diagnostic(`${label}: close delays ms ${delays.map((d) => d.toFixed(1)).join(' ')}`);
    for (const d of delays) assert.ok(d < PROMPT_MS, `a close took ${d.toFixed(1)} ms`);
  }

  it('aborting mid-stream closes the upstream and throws aborted', async (t) => {
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
      const before = r.sim.records.length;
      const ac = new AbortController();
      const pending = collect(r.client.stream(ask('x'), { signal: ac.signal }));
      await waitUntil(() => r.sim.records.length > before, 'the request to reach the simulator');
      const abortAt = performance.now();
      ac.abort();
      const { error, parts } = await pending;
      assert.equal(error?.code, 'aborted');
      assert.equal(parts.length, 0, 'aborted before the first token (due after 10 s)');
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
    const before = r.sim.records.length;
    const ac = new AbortController();
    const pending = collect(r.client.stream(ask('x'), { signal: ac.signal }));
    // The 429 has been answered (the record is closed): the client is now in its 5 s backoff.
    await waitUntil(() => r.sim.records[before]?.closedAt, 'the 429 to be answered');
    ac.abort();
    const { error, elapsedMs } = await pending;
    assert.equal(error?.code, 'aborted');
    assert.ok(elapsedMs < 5000 - 1000, `${elapsedMs} ms: the abort ended the 5 s backoff`);
    assert.equal(r.sim.records.length, before + 1, 'no retry was sent');
  });

  it('the client keeps working after aborts (the pool replaced the dropped sockets)', async () => {
    r.sim.enqueue({ text: 'Still here.', tokensPerSecond: 0 });
    const c = await r.client.complete(ask('x'));
    assert.equal(c.text, 'Still here.');
  });
});
