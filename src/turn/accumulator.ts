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
  private readonly spokenSegments: string[] = [];
  private readonly pendingSegments = new Map<number, string>();
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
        this.pendingSegments.set(event.segment, event.text);
        break;
      case 'audio':
        this.firstAudioMs ??= event.t_ms;
        break;
      case 'speech.end': {
        const said = this.pendingSegments.get(event.segment);
        this.pendingSegments.delete(event.segment);
        if (said) this.spokenSegments.push(said.trim());
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

  get spokenText(): string {
    return this.speaking ? this.spokenSegments.filter(Boolean).join(' ') : this.text;
  }

  metrics(routeMs: number, totalMs: number): TurnMetrics {
    return {
      route_ms: routeMs,
      first_chunk_ms: this.firstChunkMs ?? this.firstAnyChunkMs,
      first_audio_ms: this.speaking ? this.firstAudioMs : null,
      total_ms: totalMs,
      ttft_ms: this.ttftMs,
      tokens_per_s: this.tokensPerS,
    };
  }
}
