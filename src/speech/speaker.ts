/**
 * The progressive speaker: a transform over an agent's parts that speaks while the model writes.
 *
 * Every part passes through at once (`speech.flush` is acted on, not passed: the text so far becomes
 * a segment now, end of sentence or not). `chunk` text feeds a chunker; each completed segment is
 * synthesized ahead — at most `parallelism` segments from the one being emitted onwards — and
 * emitted strictly in order: `speech.start`, `audio`…, `speech.end`. A segment gets `speech.end`
 * only once all of its audio has been handed on, so after a barge-in the runner's `spoken_text`
 * is exactly what was sent.
 */
import type { AgentPart, SpeechStage } from '../turn/index.js';
import type { ErrorPart, TurnPart } from '../turn/index.js';
import { createChunker, type ChunkedSegment, type ChunkerOptions } from './chunker.js';
import type { PcmChunk, TtsEngine } from './types.js';

export interface SpeechStageOptions {
  engine: TtsEngine;
  chunker?: Partial<ChunkerOptions>;
  /** Segments synthesized ahead at once. Default 2. */
  parallelism?: number;
  /** Audio parts carry `minChunkMs`..`maxChunkMs` of sound; a segment's last part may be shorter. */
  minChunkMs?: number;
  maxChunkMs?: number;
  /** After this many failed segments in one turn, stop synthesizing; the text still flows. Default 3. */
  maxFailures?: number;
}

export function createSpeechStage(options: SpeechStageOptions): SpeechStage {
  createChunker(options.chunker); // bad chunker options fail here, not in the middle of a turn
  const settings: Settings = {
    engine: options.engine,
    chunker: options.chunker,
    parallelism: Math.max(1, Math.floor(options.parallelism ?? 2)),
    minMs: options.minChunkMs ?? 100,
    maxMs: Math.max(options.minChunkMs ?? 100, options.maxChunkMs ?? 200),
    maxFailures: Math.max(1, options.maxFailures ?? 3),
  };
  return (parts, { signal, voice }) => speak(parts, settings, signal, voice);
}

interface Settings {
  engine: TtsEngine;
  chunker?: Partial<ChunkerOptions>;
  parallelism: number;
  minMs: number;
  maxMs: number;
  maxFailures: number;
}

interface Segment {
  index: number;
  text: string;
  /** Where its words end in the answer's text. */
  textEnd: number;
  state: 'waiting' | 'running' | 'done' | 'failed';
  /** Engine output not yet emitted. */
  ready: PcmChunk[];
  error?: unknown;
}

type Out = AgentPart | TurnPart;

