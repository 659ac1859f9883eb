/**
 * RIFF/WAVE for 16-bit PCM: the 44-byte header, whole-file encode and parse, and an incremental
 * reader for WAV that arrives over a stream. Streaming WAV uses the unknown-length convention:
 * RIFF and data sizes of 0xFFFFFFFF, which players read as "until the stream ends".
 */

export const UNKNOWN_LENGTH = 0xffffffff;

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export interface WavHeaderOptions {
  sampleRate: number;
  channels?: number;
  bitsPerSample?: number;
  /** Bytes of sample data that follow. Omit for a stream of unknown length. */
  dataBytes?: number;
}

export function wavHeader(options: WavHeaderOptions): Buffer {
  const { sampleRate, channels = 1, bitsPerSample = 16, dataBytes } = options;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`wavHeader: bad sampleRate ${sampleRate}`);
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`wavHeader: bad channels ${channels}`);
  if (bitsPerSample % 8 !== 0 || bitsPerSample <= 0) throw new RangeError(`wavHeader: bad bitsPerSample ${bitsPerSample}`);
  if (dataBytes !== undefined && (!Number.isInteger(dataBytes) || dataBytes < 0 || dataBytes > UNKNOWN_LENGTH - 36)) {
    throw new RangeError(`wavHeader: bad dataBytes ${dataBytes}`);
  }
  const blockAlign = channels * (bitsPerSample / 8);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(dataBytes === undefined ? UNKNOWN_LENGTH : 36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bitsPerSample, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes === undefined ? UNKNOWN_LENGTH : dataBytes, 40);
  return h;
}

/** A complete WAV file of mono s16le PCM. */
export function encodeWav(pcm: Buffer, sampleRate: number): Buffer {
  return Buffer.concat([wavHeader({ sampleRate, dataBytes: pcm.length }), pcm]);
}

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

export interface ParsedWav extends WavFormat {
  /** Sample data as stored (interleaved when channels > 1). */
  data: Buffer;
  /** True when the header declared an unknown length (0 or 0xFFFFFFFF): data runs to the end. */
  streaming: boolean;
}

/** Parse a whole WAV file. Accepts the streaming unknown-length form and a truncated tail. */
export function parseWav(buf: Buffer): ParsedWav {
  const reader = createWavReader();
  const data = reader.push(buf);
  if (!reader.format) throw new WavFormatError('WAV ended before its data chunk');
  return { ...reader.format, data, streaming: reader.streaming };
}

export interface WavReader {
  /** Feed bytes; returns the sample data they complete (sample-aligned, possibly empty). */
  push(bytes: Buffer): Buffer;
  /** Known once the header up to the data chunk has been read. */
  readonly format: WavFormat | null;
  readonly streaming: boolean;
}

/**
 * Incremental reader: a pure state machine over byte chunks, so an HTTP body can be turned into
 * PCM as it arrives. Only integer PCM (format 1, or WAVE_FORMAT_EXTENSIBLE carrying PCM).
 */
export function createWavReader(): WavReader {
  let head: Buffer = Buffer.alloc(0);
  let format: WavFormat | null = null;
  let streaming = false;
  let remaining = Infinity; // data bytes still expected
  let carry: Buffer = Buffer.alloc(0); // partial sample frame

  function parseHeader(): number | null {
    if (head.length < 12) return null;
    if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
      throw new WavFormatError('not a RIFF/WAVE stream');
    }
    let off = 12;
    let fmt: WavFormat | null = null;
    while (head.length >= off + 8) {
      const id = head.toString('ascii', off, off + 4);
      const size = head.readUInt32LE(off + 4);
      if (id === 'data') {
        if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
        format = fmt;
        streaming = size === 0 || size === UNKNOWN_LENGTH;
        remaining = streaming ? Infinity : size;
        return off + 8;
      }
      const padded = size + (size & 1);
      if (head.length < off + 8 + padded) return null;
      if (id === 'fmt ') {
        if (size < 16) throw new WavFormatError('fmt chunk too short');
        const tag = head.readUInt16LE(off + 8);
        const channels = head.readUInt16LE(off + 10);
        const sampleRate = head.readUInt32LE(off + 12);
        const bitsPerSample = head.readUInt16LE(off + 22);
        const isPcm = tag === 1 || (tag === 0xfffe && size >= 40 && head.readUInt16LE(off + 32) === 1);
        if (!isPcm) throw new WavFormatError(`unsupported WAV encoding (format tag ${tag}); expected integer PCM`);
        if (channels < 1 || sampleRate < 1 || bitsPerSample % 8 !== 0 || bitsPerSample === 0) {
          throw new WavFormatError('invalid fmt chunk');
        }
        fmt = { sampleRate, channels, bitsPerSample };
      }
      off += 8 + padded;
    }
    return null;
  }

  return {
    get format() {
      return format;
    },
    get streaming() {
      return streaming;
    },
    push(bytes: Buffer): Buffer {
      let body: Buffer;
      if (!format) {
        head = head.length ? Buffer.concat([head, bytes]) : bytes;
        const start = parseHeader();
        if (start === null) return Buffer.alloc(0);
        body = head.subarray(start);
        head = Buffer.alloc(0);
      } else {
        body = bytes;
      }
      if (remaining !== Infinity) {
        if (body.length > remaining) body = body.subarray(0, remaining);
        remaining -= body.length;
      }
      const frame = format!.channels * (format!.bitsPerSample / 8);
      if (carry.length) body = Buffer.concat([carry, body]);
      const usable = body.length - (body.length % frame);
      carry = Buffer.from(body.subarray(usable));
      return body.subarray(0, usable);
    },
  };
}
