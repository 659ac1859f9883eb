/**
 * A local OpenAI-compatible speech server (`POST /v1/audio/speech`) for tests and benches. It
 * synthesizes with a real engine (Flite) and streams the result the way OpenAI and Kokoro-FastAPI
 * do: chunked transfer, `pcm` as raw 24 kHz s16le, `wav` with the unknown-length header.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TtsEngine } from '../../src/speech/types.js';
import { wavHeader } from '../../src/speech/wav.js';

export interface SpeechRequestRecord {
  authorization: string | undefined;
  body: Record<string, unknown>;
  /** The client went away before the response ended. */
  aborted: boolean;
  /** Response bytes written when the response ended or the client left. */
  bytesSent: number;
  finished: boolean;
}

export interface OpenAiSpeechServerOptions {
  engine: TtsEngine;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Bytes per body write and the pause between writes, to make streaming observable. */
  chunkBytes?: number;
  chunkDelayMs?: number;
  /** Answer 500 for inputs this matches. */
  failWhen?: (input: string) => boolean;
}

export interface OpenAiSpeechServer {
  /** API root, including `/v1`. */
  url: string;
  requests: SpeechRequestRecord[];
  close(): Promise<void>;
}

/** Linear-interpolation resampling, enough to serve 24 kHz PCM from a 16 kHz voice. */
export function resample(pcm: Buffer, from: number, to: number): Buffer {
  if (from === to) return pcm;
  const n = Math.floor(pcm.length / 2);
  const m = Math.floor((n * to) / from);
  const out = Buffer.alloc(m * 2);
  for (let i = 0; i < m; i++) {
    const x = (i * from) / to;
    const i0 = Math.floor(x);
    const i1 = Math.min(n - 1, i0 + 1);
    const f = x - i0;
    const v = pcm.readInt16LE(i0 * 2) * (1 - f) + pcm.readInt16LE(i1 * 2) * f;
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v))), i * 2);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function error(res: ServerResponse, status: number, message: string, type: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function startOpenAiSpeechServer(options: OpenAiSpeechServerOptions): Promise<OpenAiSpeechServer> {
  const requests: SpeechRequestRecord[] = [];
  const chunkBytes = options.chunkBytes ?? 4800;
  const chunkDelayMs = options.chunkDelayMs ?? 0;

  const server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/audio/speech') return error(res, 404, 'Not found', 'invalid_request_error');
    const body = await readJson(req);
    const record: SpeechRequestRecord = {
      authorization: req.headers.authorization,
      body: body ?? {},
      aborted: false,
      bytesSent: 0,
      finished: false,
    };
    requests.push(record);
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(res, 401, 'Incorrect API key provided.', 'invalid_request_error');
    }
    if (!body || typeof body.input !== 'string' || typeof body.model !== 'string' || typeof body.voice !== 'string') {
      return error(res, 400, 'model, input and voice are required', 'invalid_request_error');
    }
    const format = body.response_format ?? 'mp3';
    if (format !== 'pcm' && format !== 'wav') return error(res, 400, `response_format ${String(format)} not supported here`, 'invalid_request_error');
    if (options.failWhen?.(body.input)) return error(res, 500, 'synthesis backend exploded', 'server_error');

    res.on('close', () => {
      if (!record.finished) record.aborted = true;
    });
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    res.writeHead(200, { 'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm', 'transfer-encoding': 'chunked' });
    try {
      let header = format === 'wav';
      for await (const chunk of options.engine.synthesize(body.input, { signal: ac.signal })) {
        const pcm = format === 'pcm' ? resample(chunk.pcm, chunk.sampleRate, 24_000) : chunk.pcm;
        if (header) {
          res.write(wavHeader({ sampleRate: chunk.sampleRate }));
          header = false;
        }
        for (let off = 0; off < pcm.length; off += chunkBytes) {
          if (res.destroyed) return;
          const piece = pcm.subarray(off, off + chunkBytes);
          res.write(piece);
          record.bytesSent += piece.length;
          if (chunkDelayMs) await sleep(chunkDelayMs);
        }
      }
      record.finished = true;
      res.end();
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
