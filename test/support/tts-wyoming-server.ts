/**
 * A local Wyoming TTS server for tests, written from the protocol description (not with the
 * client's codec, so the two check each other): header line, `data_length` bytes of JSON data,
 * `payload_length` bytes of PCM — data is sent separately, as the Python `wyoming` package does.
 * It synthesizes with a real engine and can advertise the streaming form.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TtsEngine } from '../../src/speech/types.js';

export interface WyomingServerOptions {
  engine: TtsEngine;
  /** Advertise and serve synthesize-start / -chunk / -stop. */
  streaming?: boolean;
  /** Samples per audio-chunk. Piper sends 1024. */
  samplesPerChunk?: number;
  /** Voice names offered; a request for another gets an `error` event. */
  voices?: string[];
}

export interface WyomingServer {
  host: string;
  port: number;
  /** Every event type received, per connection, in order. */
  received: { type: string; data: Record<string, unknown> }[][];
  /** Connections closed by the client before their synthesis ended. */
  clientAborts: number;
  /** Connections open right now. */
  readonly openConnections: number;
  close(): Promise<void>;
}

function frame(type: string, data?: Record<string, unknown>, payload?: Buffer): Buffer {
  const header: Record<string, unknown> = { type, version: '1.5.3' };
  const dataBytes = data ? Buffer.from(JSON.stringify(data)) : null;
  if (dataBytes) header.data_length = dataBytes.length;
  if (payload) header.payload_length = payload.length;
  return Buffer.concat([Buffer.from(JSON.stringify(header) + '\n'), dataBytes ?? Buffer.alloc(0), payload ?? Buffer.alloc(0)]);
}

/** Splits the incoming byte stream into events (the server side of the framing). */
async function* readEvents(socket: Socket): AsyncGenerator<{ type: string; data: Record<string, unknown> }> {
  let buf = Buffer.alloc(0);
  let need: { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | null = null;
  for await (const chunk of socket) {
    buf = Buffer.concat([buf, chunk as Buffer]);
    for (;;) {
      if (!need) {
        const nl = buf.indexOf(10);
        if (nl < 0) break;
        const h = JSON.parse(buf.subarray(0, nl).toString()) as Record<string, any>;
        buf = buf.subarray(nl + 1);
        need = { type: h.type, data: h.data ?? {}, dataLength: h.data_length ?? 0, payloadLength: h.payload_length ?? 0 };
      }
      if (buf.length < need.dataLength + need.payloadLength) break;
      const data = need.dataLength ? { ...need.data, ...JSON.parse(buf.subarray(0, need.dataLength).toString()) } : need.data;
      buf = buf.subarray(need.dataLength + need.payloadLength);
      yield { type: need.type, data };
      need = null;
    }
  }
}

export async function startWyomingServer(options: WyomingServerOptions): Promise<WyomingServer> {
  const samplesPerChunk = options.samplesPerChunk ?? 1024;
  const voices = options.voices ?? ['kal16', 'slt'];
  const received: WyomingServer['received'] = [];
  const sockets = new Set<Socket>();
  let clientAborts = 0;

  async function speak(socket: Socket, text: string, voice: string | undefined, signal: AbortSignal): Promise<void> {
    let started = false;
    for await (const { pcm, sampleRate } of options.engine.synthesize(text, { voice, signal })) {
      const fmt = { rate: sampleRate, width: 2, channels: 1 };
      if (!started) {
        socket.write(frame('audio-start', { ...fmt, timestamp: 0 }));
        started = true;
      }
      for (let off = 0; off < pcm.length; off += samplesPerChunk * 2) {
        socket.write(frame('audio-chunk', { ...fmt, timestamp: null }, pcm.subarray(off, off + samplesPerChunk * 2)));
      }
    }
    if (!started) socket.write(frame('audio-start', { rate: 16000, width: 2, channels: 1, timestamp: 0 }));
    socket.write(frame('audio-stop', { timestamp: null }));
  }

  const server = createServer(async (socket) => {
    sockets.add(socket);
    const log: { type: string; data: Record<string, unknown> }[] = [];
    received.push(log);
    const ac = new AbortController();
    let busy = false;
    socket.on('close', () => {
      sockets.delete(socket);
      if (busy) clientAborts++;
      ac.abort();
    });
    socket.on('error', () => {});
    let stream: { text: string; voice?: string } | null = null;
    try {
      for await (const ev of readEvents(socket)) {
        log.push(ev);
        const voiceOf = (d: Record<string, unknown>) => (d.voice as { name?: string } | undefined)?.name;
        const checkVoice = (v: string | undefined) => {
          if (v && !voices.includes(v)) {
            socket.write(frame('error', { text: `unknown voice: ${v}`, code: 'voice-not-found' }));
            return false;
          }
          return true;
        };
        if (ev.type === 'describe') {
          socket.write(
            frame('info', {
              tts: [
                {
                  name: 'flite-wyoming',
                  description: 'Flite over Wyoming (test server)',
                  attribution: { name: 'CMU', url: 'http://cmuflite.org' },
                  installed: true,
                  version: '2.3',
                  voices: voices.map((name) => ({
                    name,
                    languages: ['en_US'],
                    attribution: { name: 'CMU', url: 'http://cmuflite.org' },
                    installed: true,
                    version: null,
                    speakers: null,
                  })),
                  supports_synthesize_streaming: options.streaming === true,
                },
              ],
              asr: [],
              wake: [],
              handle: [],
              intent: [],
            }),
          );
        } else if (ev.type === 'synthesize' && !stream) {
          const voice = voiceOf(ev.data);
          if (!checkVoice(voice)) continue;
          busy = true;
          await speak(socket, String(ev.data.text ?? ''), voice, ac.signal);
          busy = false;
        } else if (ev.type === 'synthesize-start' && options.streaming) {
          stream = { text: '', voice: voiceOf(ev.data) };
        } else if (ev.type === 'synthesize-chunk' && stream) {
          stream.text += String(ev.data.text ?? '');
        } else if (ev.type === 'synthesize-stop' && stream) {
          const { text, voice } = stream;
          stream = null;
          if (!checkVoice(voice)) continue;
          busy = true;
          // One audio-start/stop per sentence, then synthesize-stopped: as wyoming-piper does.
          for (const sentence of text.match(/[^.!?]+[.!?]*/g) ?? []) {
            if (sentence.trim()) await speak(socket, sentence.trim(), voice, ac.signal);
          }
          socket.write(frame('synthesize-stopped'));
          busy = false;
        }
      }
    } catch {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    received,
    get clientAborts() {
      return clientAborts;
    },
    get openConnections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
