/**
 * One Wyoming client connection: bytes in through the bounded decoder, events dispatched to the
 * programs, answers out through the peer. Framing it cannot follow (a header that is not JSON, a
 * block over its bound) gets an `error` event and a clean close, since the stream cannot be
 * resynchronized; an unknown event type gets an `error` and the connection stays usable. Closing,
 * for any reason, cancels the running turn and synthesis. An idle connection is closed.
 */
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { SpeechStage } from '../../turn/index.js';
import { createEventDecoder, WyomingProtocolError, type WyomingEvent } from '../../wyoming/index.js';
import type { TurnHub } from '../turns.js';
import { handleProgram } from './handle.js';
import { sendError, socketPeer } from './peer.js';
import { ttsProgram } from './tts.js';

export interface ConnectionOptions {
  hub: TurnHub;
  log: FastifyBaseLogger;
  info: Record<string, unknown>;
  speech: SpeechStage | null;
  voices: readonly string[];
  maxInputChars: number;
  /** Most characters one synthesis may carry. */
  maxSynthesisChars: number;
  bufferBytes: number;
  idleTimeoutMs: number;
  limits: { maxHeaderBytes: number; maxDataBytes: number; maxPayloadBytes: number };
}

export interface Connection {
  /** Resolves when nothing runs on this connection. */
  idle(): Promise<void>;
  cancel(): void;
  /** Flush what was written, then close. */
  close(): void;
}

export function serveConnection(socket: Socket, address: string, o: ConnectionOptions): Connection {
  const log = o.log;
  const peer = socketPeer(socket, address, log, o.bufferBytes);
  const decode = createEventDecoder(o.limits);
  const handle = handleProgram(peer, { hub: o.hub, maxInputChars: o.maxInputChars });
  const tts = ttsProgram(peer, { speech: o.speech, voices: o.voices, maxChars: o.maxSynthesisChars, draining: () => o.hub.isDraining });

  // The idle timer runs only while nothing runs: a long model answer is not idleness.
  let turns = 0;
  let turnsDone: Promise<void> = Promise.resolve();
  const track = (job: Promise<void>) => {
    turns++;
    socket.setTimeout(0);
    const done = job
      .catch((err: unknown) => log.error({ err, peer: address }, 'wyoming: transcript failed'))
      .finally(() => {
        if (--turns === 0 && !tts.busy) socket.setTimeout(o.idleTimeoutMs);
      });
    turnsDone = Promise.all([turnsDone, done]).then(() => {});
  };
  const watchTts = () => {
    if (!tts.busy) return;
    socket.setTimeout(0);
    void tts.idle().then(() => {
      if (turns === 0 && !tts.busy) socket.setTimeout(o.idleTimeoutMs);
    });
  };
  socket.setTimeout(o.idleTimeoutMs);
  socket.on('timeout', () => socket.end());

  const dispatch = (event: WyomingEvent) => {
    switch (event.type) {
      case 'describe':
        return peer.send('info', o.info);
      case 'ping':
        return peer.send('pong', { text: typeof event.data.text === 'string' ? event.data.text : null });
      case 'transcript':
        return track(handle.transcript(event.data));
      case 'synthesize-start':
        tts.start(event.data);
        return watchTts();
      case 'synthesize-chunk':
        return tts.chunk(event.data);
      case 'synthesize-stop':
        return tts.stop();
      case 'synthesize':
        tts.synthesize(event.data);
        return watchTts();
      default:
        return sendError(peer, 'unknown_event', `Unknown event type ${JSON.stringify(event.type.slice(0, 64))}.`);
    }
  };

  socket.on('data', (bytes: Buffer) => {
    let events: WyomingEvent[];
    try {
      events = decode(bytes);
    } catch (err) {
      if (!(err instanceof WyomingProtocolError)) throw err;
      log.info({ peer: address, code: err.code }, 'wyoming: bad framing; closing');
      socket.pause();
      sendError(peer, err.code, err.message);
      tts.cancel();
      // Destroyed once the error is flushed: the close cancels the running turn.
      return void socket.end(() => socket.destroy());
    }
    for (const event of events) {
      if (socket.destroyed) return;
      dispatch(event);
    }
  });
  socket.on('error', (err) => log.debug({ err, peer: address }, 'wyoming: connection error'));
  socket.once('close', () => tts.cancel());

  return {
    idle: async () => {
      await Promise.all([turnsDone, tts.idle()]);
    },
    cancel: () => tts.cancel(),
    close: () => {
      // `end` flushes what is written (a closing `handled`) first; a peer that never closes its side is cut.
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}
