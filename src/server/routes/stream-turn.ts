/** The shared shape of a streaming HTTP route: admit, open the stream, run the turn, close. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TurnEvent, TurnRequest } from '../../turn/index.js';
import { clientIdOf, type ServerContext } from '../context.js';
import { openHttpStream, type HttpStream, type HttpStreamOptions } from '../outlets.js';
import type { SseTurns } from '../resume.js';
import type { Outlet, TurnResult } from '../turns.js';
import { checkVoice } from '../voices.js';

export interface StreamTurnOptions extends HttpStreamOptions {
  transport: string;
  encode: (event: TurnEvent, stream: HttpStream) => string | Buffer | null | Array<string | Buffer>;
  /** Written right after the headers (SSE: the `retry:` hint). */
  head?: string;
  /** Written after turn.end, before the response ends. */
  tail?: string;
  /**
   * SSE: the turn is held for a reconnect (its events kept, its stream replaceable by a resume,
   * a dropped stream cancels it only after the resume window). `encode` must return a string.
   */
  resumable?: SseTurns;
}

export async function streamTurn(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  turn: TurnRequest,
  options: StreamTurnOptions,
): Promise<{ result: TurnResult; stream: HttpStream }> {
  const clientId = clientIdOf(request);
  await checkVoice(ctx.runtime, turn);
  ctx.hub.admit(clientId); // throws a 4xx/503 before any byte is sent
  const stream = openHttpStream(reply, { ...options, idleTimeoutMs: ctx.config.CLIENT_IDLE_TIMEOUT_MS, lingerMs: ctx.config.STREAM_BATCH_MS });
  if (options.head) stream.write(options.head, false);
  let outlet: Outlet;
  let signal: AbortSignal;
  if (options.resumable) {
    const held = options.resumable.begin(clientId);
    held.attach(stream, -1);
    outlet = held.outlet((e) => options.encode(e, stream) as string | null);
    signal = held.abandoned;
  } else {
    outlet = stream.outlet((e) => options.encode(e, stream));
    signal = stream.gone;
  }
  const running = ctx.hub.start(turn, { outlet, clientId, transport: options.transport, log: request.log, signal });
  const result = await running.done;
  if (stream.opened) stream.end(options.tail);
  return { result, stream };
}

/** A turn answered in one piece: admit, run it to its end (cancelled if the client leaves), see each event on the way. */
export async function wholeTurn(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  turn: TurnRequest,
  transport: string,
  onEvent: (event: TurnEvent) => void = () => {},
): Promise<TurnResult> {
  const clientId = clientIdOf(request);
  ctx.hub.admit(clientId);
  const gone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return ctx.hub.start(turn, {
    outlet: { send: (e) => onEvent(e), buffered: () => 0 },
    clientId,
    transport,
    log: request.log,
    signal: gone.signal,
  }).done;
}

/** The HTTP status for a turn that failed before its answer began (the error event's code). */
export function failureStatus(code: string): number {
  if (code === 'llm_rate_limited') return 429;
  if (code === 'server_shutdown') return 503;
  if (/timeout$/.test(code)) return 504;
  return 502;
}
