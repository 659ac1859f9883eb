/**
 * The native transports of one turn: SSE, chunked text, NDJSON, one-shot JSON and streaming WAV.
 * Each differs only in how it encodes turn events.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { wavHeader } from '../../speech/index.js';
import type { TurnRequest } from '../../turn/index.js';
import { clientIdOf, type ServerContext } from '../context.js';
import { SSE_HEADERS, SSE_HEARTBEAT, sseRetry, sseTurnEvent, sseWireEvent } from '../encoders/sse.js';
import { NDJSON_TYPE, ndjsonLine } from '../encoders/ndjson.js';
import { HttpError, errorBody } from '../errors.js';
import { openHttpStream } from '../outlets.js';
import { SseTurns, traceEvents } from '../resume.js';
import { parseOr400, queryToInput, toTurnRequest, turnInput } from '../schemas.js';
import { checkVoice } from '../voices.js';
import { streamTurn } from './stream-turn.js';

export function chatRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const max = ctx.config.MAX_INPUT_CHARS;
  const fromBody = (request: FastifyRequest): TurnRequest => toTurnRequest(parseOr400(turnInput, request.body), max);
  const fromQuery = (request: FastifyRequest): TurnRequest => toTurnRequest(queryToInput(request.query), max);

  // SSE: ids, a retry hint, and reconnects that resume (docs/protocol.md "Reconnects and resuming (SSE)").
  const sseTurns = new SseTurns({
    windowMs: ctx.config.SSE_RESUME_MS,
    // Half the connection bound: a whole replay fits in a resumed connection's buffer with room to spare.
    turnBytes: Math.floor(ctx.config.CLIENT_BUFFER_BYTES / 2),
    totalBytes: 8 * ctx.config.CLIENT_BUFFER_BYTES,
  });
  const heartbeat = { everyMs: ctx.config.SSE_HEARTBEAT_MS, text: SSE_HEARTBEAT };
  const retry = sseRetry(ctx.config.SSE_RETRY_MS);

  /** A reconnect continues its turn after the last event it saw; it never starts one. */
  const resume = async (request: FastifyRequest, reply: FastifyReply, last: { turnId: string; seq: number }) => {
    const clientId = clientIdOf(request);
    const plan = sseTurns.plan(last.turnId, last.seq, clientId);
    // 204 and any 4xx both stop an EventSource for good; 204 says "finished", 404 "nothing here".
    if (plan.kind === 'done') return reply.code(204).send();
    if (plan.kind === 'unknown') {
      return reply.code(404).send(errorBody('unknown_turn', 'No turn of this client to resume with that Last-Event-ID.'));
    }
    const trace = plan.kind === 'trace' ? ctx.runtime.store?.getTurn(last.turnId) : undefined;
    // Ended, its events gone and no trace to tell them: nothing more will ever come.
    if (plan.kind === 'trace' && !trace && !plan.turn?.heldBytes) return reply.code(204).send();
    const stream = openHttpStream(reply, { headers: SSE_HEADERS, heartbeat, lingerMs: ctx.config.STREAM_BATCH_MS });
    stream.write(retry, false);
    if (trace) {
      for (const e of traceEvents(trace, last.seq)) stream.write(sseWireEvent(e), false);
      return stream.end();
    }
    // Without a trace, what is still held (the jump in seq shows what was lost): a running turn, or an
    // ended one that still holds some events (the check above).
    plan.turn!.attach(stream, last.seq);
  };

  const sse = (turn: (r: FastifyRequest) => TurnRequest) => async (request: FastifyRequest, reply: FastifyReply) => {
    const last = lastEventIdOf(request);
    if (last) return resume(request, reply, last);
    await streamTurn(ctx, request, reply, turn(request), {
      transport: 'sse',
      headers: SSE_HEADERS,
      heartbeat,
      head: retry,
      encode: (e) => sseTurnEvent(e),
      resumable: sseTurns,
    });
  };
  app.post('/api/v1/chat/stream', sse(fromBody));
  app.get('/api/v1/chat/stream', sse(fromQuery));

  app.post('/api/v1/chat/text', async (request, reply) => {
    await streamTurn(ctx, request, reply, fromBody(request), {
      transport: 'text',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-accel-buffering': 'no', 'cache-control': 'no-cache' },
      encode: (e) => (e.type === 'chunk' && e.text ? e.text : null),
    });
  });

  app.post('/api/v1/chat/events', async (request, reply) => {
    await streamTurn(ctx, request, reply, fromBody(request), {
      transport: 'ndjson',
      headers: { 'content-type': NDJSON_TYPE, 'x-accel-buffering': 'no', 'cache-control': 'no-cache' },
      encode: (e) => ndjsonLine(e),
    });
  });

  const oneShot = (turn: (r: FastifyRequest) => TurnRequest) => async (request: FastifyRequest, reply: FastifyReply) => {
    const clientId = clientIdOf(request);
    const t = turn(request);
    await checkVoice(ctx.runtime, t);
    ctx.hub.admit(clientId);
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    const running = ctx.hub.start(t, {
      outlet: { send() {}, buffered: () => 0 },
      clientId,
      transport: 'json',
      log: request.log,
      signal: gone.signal,
    });
    const { end, route, start, error } = await running.done;
    return reply.send({
      response: end.text,
      intent: route?.intent ?? null,
      agent: route?.agent ?? null,
      conversation_id: start?.conversation_id ?? null,
      turn_id: end.turn_id,
      status: end.status,
      ...(error ? { error: { code: error.code, message: error.message } } : {}),
      metrics: end.metrics,
    });
  };
  app.post('/api/v1/chat', oneShot(fromBody));
  app.get('/api/v1/chat', oneShot(fromQuery));

  // WAV of unknown length: the header goes out with the first audio (it needs the sample rate).
  app.post('/api/v1/chat/audio', async (request, reply) => {
    const turn = { ...fromBody(request), speak: true };
    let rate = 0;
    const { result, stream } = await streamTurn(ctx, request, reply, turn, {
      transport: 'audio',
      lazy: true,
      headers: { 'content-type': 'audio/wav', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
      encode: (e) => {
        if (e.type !== 'audio') return null;
        if (!rate) {
          rate = e.sample_rate;
          return [wavHeader({ sampleRate: rate, channels: 1, bitsPerSample: 16 }), e.pcm];
        }
        // One stream, one format: a segment at another rate would play as noise, so it is skipped.
        return e.sample_rate === rate ? e.pcm : null;
      },
    });
    if (stream.opened) return;
    if (reply.raw.destroyed) return reply.hijack(); // the client left before any audio: nothing to answer
    const err = result.error;
    throw err
      ? new HttpError(502, err.code, err.message)
      : new HttpError(502, 'no_audio', 'The turn produced no audio.');
  });
}

const LAST_EVENT_ID = /^([\w-]{1,100}):(\d{1,9})$/;

/**
 * `Last-Event-ID` as `EventSource` sends it, or `?lastEventId=` for clients that cannot set headers.
 * Absent or empty: a new turn. Not of the form `<turn_id>:<seq>`: a 400.
 */
function lastEventIdOf(request: FastifyRequest): { turnId: string; seq: number } | undefined {
  const header = request.headers['last-event-id'];
  const query = (request.query as Record<string, unknown> | undefined)?.lastEventId;
  const raw = typeof header === 'string' && header.trim() ? header.trim() : typeof query === 'string' && query ? query : undefined;
  if (raw === undefined) return undefined;
  const m = LAST_EVENT_ID.exec(raw);
  if (!m) throw new HttpError(400, 'invalid_last_event_id', 'Last-Event-ID must be <turn_id>:<seq> as sent in an event id.');
  return { turnId: m[1]!, seq: Number(m[2]) };
}
