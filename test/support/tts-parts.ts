/** Helpers for speech-stage tests: an agent-like part stream and a timed collector. */
import type { AgentPart } from '../../src/turn/agent.js';
import type { TurnPart } from '../../src/turn/events.js';
import type { PcmChunk } from '../../src/speech/types.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Text as an interaction agent streams it: deltas of `deltaChars`, `intervalMs` apart, then done. */
export async function* streamText(
  text: string,
  options: { deltaChars?: number; intervalMs?: number; signal?: AbortSignal; after?: AgentPart[]; onClose?: () => void } = {},
): AsyncGenerator<AgentPart> {
  const step = options.deltaChars ?? 12;
  try {
    for (let i = 0; i < text.length; i += step) {
      if (options.intervalMs) await sleep(options.intervalMs);
      if (options.signal?.aborted) return;
      yield { type: 'chunk', text: text.slice(i, i + step), done: false };
    }
    yield { type: 'chunk', text: '', done: true };
    for (const p of options.after ?? []) yield p;
  } finally {
    options.onClose?.();
  }
}

export interface Timed {
  part: AgentPart | TurnPart;
  at: number;
}

/** Drain a stage, stamping each part with the time it came out. */
export async function collect(stream: AsyncIterable<AgentPart | TurnPart>, onPart?: (t: Timed) => void): Promise<Timed[]> {
  const out: Timed[] = [];
  for await (const part of stream) {
    const t = { part, at: performance.now() };
    out.push(t);
    onPart?.(t);
  }
  return out;
}

/**
 * Playback underruns: a listener plays audio parts back to back from the first one's arrival;
 * each part that arrives after the previous one finished playing leaves a gap.
 */
export function playbackGaps(timed: Timed[]): { gaps: number[]; totalGapMs: number; audioMs: number } {
  let playEnd = -Infinity;
  let audioMs = 0;
  const gaps: number[] = [];
  for (const { part, at } of timed) {
    if (part.type !== 'audio') continue;
    const ms = (part.pcm.length / 2 / part.sample_rate) * 1000;
    if (playEnd !== -Infinity && at > playEnd) gaps.push(at - playEnd);
    playEnd = Math.max(playEnd, at) + ms;
    audioMs += ms;
  }
  return { gaps, totalGapMs: gaps.reduce((a, b) => a + b, 0), audioMs };
}

/** Everything an engine yields for one text, in order; `onChunk` sees each as it arrives. */
export async function drain(it: AsyncIterable<PcmChunk>, onChunk?: (c: PcmChunk) => void) {
  const chunks: PcmChunk[] = [];
  for await (const c of it) {
    chunks.push(c);
    onChunk?.(c);
  }
  return chunks;
}
