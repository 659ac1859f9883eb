/**
 * OpenAI-compatible `POST {baseUrl}/audio/speech` (OpenAI, Kokoro-FastAPI, LocalAI). The body is
 * streamed: PCM is yielded as bytes arrive, so the first audio comes before synthesis ends.
 * `baseUrl` is the API root including `/v1`, as for OpenAI client libraries.
 */
import { request } from 'undici';
import type { PcmChunk, SynthesizeOptions, TtsEngine } from '../types.js';
import { createWavReader } from '../wav.js';
import { abortError, createSampleAligner, toMonoS16 } from './pcm.js';
import { redact } from '../../redact.js';

export interface OpenAiSpeechOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  voice: string;
  /** `pcm` is raw s16le mono at `sampleRate`; `wav` carries its own format. Default `pcm`. */
  format?: 'pcm' | 'wav';
  /** Sample rate of `pcm` responses: 24000 for OpenAI and Kokoro. */
  sampleRate?: number;
  /** Speaking speed, when the server supports it. */
  speed?: number;
  /** Give up when no response headers arrive within this time. Default 15 s. */
  headersTimeoutMs?: number;
}

export class TtsHttpError extends Error {
  override name = 'TtsHttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function createOpenAiSpeechEngine(options: OpenAiSpeechOptions): TtsEngine {
  const format = options.format ?? 'pcm';
  const pcmRate = options.sampleRate ?? 24_000;
  let endpoint: URL;
  try {
    endpoint = new URL(options.baseUrl.replace(/\/+$/, '') + '/audio/speech');
  } catch {
    throw new Error(`TTS base URL is not a valid URL`);
  }
  if (!/^https?:$/.test(endpoint.protocol)) throw new Error('TTS base URL must be http(s)');
  // Keys must never leak: strip them from anything a server might echo back.
  const clean = (s: string) => redact(s, [options.apiKey]);

  return {
    name: 'openai',
    voice: options.voice,
    async *synthesize(text: string, opts: SynthesizeOptions = {}): AsyncIterable<PcmChunk> {
      if (!text.trim()) return;
      const { signal } = opts;
      if (signal?.aborted) throw abortError(signal);
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: '*/*' };
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
      const body: Record<string, unknown> = {
        model: options.model,
        input: text,
        voice: opts.voice ?? options.voice,
        response_format: format,
      };
      if (options.speed !== undefined) body.speed = options.speed;

      let res;
      try {
        res = await request(endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal,
          headersTimeout: options.headersTimeoutMs ?? 15_000,
        });
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        throw new Error(`speech server ${endpoint.host} unreachable: ${clean((err as Error).message)}`);
      }
      try {
        if (res.statusCode < 200 || res.statusCode >= 300) {
          const detail = (await res.body.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ').trim();
          throw new TtsHttpError(
            `speech server answered ${res.statusCode}${detail ? `: ${clean(detail)}` : ''}`,
            res.statusCode,
          );
        }
        if (format === 'pcm') {
          const align = createSampleAligner(2);
          for await (const chunk of res.body) {
            if (signal?.aborted) break;
            const pcm = align(chunk as Buffer);
            if (pcm.length) yield { pcm, sampleRate: pcmRate };
          }
        } else {
          const reader = createWavReader();
          for await (const chunk of res.body) {
            if (signal?.aborted) break;
            const data = reader.push(chunk as Buffer);
            if (data.length && reader.format) yield { pcm: toMonoS16(data, reader.format), sampleRate: reader.format.sampleRate };
          }
          if (!reader.format && !signal?.aborted) throw new Error('speech server sent no WAV data');
        }
        if (signal?.aborted) throw abortError(signal);
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        throw err;
      } finally {
        // Consumer stopped early or we failed: release the connection instead of draining it.
        if (!res.body.destroyed) res.body.destroy();
      }
    },
  };
}
