/** Polls a condition until it holds (a value, not false/undefined) or the timeout passes: waits for events, not time. */
import { setTimeout as sleep } from 'node:timers/promises';

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(5);
  }
}
