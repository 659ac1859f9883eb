/**
 * Where a turn's bytes go. An HTTP stream takes over the raw response (so the reply's headers,
 * CORS and X-Request-ID included, are copied onto it) and reports the client's departure as an
 * abort; `buffered()` counts bytes Node holds for this response, which the hub bounds.
 * Every streaming connection is also reset when its client stops taking bytes (`resetWhenStalled`).
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import { toWire, type TurnEvent } from '../turn/index.js';
import type { Outlet } from './turns.js';

export interface HttpStream {
  /** Aborts when the client disconnects before the response ended. */
  readonly gone: AbortSignal;
  /** Whether headers went out (a lazy stream opens on its first write). */
  readonly opened: boolean;
  /** `urgent: false` lets the bytes wait up to `lingerMs` (STREAM_BATCH_MS), or to the end of this event-loop iteration when it is 0 (see `writeBatcher`). */
  write(chunk: string | Buffer, urgent?: boolean): void;
  /** Bytes written and not yet taken by the client: what Node holds for this response, and what waits to join it. */
  buffered(): number;
  outlet(encode: (event: TurnEvent) => string | Buffer | null | Array<string | Buffer>): Outlet;
  end(tail?: string): void;
  /** Ends the response after what is queued, and then the connection (no keep-alive reuse). */
  close(): void;
}

export interface HttpStreamOptions {
  headers: Record<string, string>;
  /** Header bytes produced by the first write instead of at once (audio: the WAV header needs the sample rate). */
  lazy?: boolean;
  /** Written when nothing else was for this long (SSE comment heartbeats). */
  heartbeat?: { everyMs: number; text: string };
  /** See `resetWhenStalled` (CLIENT_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
  /** How long ordinary (not urgent) bytes may wait to leave with later ones (`writeBatcher`, STREAM_BATCH_MS). */
  lingerMs?: number;
}

export function openHttpStream(reply: FastifyReply, options: HttpStreamOptions): HttpStream {
  const res = reply.raw;
  const gone = new AbortController();
  let opened = false;
  let lastWrite = Date.now();
  let timer: NodeJS.Timeout | undefined;
  res.on('close', () => {
    if (timer) clearInterval(timer);
    if (!res.writableFinished) gone.abort();
  });
  if (options.idleTimeoutMs) resetWhenStalled(res.socket, options.idleTimeoutMs, res);

  // What is written while the batcher holds waits here and leaves as one `res.write`: with chunked
  // encoding every `res.write` is four buffers (size, CRLF, data, CRLF), so a batch of a turn's
  // events costs four, not four per event (bench/server/findings.json). The last batch leaves with
  // the response's closing chunk, in one system call rather than two.
  let waiting: Array<string | Buffer> = [];
  let waitingBytes = 0;
  let holding = false;
  /** `last`: the response ends with what waited. */
  const release = (last = false) => {
    const out = waiting.length && !res.writableEnded && !res.destroyed ? joined(waiting) : undefined;
    waiting = [];
    waitingBytes = 0;
    // `res.end` uncorks the socket fully itself.
    if (last) res.end(out);
    else if (out !== undefined) res.write(out);
    if (!holding) return;
    holding = false;
    if (!last) res.uncork();
  };
  // The socket stays corked too, so the header bytes leave with the first events.
  const hold = writeBatcher({ cork: () => ((holding = true), res.cork()), uncork: () => release() }, options.lingerMs);
  const open = () => {
    if (opened) return;
    opened = true;
    reply.hijack();
    const headers: Record<string, string | number | string[]> = {};
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string | number | string[];
    // Held first: the header bytes leave together with the first events (an SSE turn's
    // `turn.start`), one syscall instead of two.
    hold(false);
    res.writeHead(200, { ...headers, ...options.headers });
    res.flushHeaders();
    if (options.heartbeat) {
      const { everyMs, text } = options.heartbeat;
      timer = setInterval(() => {
        if (Date.now() - lastWrite >= everyMs && !res.writableEnded) write(text);
      }, Math.max(50, Math.floor(everyMs / 2)));
      timer.unref();
    }
  };
  const write = (chunk: string | Buffer, urgent = true) => {
    if (res.writableEnded || res.destroyed) return;
    open();
    lastWrite = Date.now();
    // Held from here on: `release` writes it, with whatever else this batch gathers.
    hold(urgent);
    waiting.push(chunk);
    waitingBytes += chunk.length;
  };
  if (!options.lazy) open();
  const end = (tail?: string) => {
    if (timer) clearInterval(timer);
    if (res.writableEnded || res.destroyed) return;
    if (tail) write(tail);
    if (opened) release(true);
  };
  const buffered = () => res.writableLength + waitingBytes;

  return {
    gone: gone.signal,
    get opened() {
      return opened;
    },
    write,
    buffered,
    outlet(encode) {
      return {
        send(event, urgent) {
          const out = encode(event);
          if (out === null) return;
          if (Array.isArray(out)) for (const o of out) write(o, urgent);
          else write(out, urgent);
        },
        buffered,
        close,
      };
    },
    end,
    close,
  };

  function close() {
    if (!opened) return void res.destroy();
    end();
    res.once('finish', () => res.socket?.end());
  }
}

