/**
 * Wyoming TTS client over TCP (Piper and other Home Assistant voice servers). One connection per
 * synthesis, as Home Assistant does: abort destroys the socket, which is the cancel a Wyoming
 * server understands. `describe` is asked once; when the server advertises
 * `supports_synthesize_streaming`, the streaming form (synthesize-start/-chunk/-stop) is used.
 */
import { connect, type Socket } from 'node:net';
import type { PcmChunk, SynthesizeOptions, TtsEngine } from '../types.js';
import { abortError, toMonoS16 } from './pcm.js';
import { createEventDecoder, encodeEvent, WyomingProtocolError, type WyomingEvent } from '../../wyoming/index.js';

export interface WyomingOptions {
  host: string;
  port: number;
  /** Voice name from the server's `info`; the server's default when omitted. */
  voice?: string;
  /** Connect and per-read inactivity limit. Default 10 s. */
  timeoutMs?: number;
}

export interface WyomingTtsProgram {
  name: string;
  supports_synthesize_streaming?: boolean;
  voices?: { name: string; languages?: string[] }[];
}

export interface WyomingEngine extends TtsEngine {
  /** The server's `info` (asked once, then cached). */
  describe(signal?: AbortSignal): Promise<{ tts: WyomingTtsProgram[] }>;
}

interface Connection {
  send(event: { type: string; data?: Record<string, unknown> }): void;
  events(): AsyncGenerator<WyomingEvent>;
  close(): void;
}

function open(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<Connection> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    const where = `${host}:${port}`;
    const onAbort = () => socket.destroy(abortError(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`Wyoming server ${where} timed out`)));
    socket.once('error', (err) => reject(signal?.aborted ? abortError(signal) : new Error(`Wyoming server ${where}: ${err.message}`)));
    socket.once('close', () => signal?.removeEventListener('abort', onAbort));
    socket.once('connect', () => {
      socket.setNoDelay(true);
      const decode = createEventDecoder();
      resolve({
        send: (event) => void socket.write(encodeEvent(event)),
        close: () => socket.destroy(),
        async *events() {
          try {
            for await (const chunk of socket) {
              for (const ev of decode(chunk as Buffer)) {
                // One read can hold many events: stop between them, not after the batch.
                if (signal?.aborted) throw abortError(signal);
                yield ev;
              }
            }
          } catch (err) {
            if (signal?.aborted) throw abortError(signal);
            if (err instanceof WyomingProtocolError) throw err;
            throw new Error(`Wyoming server ${where}: ${(err as Error).message}`);
          }
        },
      });
    });
  });
}

export function createWyomingEngine(options: WyomingOptions): WyomingEngine {
  const { host, port } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad Wyoming port ${port}`);
  let info: Promise<{ tts: WyomingTtsProgram[] }> | undefined;

  async function describe(signal?: AbortSignal) {
    info ??= (async () => {
      const conn = await open(host, port, timeoutMs, signal);
      try {
        conn.send({ type: 'describe' });
        for await (const ev of conn.events()) {
          if (ev.type === 'info') return { tts: Array.isArray(ev.data.tts) ? (ev.data.tts as WyomingTtsProgram[]) : [] };
        }
        throw new Error(`Wyoming server ${host}:${port} closed without sending info`);
      } finally {
        conn.close();
      }
    })();
    // A failed or aborted describe is asked again next time.
    info.catch(() => (info = undefined));
    return info;
  }

  return {
    name: 'wyoming',
    voice: options.voice ?? '',
    describe,
    // A server that lists no voices (or cannot be asked) takes any name: it decides for itself.
    async voices(signal?: AbortSignal) {
      const info = await describe(signal).catch(() => null);
      const names = info?.tts.flatMap((p) => (p.voices ?? []).map((v) => v.name)) ?? [];
      return names.length ? names : null;
    },
    async *synthesize(text: string, opts: SynthesizeOptions = {}): AsyncIterable<PcmChunk> {
      if (!text.trim()) return;
      const { signal } = opts;
      const { tts } = await describe(signal);
      if (!tts.length) throw new Error(`Wyoming server ${host}:${port} offers no text-to-speech`);
      const streaming = tts.some((p) => p.supports_synthesize_streaming === true);
      const name = opts.voice ?? options.voice;
      const voice = name ? { voice: { name } } : {};

      const conn = await open(host, port, timeoutMs, signal);
      try {
        if (streaming) {
          conn.send({ type: 'synthesize-start', data: voice });
          conn.send({ type: 'synthesize-chunk', data: { text } });
          conn.send({ type: 'synthesize-stop' });
        } else {
          conn.send({ type: 'synthesize', data: { text, ...voice } });
        }
        let format: { rate: number; width: number; channels: number } | null = null;
        for await (const ev of conn.events()) {
          switch (ev.type) {
            case 'audio-start':
            case 'audio-chunk': {
              const rate = Number(ev.data.rate);
              const width = Number(ev.data.width ?? 2);
              const channels = Number(ev.data.channels ?? 1);
              if (!(rate > 0) || width !== 2 || !(channels >= 1)) {
                throw new Error(`Wyoming server sent unsupported audio (rate ${ev.data.rate}, width ${ev.data.width})`);
              }
              format = { rate, width, channels };
              if (ev.payload?.length) {
                yield {
                  pcm: toMonoS16(ev.payload, { sampleRate: rate, channels, bitsPerSample: 16 }),
                  sampleRate: rate,
                };
              }
              break;
            }
            case 'audio-stop':
              // In the streaming form each sentence has its own start/stop; the stream ends later.
              if (!streaming) return;
              break;
            case 'synthesize-stopped':
              return;
            case 'error':
              throw new Error(`Wyoming server error: ${String(ev.data.text ?? 'unknown')}`);
          }
        }
        if (signal?.aborted) throw abortError(signal);
        throw new Error(`Wyoming server ${host}:${port} closed the connection mid-synthesis${format ? '' : ' before any audio'}`);
      } finally {
        conn.close();
      }
    },
  };
}
