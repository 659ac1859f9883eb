/**
 * Plays streamed PCM through Web Audio as it arrives: each chunk becomes an AudioBuffer at the
 * stream's own sample rate (the browser resamples) and is scheduled right where the previous one
 * ends, so segments join without clicks or gaps.
 */
import { GaplessClock, PcmDecoder } from './pcm.js';

export interface PlayTag {
  turnId: string;
  segment: number;
}

interface Scheduled {
  start: number;
  end: number;
  tag: PlayTag;
  source: AudioBufferSourceNode;
}

export class PcmPlayer {
  private ctx: AudioContext | null = null;
  private readonly clock = new GaplessClock();
  private readonly decoder = new PcmDecoder();
  private scheduled: Scheduled[] = [];
  /** Seconds of each turn's audio that finished playing (cleared by stop()). */
  private finished = new Map<string, number>();
  /** Chunks scheduled since the last stop; shown in the UI. */
  chunks = 0;
  seconds = 0;

  /** Call from a user gesture (click, key): browsers only start audio after one. */
  unlock(): void {
    this.ctx ??= new AudioContext({ latencyHint: 'interactive' });
    if (this.ctx.state === 'suspended') void this.ctx.resume();
  }

  play(bytes: ArrayBuffer, sampleRate: number, tag: PlayTag): void {
    this.unlock();
    const ctx = this.ctx!;
    const samples = this.decoder.decode(new Uint8Array(bytes));
    if (samples.length === 0) return;
    const buffer = ctx.createBuffer(1, samples.length, sampleRate);
    buffer.copyToChannel(samples, 0);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(ctx.destination);
    const start = this.clock.place(ctx.currentTime, buffer.duration);
    source.start(start);
    const entry: Scheduled = { start, end: start + buffer.duration, tag, source };
    this.scheduled.push(entry);
    source.onended = () => {
      this.scheduled = this.scheduled.filter((s) => s !== entry);
      this.finished.set(tag.turnId, (this.finished.get(tag.turnId) ?? 0) + buffer.duration);
    };
    this.chunks += 1;
    this.seconds += buffer.duration;
  }

  /** What is audible right now, if anything. */
  nowPlaying(): PlayTag | null {
    if (!this.ctx) return null;
    const now = this.ctx.currentTime;
    return this.scheduled.find((s) => s.start <= now && now < s.end)?.tag ?? null;
  }

  /**
   * Milliseconds of this turn's audio the listener has heard so far (what a barge-in reports as
   * `played_ms`), or null when none of it reached the player.
   */
  playedMs(turnId: string): number | null {
    if (!this.ctx) return null;
    const now = this.ctx.currentTime;
    let seconds = this.finished.get(turnId);
    for (const s of this.scheduled) {
      if (s.tag.turnId === turnId) seconds = (seconds ?? 0) + Math.min(Math.max(0, now - s.start), s.end - s.start);
    }
    return seconds === undefined ? null : Math.round(seconds * 1000);
  }

  /** Seconds still queued. */
  queued(): number {
    return this.ctx ? this.clock.queued(this.ctx.currentTime) : 0;
  }

  get underruns(): number {
    return this.clock.underruns;
  }

  /** Silences everything queued at once (barge-in). */
  stop(): void {
    for (const s of this.scheduled) {
      s.source.onended = null;
      try {
        s.source.stop();
      } catch {
        // Already stopped.
      }
    }
    this.scheduled = [];
    this.finished.clear();
    this.clock.reset();
    this.decoder.reset();
    this.chunks = 0;
    this.seconds = 0;
  }
}
