/**
 * Wyoming event framing (the voice protocol of Rhasspy and Home Assistant; docs/protocol.md,
 * "Wyoming server"): a JSON header line `{"type","data"?,"data_length"?,"payload_length"?,"version"}`,
 * then `data_length` bytes of JSON merged over the header's `data`, then `payload_length` bytes of
 * binary payload. A pure encoder and an incremental, bounded decoder, shared by Barnabee's Wyoming
 * TTS client and its Wyoming server; sockets live with them.
 */

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

/** The protocol version we claim in headers (the `wyoming` package release whose events we speak). */
export const WYOMING_VERSION = '1.9.0';

const NEWLINE = 0x0a;

export type WyomingErrorCode = 'header_too_long' | 'invalid_header' | 'data_too_long' | 'invalid_data' | 'payload_too_long';

export class WyomingProtocolError extends Error {
  override name = 'WyomingProtocolError';
  constructor(
    readonly code: WyomingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface DecoderLimits {
  /** Longest header line. Default 1 MiB. */
  maxHeaderBytes?: number;
  /** Largest data block. Default 16 MiB (a Piper `info` lists every voice). */
  maxDataBytes?: number;
  /** Largest payload. Default 16 MiB. */
  maxPayloadBytes?: number;
}

export function encodeEvent(event: { type: string; data?: Record<string, unknown>; payload?: Buffer }): Buffer {
  const header: Record<string, unknown> = { type: event.type, version: WYOMING_VERSION };
  let dataBytes: Buffer | undefined;
  if (event.data && Object.keys(event.data).length) {
    dataBytes = Buffer.from(JSON.stringify(event.data), 'utf8');
    header.data_length = dataBytes.length;
  }
  if (event.payload?.length) header.payload_length = event.payload.length;
  const parts: Buffer[] = [Buffer.from(JSON.stringify(header) + '\n', 'utf8')];
  if (dataBytes) parts.push(dataBytes);
  if (event.payload?.length) parts.push(event.payload);
  return Buffer.concat(parts);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Feed bytes as they arrive; get back every event they complete. Throws a `WyomingProtocolError`
 * (and is then unusable: the stream cannot be resynchronized) on bytes that are not Wyoming or
 * exceed a limit — checked at the header, before any of the block is buffered.
 */
export function createEventDecoder(limits: DecoderLimits = {}): (bytes: Buffer) => WyomingEvent[] {
  const maxHeader = limits.maxHeaderBytes ?? 1 << 20;
  const maxData = limits.maxDataBytes ?? 16 << 20;
  const maxPayload = limits.maxPayloadBytes ?? 16 << 20;
  let buf: Buffer = Buffer.alloc(0);
  // While a block is awaited its pieces are kept apart and joined once: no quadratic copying.
  let pieces: Buffer[] = [];
  let piecesLength = 0;
  let pending: { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | null = null;

  const length = (header: Record<string, unknown>, key: string, max: number, code: WyomingErrorCode): number => {
    const v = header[key];
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new WyomingProtocolError('invalid_header', `${key} must be a whole number`);
    if (v > max) throw new WyomingProtocolError(code, `${key} ${v} is over the limit of ${max} bytes`);
    return v;
  };

  return (bytes) => {
    if (pieces.length) {
      pieces.push(bytes);
      piecesLength += bytes.length;
      if (pending && piecesLength < pending.dataLength + pending.payloadLength) return [];
      buf = Buffer.concat(pieces, piecesLength);
      pieces = [];
      piecesLength = 0;
    } else {
      buf = buf.length ? Buffer.concat([buf, bytes]) : bytes;
    }
    const out: WyomingEvent[] = [];
    for (;;) {
      if (!pending) {
        const nl = buf.indexOf(NEWLINE);
        if (nl < 0) {
          if (buf.length > maxHeader) throw new WyomingProtocolError('header_too_long', `header line over ${maxHeader} bytes`);
          break;
        }
        if (nl > maxHeader) throw new WyomingProtocolError('header_too_long', `header line over ${maxHeader} bytes`);
        let header: unknown;
        try {
          header = JSON.parse(buf.toString('utf8', 0, nl));
        } catch {
          throw new WyomingProtocolError('invalid_header', 'header is not JSON');
        }
        buf = buf.subarray(nl + 1);
        if (!isObject(header) || typeof header.type !== 'string' || !header.type) {
          throw new WyomingProtocolError('invalid_header', 'header has no type');
        }
        if (header.data !== undefined && header.data !== null && !isObject(header.data)) {
          throw new WyomingProtocolError('invalid_data', `data of "${header.type}" is not a JSON object`);
        }
        pending = {
          type: header.type,
          data: isObject(header.data) ? { ...header.data } : {},
          dataLength: length(header, 'data_length', maxData, 'data_too_long'),
          payloadLength: length(header, 'payload_length', maxPayload, 'payload_too_long'),
        };
      }
      const need = pending.dataLength + pending.payloadLength;
      if (buf.length < need) {
        if (buf.length) {
          pieces = [buf];
          piecesLength = buf.length;
        }
        buf = Buffer.alloc(0);
        break;
      }
      if (pending.dataLength) {
        let data: unknown;
        try {
          data = JSON.parse(buf.toString('utf8', 0, pending.dataLength));
        } catch {
          throw new WyomingProtocolError('invalid_data', `data of "${pending.type}" is not JSON`);
        }
        if (!isObject(data)) throw new WyomingProtocolError('invalid_data', `data of "${pending.type}" is not a JSON object`);
        Object.assign(pending.data, data);
      }
      const event: WyomingEvent = { type: pending.type, data: pending.data };
      if (pending.payloadLength) event.payload = Buffer.from(buf.subarray(pending.dataLength, need));
      buf = buf.subarray(need);
      pending = null;
      out.push(event);
    }
    return out;
  };
}
