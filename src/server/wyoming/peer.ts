/**
 * One Wyoming connection as the programs see it: who it is, how an event leaves (framed by the
 * shared codec, batched like every other transport's writes), and a signal that aborts when the
 * connection goes. Writes past the buffer bound close the connection: a peer that does not read
 * is not allowed to make the server hold its audio.
 */
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { encodeEvent } from '../../wyoming/index.js';
import { writeBatcher } from '../outlets.js';

export interface Peer {
  /** The client's address: its id for per-client limits and confirmation scope. */
  readonly address: string;
  /** Aborted when the connection closes, for whatever reason. */
  readonly gone: AbortSignal;
  readonly log: FastifyBaseLogger;
  /** `urgent: false` lets the bytes wait for the end of this event-loop iteration. */
  send(type: string, data?: Record<string, unknown>, payload?: Buffer, urgent?: boolean): void;
  /** Bytes written but not yet handed to the kernel. */
  buffered(): number;
}

export function socketPeer(socket: Socket, address: string, log: FastifyBaseLogger, bufferBytes: number): Peer {
  const gone = new AbortController();
  socket.once('close', () => gone.abort());
  const hold = writeBatcher(socket);
  return {
    address,
    gone: gone.signal,
    log,
    send(type, data, payload, urgent = true) {
      if (socket.destroyed || !socket.writable) return;
      hold(urgent);
      socket.write(encodeEvent({ type, data, payload }));
      if (socket.writableLength > bufferBytes) {
        log.warn({ peer: address, buffered: socket.writableLength }, 'wyoming: client reads too slowly; closing');
        socket.destroy();
      }
    },
    buffered: () => socket.writableLength,
  };
}

/** A Wyoming `error` event: `text` for people, `code` for programs. */
export const sendError = (peer: Peer, code: string, text: string): void => peer.send('error', { text, code });
