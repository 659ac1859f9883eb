/**
 * A real engine made slower, for scheduling tests: audio comes from the wrapped engine (Flite) and
 * is released in 100 ms pieces so the whole call takes `realTimeFactor` × the audio's duration.
 * Records each call so tests can see what ran in parallel and what was aborted.
 */
import type { PcmChunk, SynthesizeOptions, TtsEngine } from '../../src/speech/types.js';

export interface PacedCall {
  text: string;
  startedAt: number;
  endedAt: number | null;
  audioMs: number;
  outcome: 'running' | 'completed' | 'aborted' | 'failed';
}

export interface PacedEngine extends TtsEngine {
  calls: PacedCall[];
  /** Most calls running at the same moment. */
  maxConcurrent: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function pacedEngine(
  inner: TtsEngine,
  options: { realTimeFactor: number; failWhen?: (text: string) => boolean },
): PacedEngine {
  let running = 0;
  const engine: PacedEngine = {
    name: `paced(${inner.name}, x${options.realTimeFactor})`,
    voice: inner.voice,
    calls: [],
    maxConcurrent: 0,
    async *synthesize(text: string, opts: SynthesizeOptions = {}): AsyncIterable<PcmChunk> {
      const call: PacedCall = { text, startedAt: performance.now(), endedAt: null, audioMs: 0, outcome: 'running' };
      engine.calls.push(call);
      running++;
      engine.maxConcurrent = Math.max(engine.maxConcurrent, running);
      try {
        if (options.failWhen?.(text)) {
          await sleep(20, opts.signal);
          throw new Error('voice model crashed');
        }
        for await (const { pcm, sampleRate } of inner.synthesize(text, opts)) {
          const piece = Math.round(sampleRate * 0.1) * 2;
          for (let off = 0; off < pcm.length; off += piece) {
            const part = pcm.subarray(off, off + piece);
            const ms = (part.length / 2 / sampleRate) * 1000;
            call.audioMs += ms;
            // Release each piece when the paced clock says it is done.
            const due = call.startedAt + call.audioMs * options.realTimeFactor;
            await sleep(Math.max(0, due - performance.now()), opts.signal);
            yield { pcm: part, sampleRate };
          }
        }
        call.outcome = 'completed';
      } catch (err) {
        call.outcome = opts.signal?.aborted ? 'aborted' : 'failed';
        throw err;
      } finally {
        if (call.outcome === 'running') call.outcome = 'aborted'; // consumer stopped iterating
        call.endedAt = performance.now();
        running--;
      }
    },
  };
  return engine;
}