async function* speak(
  parts: AsyncIterable<AgentPart>,
  settings: Settings,
  signal: AbortSignal,
  voice: string | undefined,
): AsyncGenerator<Out> {
  if (signal.aborted) return;
  const { engine } = settings;
  const chunker = createChunker(settings.chunker);
  // Cancels in-flight synthesis: turn aborted, consumer gone, or speech given up.
  const synth = new AbortController();
  let closed = false;
  // Each part waits until `gate` segments have begun: after a `speech.flush`, what the agent does
  // next (a tool's `action`) reaches the listener after the words said before it.
  const passthrough: { part: AgentPart; gate: number }[] = [];
  let gate = 0;
  const segments: Segment[] = [];
  let head = 0; // the segment being emitted
  let failures = 0;
  let speechOff = false;
  let flushed = false;
  let upstreamDone = false;
  let upstreamError: { error: unknown } | null = null;

  let wakeUp: (() => void) | null = null;
  const wake = () => {
    const w = wakeUp;
    wakeUp = null;
    w?.();
  };
  const onAbort = () => {
    synth.abort(signal.reason);
    wake();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  // A flush mid-answer (`speech.flush`) starts the chunker afresh, and its offsets with it: `base`
  // is where the current chunker's text begins in the answer.
  let base = 0;
  let pushed = 0;
  const addSegments = (found: ChunkedSegment[]) => {
    for (const { text, end } of found) {
      if (!/[\p{L}\p{N}]/u.test(text)) continue; // nothing to say
      segments.push({ index: segments.length, text, textEnd: base + end, state: 'waiting', ready: [] });
    }
    // Starting synthesis can block for a moment (an engine may spawn or message a helper), so it
    // waits for the next turn of the event loop: the text that completed the segment goes out first.
    setImmediate(schedule);
  };

  const schedule = () => {
    if (synth.signal.aborted || speechOff) return;
    const limit = Math.min(segments.length, head + settings.parallelism);
    for (let i = head; i < limit; i++) if (segments[i].state === 'waiting') void synthesize(segments[i]);
  };

  const synthesize = async (seg: Segment) => {
    seg.state = 'running';
    try {
      for await (const chunk of engine.synthesize(seg.text, { signal: synth.signal, voice })) {
        if (synth.signal.aborted) return;
        if (chunk.pcm.length) seg.ready.push(chunk);
        wake();
      }
      seg.state = 'done';
    } catch (error) {
      if (synth.signal.aborted) return;
      seg.state = 'failed';
      seg.error = error;
    } finally {
      wake();
    }
  };

  const upstream = parts[Symbol.asyncIterator]();
  const pump = async () => {
    try {
      for (;;) {
        const r = await upstream.next();
        if (r.done || closed) break;
        const part = r.value;
        if (part.type === 'speech.flush') {
          // The model stopped writing to call a tool: say what it wrote so far now.
          if (!flushed) {
            const before = segments.length;
            addSegments(chunker.flushSegments());
            base = pushed;
            if (segments.length > before) gate = before + 1;
          }
          wake();
          continue;
        }
        passthrough.push({ part, gate });
        if (part.type === 'chunk' && !flushed) {
          pushed += part.text.length;
          addSegments(chunker.pushSegments(part.text));
          // The last text event: speak the tail now rather than when the agent's stream closes.
          if (part.done) {
            flushed = true;
            addSegments(chunker.flushSegments());
          }
        }
        wake();
      }
      if (!flushed) {
        flushed = true;
        addSegments(chunker.flushSegments());
      }
    } catch (error) {
      upstreamError = { error };
    } finally {
      upstreamDone = true;
      wake();
    }
  };
  void pump();

  /** No more speech will come: everything emitted, or speech given up. */
  const speechOver = () => speechOff || head >= segments.length;
  const headReady = () => {
    const seg = segments[head];
    return !!seg && (seg.ready.length > 0 || seg.state === 'done' || seg.state === 'failed');
  };
  /** Segments whose `speech.start` is out (or that will never have one). */
  const begun = () => (speechOff ? Infinity : head + (started === head ? 1 : 0));
  const passable = () => passthrough.length > 0 && passthrough[0].gate <= begun();
  const hasWork = () => signal.aborted || passable() || upstreamError !== null || (upstreamDone && speechOver()) || headReady() || headUnstarted();

  // Emission state of the head segment.
  let started = -1;
  const headUnstarted = () => !speechOff && head < segments.length && started !== head;
  let pending: Buffer = Buffer.alloc(0);
  let pendingRate = 0;
  let segmentMs = 0;
  const audio = (seg: Segment, pcm: Buffer, rate: number): TurnPart => {
    segmentMs += (pcm.length / 2 / rate) * 1000;
    return { type: 'audio', segment: seg.index, sample_rate: rate, encoding: 'pcm_s16le', channels: 1, pcm };
  };

  try {
    for (;;) {
      if (signal.aborted) return;
      while (passable()) {
        yield passthrough.shift()!.part;
        if (signal.aborted) return;
      }
      // Assigned by the pump; TypeScript cannot see writes made in another closure.
      const failed = upstreamError as { error: unknown } | null;
      if (failed) throw failed.error;

      while (!speechOff && head < segments.length) {
        const seg = segments[head];
        if (started !== head && seg.state !== 'failed') {
          started = head;
          pending = Buffer.alloc(0);
          pendingRate = 0;
          segmentMs = 0;
          yield { type: 'speech.start', segment: seg.index, text: seg.text, text_end: seg.textEnd };
          if (signal.aborted) return;
        }
        while (seg.ready.length) {
          const chunk = seg.ready.shift()!;
          if (pending.length && chunk.sampleRate !== pendingRate) {
            yield audio(seg, pending, pendingRate);
            pending = Buffer.alloc(0);
            if (signal.aborted) return;
          }
          pendingRate = chunk.sampleRate;
          pending = pending.length ? Buffer.concat([pending, chunk.pcm]) : chunk.pcm;
          const minBytes = bytesFor(settings.minMs, pendingRate);
          const maxBytes = bytesFor(settings.maxMs, pendingRate);
          while (pending.length >= minBytes) {
            const take = Math.min(pending.length, maxBytes);
            yield audio(seg, pending.subarray(0, take), pendingRate);
            pending = pending.subarray(take);
            if (signal.aborted) return;
          }
        }
        if (seg.state === 'done') {
          if (pending.length) {
            yield audio(seg, pending, pendingRate);
            pending = Buffer.alloc(0);
            if (signal.aborted) return;
          }
          yield { type: 'speech.end', segment: seg.index, duration_ms: Math.round(segmentMs) };
        } else if (seg.state === 'failed') {
          failures++;
          // A broken engine should not repeat its error for every sentence: stop speaking.
          speechOff = failures >= settings.maxFailures;
          if (speechOff) synth.abort(new Error('speech given up'));
          yield ttsFailed(seg, speechOff);
        } else {
          break; // still synthesizing
        }
        if (signal.aborted) return;
        head++;
        schedule();
      }

      if (upstreamDone && flushed && speechOver() && !passthrough.length) return;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        // State may have changed while we were suspended at a yield: do not sleep through it.
        if (hasWork()) wake();
      });
    }
  } finally {
    closed = true;
    signal.removeEventListener('abort', onAbort);
    synth.abort(signal.reason ?? new Error('speech stage closed'));
    // Let the agent clean up (closing its model request); never wait on it here.
    if (!upstreamDone) upstream.return?.(undefined).catch(() => {});
  }
}

function bytesFor(ms: number, rate: number): number {
  return Math.max(2, Math.round((rate * ms) / 1000) * 2);
}

function ttsFailed(seg: Segment, givingUp: boolean): ErrorPart {
  const reason = seg.error instanceof Error ? seg.error.message : String(seg.error);
  return {
    type: 'error',
    code: 'tts_failed',
    message: `Speech synthesis failed for segment ${seg.index}: ${reason}${givingUp ? ' (no more speech for this answer)' : ''}`,
    retryable: true,
  };
}
