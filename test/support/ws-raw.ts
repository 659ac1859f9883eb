/**
 * A WebSocket at the byte level, for frames no well-behaved library sends: a raw TCP connection
 * that does the opening handshake itself, writes frames as given, and reports what came back.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface FrameOptions {
  fin?: boolean;
  /** RSV1-3 bits (0-7). */
  rsv?: number;
  /** Client frames must be masked; false sends one that is not. */
  mask?: boolean;
  /** Claimed payload length, when it should lie about the bytes that follow. */
  length?: number;
}

/** One frame's bytes. */
export function frame(opcode: number, payload: Buffer | string, o: FrameOptions = {}): Buffer {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = o.length ?? data.length;
  const mask = o.mask !== false;
  const head: number[] = [((o.fin === false ? 0 : 1) << 7) | ((o.rsv ?? 0) << 4) | (opcode & 0x0f)];
  const m = mask ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (len < 126) head.push(m | len);
  else if (len < 65536) {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, data]);
  const key = randomBytes(4);
  const masked = Buffer.from(data.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

/** A close frame's payload: code, then reason bytes (which need not be UTF-8). */
export const closePayload = (code: number, reason: Buffer = Buffer.alloc(0)) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, reason]);
};

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawWs {
  socket: Socket;
  /** Frames the server sent, parsed (server frames are unmasked). */
  frames: ServerFrame[];
  /** The code of the server's close frame, or null if the connection ended without one. */
  closed: Promise<number | null>;
  write(bytes: Buffer): void;
}

/** Opens `path` on `host:port` with a hand-written upgrade request; rejects unless the answer is 101. */
export function openRawWs(port: number, path = '/api/v1/ws', host = '127.0.0.1'): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const frames: ServerFrame[] = [];
    let closeCode: number | null = null;
    const closed = new Promise<number | null>((r) => socket.once('close', () => r(closeCode)));
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buf.subarray(0, end).toString('latin1').split(' ')[1];
        if (status !== '101') {
          socket.destroy();
          return reject(new Error(`upgrade answered ${status}`));
        }
        upgraded = true;
        buf = buf.subarray(end + 4);
        resolve({ socket, frames, closed, write: (b) => void (socket.writable && socket.write(b)) });
      }
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const f = { opcode: buf[0]! & 0x0f, payload: buf.subarray(off, off + len) };
        frames.push(f);
        if (f.opcode === 8 && closeCode === null) closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        buf = buf.subarray(off + len);
      }
    });
    socket.once('close', () => reject(new Error('closed before the upgrade')));
  });
}
