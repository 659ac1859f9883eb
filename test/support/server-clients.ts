/** Real clients for server tests: a fetch-based SSE reader (eventsource-parser), WebSocket and NDJSON helpers. */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import WebSocket from 'ws';

export interface SseRead {
  status: number;
  headers: Headers;
  messages: EventSourceMessage[];
  comments: string[];
}

/** Reads a whole SSE response, or stops early when `until` says so (then the connection is dropped). */
export async function readSse(url: string, init: RequestInit = {}, until?: (m: EventSourceMessage) => boolean): Promise<SseRead> {
  const ac = new AbortController();
  const res = await fetch(url, { ...init, signal: ac.signal });
  const out: SseRead = { status: res.status, headers: res.headers, messages: [], comments: [] };
  if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) return out;
  let stop = false;
  const parser = createParser({
    onEvent: (m) => {
      out.messages.push(m);
      if (until?.(m)) stop = true;
    },
    onComment: (c) => out.comments.push(c),
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      if (stop) break;
    }
  } finally {
    ac.abort();
  }
  return out;
}

export const turnEvents = (r: SseRead) => r.messages.filter((m) => m.event && m.event !== 'metrics').map((m) => JSON.parse(m.data) as Record<string, any>);

export async function readNdjson(res: Response): Promise<Record<string, any>[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

export interface WsFrame {
  json?: Record<string, any>;
  binary?: Buffer;
}

/** A WebSocket client that records every frame and can wait for a matching one. */
export class WsClient {
  readonly frames: WsFrame[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? { binary: data as Buffer } : { json: JSON.parse(data.toString()) });
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<WsClient> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols, rest);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
    });
  }

  send(msg: unknown): void {
    this.socket.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  get events(): Record<string, any>[] {
    return this.frames.filter((f) => f.json).map((f) => f.json!);
  }

  async waitFor(pred: (events: Record<string, any>[]) => boolean, timeoutMs = 10_000): Promise<Record<string, any>[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.events)) {
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.events;
  }

  close(): void {
    this.socket.close();
  }
}

export const textOf = (events: Record<string, any>[]) =>
  events
    .filter((e) => e.type === 'chunk')
    .map((e) => e.text)
    .join('');

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) });