/** One chunk of what waited: strings joined, anything with bytes in it concatenated. */
function joined(parts: Array<string | Buffer>): string | Buffer {
  if (parts.length === 1) return parts[0]!;
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

/**
 * WebSocket: JSON text frames; an audio event's PCM follows its JSON as one binary frame.
 * `raw` is the upgraded TCP socket: holding it batches the frames of one `lingerMs` period (one
 * loop iteration when it is 0) into one writev (ws's own cork/uncork per frame nests inside ours).
 */
export function wsOutlet(socket: WebSocket, raw?: Duplex, lingerMs = 0): Outlet {
  const hold = raw ? writeBatcher(raw, lingerMs) : () => {};
  return {
    send(event, urgent) {
      if (socket.readyState !== socket.OPEN) return;
      hold(urgent);
      if (event.type === 'audio') {
        socket.send(JSON.stringify(toWire(event, { audioData: false })));
        socket.send(event.pcm, { binary: true });
      } else socket.send(JSON.stringify(event));
    },
    buffered: () => socket.bufferedAmount,
    close: () => socket.close(1008, 'client_too_slow'),
  };
}

/**
 * Resets (TCP RST) a connection whose client has bytes waiting and took none of them for `ms`:
 * it frees what the server and the kernel hold for it at once, and a peer that never reads still
 * learns the connection is gone. Node's socket timeout sees reads, completed writes and partial
 * progress of a pending write as activity, so a slow reader that keeps reading is never cut;
 * a connection with nothing to send is idle, not stalled, and is left alone.
 * `events`: where the timeout is heard — the HTTP response for a request (a listener there keeps
 * Node's HTTP server from destroying an idle-but-healthy socket itself), else the socket.
 */
export function resetWhenStalled(socket: Socket | null, ms: number, events?: { setTimeout(ms: number, cb: () => void): unknown }): void {
  if (!socket) return;
  const check = () => {
    if (socket.writableLength > 0 && !socket.destroyed) socket.resetAndDestroy();
  };
  if (events) events.setTimeout(ms, check);
  else {
    socket.setTimeout(ms);
    socket.on('timeout', check);
  }
}

/**
 * Holds a stream's writes (cork) so they leave together, in one writev: urgent bytes at the end of
 * this tick, the rest at the end of this event-loop iteration. Deferring ordinary tokens that far
 * costs them microseconds when the server is idle; under load it puts the writes to many sockets
 * back to back, where each costs less (a reader woken by one is often still awake for the next),
 * and keeps them from delaying the reads of requests and first tokens queued behind them.
 *
 * `lingerMs` > 0: ordinary bytes wait for a timer shared by every stream with the same linger
 * instead (at most that long, half of it on average), so the tokens a model streams in that time
 * leave in one write per socket rather than one each: the write per token per client is the
 * largest single cost of a streaming turn. Urgent bytes still leave at the end of the tick, and
 * take everything held before them along.
 */
export function writeBatcher(stream: { cork(): void; uncork(): void }, lingerMs = 0): (urgent: boolean) => void {
  const later = lingerMs > 0 ? lingerQueue(lingerMs) : (fn: () => void) => void setImmediate(fn);
  let held = false;
  let tickQueued = false;
  let laterQueued = false;
  const release = () => {
    if (!held) return;
    held = false;
    stream.uncork();
  };
  const onTick = () => {
    tickQueued = false;
    release();
  };
  const onLater = () => {
    laterQueued = false;
    release();
  };
  return (urgent) => {
    if (!held) {
      held = true;
      stream.cork();
      if (!laterQueued) {
        laterQueued = true;
        later(onLater);
      }
    }
    if (urgent && !tickQueued) {
      tickQueued = true;
      process.nextTick(onTick);
    }
  };
}

/**
 * One timer per linger length for all streams: armed by the first release queued, it runs every
 * release queued until then, in order. A stream that went away meanwhile is released like any
 * other (uncorking a destroyed stream does nothing); nothing outlives one period.
 */
const lingerQueues = new Map<number, { add(fn: () => void): void; readonly size: number }>();
function lingerQueue(ms: number): (fn: () => void) => void {
  let queue = lingerQueues.get(ms);
  if (!queue) {
    let due: Array<() => void> = [];
    const run = () => {
      const now = due;
      due = [];
      for (const fn of now) fn();
    };
    queue = {
      add(fn) {
        if (!due.length) setTimeout(run, ms);
        due.push(fn);
      },
      get size() {
        return due.length;
      },
    };
    lingerQueues.set(ms, queue);
  }
  return queue.add;
}

/** Releases waiting for a linger timer, all lengths together (tests: nothing is kept past one period). */
export const lingering = (): number => [...lingerQueues.values()].reduce((n, q) => n + q.size, 0);
