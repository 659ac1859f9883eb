/** Small PCM utilities shared by the engines: everything leaves an engine as s16le mono. */
import type { WavFormat } from '../wav.js';

/** Convert interleaved 16-bit PCM to mono by averaging channels. */
export function toMonoS16(data: Buffer, format: WavFormat): Buffer {
  if (format.bitsPerSample !== 16) {
    throw new Error(`unsupported sample width: ${format.bitsPerSample} bits (expected 16)`);
  }
  if (format.channels === 1) return data;
  const ch = format.channels;
  const frames = Math.floor(data.length / (2 * ch));
  const out = Buffer.alloc(frames * 2);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < ch; c++) sum += data.readInt16LE((f * ch + c) * 2);
    out.writeInt16LE(Math.round(sum / ch), f * 2);
  }
  return out;
}

/** Keeps raw byte streams sample-aligned: an odd trailing byte waits for the next chunk. */
export function createSampleAligner(bytesPerFrame = 2): (chunk: Buffer) => Buffer {
  let carry: Buffer = Buffer.alloc(0);
  return (chunk) => {
    const body = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const usable = body.length - (body.length % bytesPerFrame);
    carry = Buffer.from(body.subarray(usable));
    return body.subarray(0, usable);
  };
}

export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The operation was aborted');
  err.name = 'AbortError';
  return err;
}
