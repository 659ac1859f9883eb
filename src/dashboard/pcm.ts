/**
 * Audio arithmetic for gapless playback, kept free of Web Audio so it can be tested in Node:
 * s16le bytes → float samples, and the clock that places each chunk right after the previous one.
 */

/**
 * Decodes signed 16-bit little-endian mono PCM. A frame may end mid-sample (the server splits on
 * bytes, not samples): the odd byte is carried into the next call instead of being lost or
 * shifting every later sample into noise.
 */
export class PcmDecoder {
  private carry: number | null = null;

  decode(bytes: Uint8Array): Float32Array<ArrayBuffer> {
    let src = bytes;
    if (this.carry !== null) {
      src = new Uint8Array(bytes.length + 1);
      src[0] = this.carry;
      src.set(bytes, 1);
      this.carry = null;
    }
    const samples = src.length >> 1;
    if (src.length & 1) this.carry = src[src.length - 1]!;
    const out = new Float32Array(samples);
    const view = new DataView(src.buffer, src.byteOffset, samples * 2);
    for (let i = 0; i < samples; i++) out[i] = view.getInt16(i * 2, true) / 32768;
    return out;
  }

  reset(): void {
    this.carry = null;
  }
}

/**
 * Places chunks back to back on the audio clock. A chunk that arrives while the previous one is
 * still playing starts exactly where it ends (no gap, no overlap); one that arrives after the queue
 * ran dry starts a small lead ahead of `now`, so its first samples are not cut, and counts as an
 * underrun (the network or the synthesizer was slower than playback).
 */
export class GaplessClock {
  private next = 0;
  private started = false;
  underruns = 0;

  constructor(private readonly leadS = 0.06) {}

  /** Returns the start time (seconds, audio clock) for a chunk of `durationS` seconds. */
  place(nowS: number, durationS: number): number {
    let start: number;
    if (this.started && this.next >= nowS) {
      start = this.next;
    } else {
      if (this.started) this.underruns += 1;
      start = nowS + this.leadS;
      this.started = true;
    }
    this.next = start + durationS;
    return start;
  }

  /** Seconds of audio queued beyond `nowS`. */
  queued(nowS: number): number {
    return this.started ? Math.max(0, this.next - nowS) : 0;
  }

  reset(): void {
    this.next = 0;
    this.started = false;
    this.underruns = 0;
  }
}
