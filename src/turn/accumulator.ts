/**
 * What a turn has said so far, folded from its events: the answer text, the spoken text and the
 * timings that become `turn.end` metrics. Pure: the runner feeds it and reads it.
 */
import type { TurnEvent, TurnMetrics } from './events.js';

export class TurnAccumulator {
  text = '';
  /** Set once a `chunk` with `done: true` went out. */
  textDone = false;
  sawChunk = false;
  /** Segments handed to speech, by index: what they say, where they end in `text`, how much audio went out. */
  private readonly segments: SegmentSeen[] = [];
  /** Audio the listener actually played before a barge-in, when the client said (`played_ms`). */
  private playedMs: number | null = null;
  private firstChunkMs: number | null = null;
  private firstAnyChunkMs: number | null = null;
  private firstAudioMs: number | null = null;
  private firstReasoningMs: number | null = null;
  private ttftMs: number | null = null;
  private tokensPerS: number | null = null;
  private truncated: string | undefined;

  /** @param speaking true when a speech stage runs: then only fully sent segments count as spoken. */
  constructor(private readonly speaking: boolean) {}

  see(event: TurnEvent): void {
    switch (event.type) {
      case 'chunk':
        this.sawChunk = true;
        this.firstAnyChunkMs ??= event.t_ms;
        if (event.text) this.firstChunkMs ??= event.t_ms;
        this.text += event.text;
        if (event.done) this.textDone = true;
        break;
      case 'reasoning':
        this.firstReasoningMs ??= event.t_ms;
        break;
      case 'speech.start':
        this.segments[event.segment] = { text: event.text.trim(), textEnd: event.text_end ?? null, audioMs: 0, ended: false };
        break;
      case 'audio': {
        this.firstAudioMs ??= event.t_ms;
        const seg = this.segments[event.segment];
        if (seg) seg.audioMs += (event.pcm.length / 2 / event.channels / event.sample_rate) * 1000;
        break;
      }
      case 'speech.end': {
        const seg = this.segments[event.segment];
        if (seg) seg.ended = true;
        break;
      }
    }
  }

  timing(ttftMs: number | null, tokensPerS: number | null, truncated?: string): void {
    this.ttftMs = ttftMs;
    this.tokensPerS = tokensPerS;
    this.truncated = truncated;
  }

  /**
   * Whether the answer ends by asking something: its last sentence ends in a question mark (closing
   * quotes, brackets and emphasis aside). The action agent's confirmations are questions too.
   */
  get expectsReply(): boolean {
    return /\?[\s"'”’)\]*_]*$/.test(this.text);
  }

  /** The client's report of how much audio was played before it cancelled (milliseconds from the first audio). */
  played(ms: number): void {
    this.playedMs = Math.max(0, ms);
  }

  /** What the listener heard: everything sent, or with `played_ms` the segments played and the played share of the next. */
  get spokenText(): string {
    return this.speaking ? this.heard().spoken : this.text;
  }

  /**
   * Where what the listener heard ends in the answer's own text (markdown, "$100", code): the
   * history keeps `text` up to here. Null without speech (all of it counts). A completed turn
   * without a barge-in report was heard whole.
   */
  spokenEnd(completed: boolean): number | null {
    if (!this.speaking) return null;
    if (completed && this.playedMs === null) return this.text.length;
    // A speech stage that does not say where its segments end leaves the history to `spoken_text`.
    return this.segments.some((s) => s && s.textEnd === null) ? null : this.heard().end;
  }

  /**
   * Without `played_ms`, a segment counts once all its audio was sent (`speech.end`). With it, the
   * segments are played back to back from the first audio: those that fit in `played_ms` count
   * whole, the next one by the share of its duration that was played, in words.
   */
  private heard(): { spoken: string; end: number } {
    const spoken: string[] = [];
    let end = 0;
    let t = 0;
    for (const seg of this.segments) {
      if (!seg) continue;
      const whole = this.playedMs === null ? seg.ended : seg.audioMs > 0 && t + seg.audioMs <= this.playedMs;
      if (whole) {
        if (seg.text) spoken.push(seg.text);
        if (seg.textEnd !== null) end = Math.max(end, seg.textEnd);
        t += seg.audioMs;
        continue;
      }
      if (this.playedMs !== null && seg.audioMs > 0 && this.playedMs > t) {
        const share = Math.min(1, (this.playedMs - t) / seg.audioMs);
        const words = seg.text.split(/\s+/).filter(Boolean);
        const said = words.slice(0, Math.round(share * words.length));
        if (said.length) spoken.push(said.join(' '));
        if (seg.textEnd !== null) end = afterWords(this.text, end, seg.textEnd, share);
      }
      break;
    }
    return { spoken: spoken.join(' '), end };
  }

  metrics(routeMs: number, totalMs: number): TurnMetrics {
    return {
      ...(this.playedMs !== null ? { played_ms: Math.round(this.playedMs) } : {}),
      ...(this.firstReasoningMs !== null ? { first_reasoning_ms: this.firstReasoningMs } : {}),
      route_ms: routeMs,
      first_chunk_ms: this.firstChunkMs ?? this.firstAnyChunkMs,
      first_audio_ms: this.speaking ? this.firstAudioMs : null,
      total_ms: totalMs,
      ttft_ms: this.ttftMs,
      tokens_per_s: this.tokensPerS,
      ...(this.truncated ? { truncated: this.truncated } : {}),
    };
  }
}

interface SegmentSeen {
  text: string;
  textEnd: number | null;
  audioMs: number;
  ended: boolean;
}

/** The offset in `text` after the first `share` (0..1) of the words between `from` and `to`. */
function afterWords(text: string, from: number, to: number, share: number): number {
  const words = [...text.slice(from, to).matchAll(/\S+/g)];
  const n = Math.round(share * words.length);
  if (n === 0) return from;
  const last = words[n - 1];
  return from + last.index + last[0].length;
}
