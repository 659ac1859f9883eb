/**
 * Waiting for a condition instead of for time: tests poll what they are waiting for (a record, a
 * log line, a count) and fail with `what` when it never comes. The deadline is a hang guard, not a
 * performance bound — it is generous so a loaded machine only makes the test slower, never red.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

export const HANG_GUARD_MS = 15_000;

/** Resolves with the first truthy value of `check`, polled every few milliseconds. */
export async function waitUntil<T>(check: () => T | undefined | null | false, what = 'a condition', timeoutMs = HANG_GUARD_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** One turn of the event loop: whatever was scheduled with setImmediate before this call has run. */
export const afterImmediate = (): Promise<void> => nextTurn();

/** A promise the test settles by hand: lets a fake collaborator block until the test releases it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * "At once", for a test: an abort, close or stop must land within this. Far above any real latency
 * (bench/abort.ts measures those; 1 s was once missed on a machine at load 30 with two CPU burners)
 * and below the streams the tests interrupt; the proof that a stream was stopped is its own
 * record (tokens sent, closed by the client), this bound only catches a stop that never came.
 */
export const PROMPT_MS = 2_000;

/**
 * A client's own timeout in tests that are not about that timeout: a loaded machine (Flite taking
 * seconds per sentence behind a test server) must not read as a dead server.
 */
export const SLOW_MACHINE_TIMEOUT_MS = 60_000;
