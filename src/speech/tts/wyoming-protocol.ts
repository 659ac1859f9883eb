/**
 * Wyoming event framing (the voice protocol of Rhasspy and Home Assistant): a JSON header line,
 * then `data_length` bytes of JSON merged over the header's `data`, then `payload_length` bytes
 * of binary payload. A pure encoder and an incremental decoder; sockets live elsewhere.
 */

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload?: Buffer;
}

/** The protocol version we claim in headers. */
export const WYOMING_VERSION = '1.7.2';

const NEWLINE = 0x0a;
/** A header line longer than this is not Wyoming: fail instead of buffering forever. */
const MAX_HEADER_BYTES = 1 << 20;

export function encodeEvent(event: { type: string; data?: Record<string, unknown>; payload?: Buffer }): Buffer {
  const header: Record<string, unknown> = { type: event.type, version: WYOMING_VERSION };
  const parts: Buffer[] = [];
  let dataBytes: Buffer | undefined;
  if (event.data && Object.keys(event.data).length) {
    dataBytes = Buffer.from(JSON.stringify(event.data), 'utf8');
    header.data_length = dataBytes.length;
  }
  if (event.payload?.length) header.payload_length = event.payload.length;
  parts.push(Buffer.from(JSON.stringify(header) + '\n', 'utf8'));
  if (dataBytes) parts.push(dataBytes);
  if (event.payload?.length) parts.push(event.payload);
  return Buffer.concat(parts);
}

export class WyomingProtocolError extends Error {
  override name = 'WyomingProtocolError';
}

/** Feed bytes as they arrive; get back every event they complete. */
export function createEventDecoder(): (bytes: Buffer) => WyomingEvent[] {
  let buf: Buffer = Buffer.alloc(0);
  let pending: { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | null = null;

  return (bytes) => {
    buf = buf.length ? Buffer.concat([buf, bytes]) : bytes;
    const out: WyomingEvent[] = [];
    for (;;) {
      if (!pending) {
        const nl = buf.indexOf(NEWLINE);
        if (nl < 0) {
          if (buf.length > MAX_HEADER_BYTES) throw new WyomingProtocolError('header line too long');
          break;
        }
        let header: Record<string, unknown>;
        try {
          header = JSON.parse(buf.toString('utf8', 0, nl)) as Record<string, unknown>;
        } catch {
          throw new WyomingProtocolError('header is not JSON');
        }
        buf = buf.subarray(nl + 1);
        if (typeof header.type !== 'string') throw new WyomingProtocolError('header has no type');
        const len = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0);
        pending = {
          type: header.type,
          data: header.data && typeof header.data === 'object' ? { ...(header.data as Record<string, unknown>) } : {},
          dataLength: len(header.data_length),
          payloadLength: len(header.payload_length),
        };
      }
      if (buf.length < pending.dataLength + pending.payloadLength) break;
      if (pending.dataLength) {
        try {
          Object.assign(pending.data, JSON.parse(buf.toString('utf8', 0, pending.dataLength)));
        } catch {
          throw new WyomingProtocolError(`data of "${pending.type}" is not JSON`);
        }
      }
      const event: WyomingEvent = { type: pending.type, data: pending.data };
      if (pending.payloadLength) {
        event.payload = Buffer.from(buf.subarray(pending.dataLength, pending.dataLength + pending.payloadLength));
      }
      buf = buf.subarray(pending.dataLength + pending.payloadLength);
      pending = null;
      out.push(event);
    }
    return out;
  };
}
