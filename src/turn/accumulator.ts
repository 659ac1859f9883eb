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
  private ttftMs: number | null = null;
  private tokensPerS: number | null = null;

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

  timing(ttftMs: number | null, tokensPerS: number | null): void {
    this.ttftMs = ttftMs;
    this.tokensPerS = tokensPerS;
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
   * The answer in the model's own words (markdown, "$100", code), cut where the listener stopped
   * hearing it: what the conversation history keeps. A completed turn keeps its whole text.
   */
  sourceText(completed: boolean): string {
    if (!this.speaking || (completed && this.playedMs === null)) return this.text;
    return this.heard().source;
  }

  /**
   * Without `played_ms`, a segment counts once all its audio was sent (`speech.end`). With it, the
   * segments are played back to back from the first audio: those that fit in `played_ms` count
   * whole, the next one by the share of its duration that was played, in words.
   */
  private heard(): { spoken: string; source: string } {
    const spoken: string[] = [];
    let sourceEnd = 0;
    let partial = '';
    let t = 0;
    for (const seg of this.segments) {
      if (!seg) continue;
      const whole = this.playedMs === null ? seg.ended : seg.audioMs > 0 && t + seg.audioMs <= this.playedMs;
      if (whole) {
        if (seg.text) spoken.push(seg.text);
        if (seg.textEnd !== null) sourceEnd = Math.max(sourceEnd, seg.textEnd);
        t += seg.audioMs;
        continue;
      }
      if (this.playedMs !== null && seg.audioMs > 0 && this.playedMs > t) {
        const share = (this.playedMs - t) / seg.audioMs;
        const words = leadingWords(seg.text, share);
        if (words) spoken.push(words);
        if (seg.textEnd !== null) partial = leadingWords(this.text.slice(sourceEnd, seg.textEnd), share);
      }
      break;
    }
    const source = this.text.slice(0, sourceEnd).trimEnd();
    return { spoken: spoken.join(' '), source: partial ? `${source}${source ? ' ' : ''}${partial.trimStart()}` : source };
  }

  metrics(routeMs: number, totalMs: number): TurnMetrics {
    return {
      ...(this.playedMs !== null ? { played_ms: Math.round(this.playedMs) } : {}),
      route_ms: routeMs,
      first_chunk_ms: this.firstChunkMs ?? this.firstAnyChunkMs,
      first_audio_ms: this.speaking ? this.firstAudioMs : null,
      total_ms: totalMs,
      ttft_ms: this.ttftMs,
      tokens_per_s: this.tokensPerS,
    };
  }
}

interface SegmentSeen {
  text: string;
  textEnd: number | null;
  audioMs: number;
  ended: boolean;
}

/** The first `share` (0..1) of the words of `text`, rounded to the nearest word. */
function leadingWords(text: string, share: number): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.slice(0, Math.round(Math.min(1, share) * words.length)).join(' ');
}
