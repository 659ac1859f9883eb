/**
 * A fair "later" for streamed reads. Once a stream's first token is out, each later read waits here
 * for the end of an event-loop iteration before it is parsed and passed on, so whatever is queued
 * behind it (a new request, another stream's first token) goes first. At most
 * `WAKE_PER_ITERATION` reads are woken per iteration: however many streams are busy, the loop gets
 * back to reading new requests after about that many tokens' work. 8 rather than 32: a new turn's
 * request and its model's first token are read ~2 ms sooner at p50 over SSE with 100 streams busy,
 * for no more CPU (bench/server/findings.json).
 */
export const WAKE_PER_ITERATION = 8;

const parked: Array<() => void> = [];
let waking = false;

function wakeParked(): void {
  const now = parked.splice(0, WAKE_PER_ITERATION);
  // Queued from inside an immediate, the next batch runs in the next iteration, after its poll.
  if (parked.length) setImmediate(wakeParked);
  else waking = false;
  for (const wake of now) wake();
}

export const endOfIteration = (): Promise<void> =>
  new Promise<void>((resolve) => {
    parked.push(resolve);
    if (!waking) {
      waking = true;
      setImmediate(wakeParked);
    }
  });
