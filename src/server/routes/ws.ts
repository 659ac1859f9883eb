/**
 * The WebSocket transport: turn.create / turn.cancel / ping in, turn events out (audio as a JSON
 * frame plus one binary PCM frame). One turn at a time per socket; a new turn.create is a barge-in.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { offeredProtocols, WS_SUBPROTOCOL } from '../auth.js';
import { clientIdOf, type ServerContext } from '../context.js';
import { HttpError, errorBody } from '../errors.js';
import { resetWhenStalled, wsOutlet } from '../outlets.js';
import type { TurnRequest } from '../../turn/index.js';
import { WS_MESSAGE_TYPES, toTurnRequest, wsMessage } from '../schemas.js';
import { TurnAbort, type RunningTurn } from '../turns.js';
import { checkVoice } from '../voices.js';

/** A protocol error outside any turn's numbering: `turn_id` names the running turn, if any. */
const protocolError = (code: string, message: string, turnId?: string) =>
  JSON.stringify({ type: 'error', turn_id: turnId ?? null, code, message, retryable: false });

/**
 * A client that offers subprotocols must offer `barnabee.v1` among them (README "WebSocket auth"):
 * the server echoes only that one, never the token, and a client (browser or `ws`) that offered
 * protocols fails a handshake that echoes none. Refused with a 400 that says so, before the upgrade.
 */
export async function requireSubprotocol(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const offered = offeredProtocols(request.headers['sec-websocket-protocol']);
  if (offered.length === 0 || offered.includes(WS_SUBPROTOCOL)) return;
  await reply
    .code(400)
    .send(errorBody('subprotocol_required', `Offer the subprotocol ${WS_SUBPROTOCOL} together with the token (Sec-WebSocket-Protocol: ${WS_SUBPROTOCOL}, <token>).`));
}

export function wsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const checkRate = app.createRateLimit();

  app.get('/api/v1/ws', { websocket: true, preValidation: requireSubprotocol }, (socket: WebSocket, request: FastifyRequest) => {
    const clientId = clientIdOf(request);
    const confirmScope = `ws:${randomUUID()}`; // a "yes" counts only on the socket that was asked
    let current: RunningTurn | undefined;
    let queue: Promise<void> = Promise.resolve();
    let alive = true;

    resetWhenStalled(request.raw.socket, ctx.config.CLIENT_IDLE_TIMEOUT_MS);
    const heartbeat = setInterval(() => {
      if (!alive) return void socket.terminate(); // no pong since the last ping: a dead peer
      alive = false;
      socket.ping();
    }, ctx.config.SSE_HEARTBEAT_MS);
    socket.on('pong', () => {
      alive = true;
    });
    socket.on('close', () => {
      clearInterval(heartbeat);
      current?.controller.abort(new TurnAbort('client_disconnected', 'The client went away.'));
    });

    const fail = (code: string, message: string) => {
      if (socket.readyState === socket.OPEN) socket.send(protocolError(code, message, current?.turnId));
    };
    // A client that sends junk hears why every time, but the log gets one line per connection.
    let warned = false;
    const malformed = (code: string, message: string) => {
      if (!warned) request.log.warn({ code }, 'malformed WebSocket message (later ones on this connection are not logged)');
      warned = true;
      fail(code, message);
    };

    const create = async (turn: TurnRequest) => {
      const limit = await checkRate(request);
      if (!limit.isAllowed && limit.isExceeded) throw new HttpError(429, 'rate_limited', 'Too many turns; slow down.');
      await checkVoice(ctx.runtime, turn); // bad input changes nothing: the running turn goes on
      if (current) {
        current.controller.abort(new TurnAbort('barge_in', 'A new turn replaced this one.'));
        await current.done; // its turn.end goes out before the next turn.start
      }
      if (socket.readyState !== socket.OPEN) return;
      const running = ctx.hub.start({ ...turn, confirm_scope: confirmScope }, { outlet: wsOutlet(socket, request.raw.socket, ctx.config.STREAM_BATCH_MS), clientId, transport: 'ws', log: request.log });
      current = running;
      void running.done.then(() => {
        if (current === running) current = undefined;
      });
    };

    const handle = (data: RawData, isBinary: boolean): void => {
      if (isBinary) return malformed('unsupported_frame', 'Send JSON text frames; binary frames are not accepted.');
      // Checked here rather than by ws (see app.ts), so the client hears why before the close
      // RFC 6455 requires for a text frame that is not UTF-8.
      if (!isUtf8(data as Buffer)) {
        malformed('invalid_utf8', 'The message is not valid UTF-8.');
        return socket.close(1007, 'invalid UTF-8');
      }
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        return malformed('invalid_json', 'The message is not valid JSON.');
      }
      const type = (raw as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !(WS_MESSAGE_TYPES as readonly string[]).includes(type)) {
        return malformed('unknown_type', `Unknown message type ${JSON.stringify(type ?? null)}; expected one of ${WS_MESSAGE_TYPES.join(', ')}.`);
      }
      const parsed = wsMessage.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return malformed('invalid_request', issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'Invalid message.');
      }
      const msg = parsed.data;
      if (msg.type === 'ping') return void socket.send(JSON.stringify({ type: 'pong' }));
      if (msg.type === 'turn.cancel') {
        if (current && (!msg.turn_id || msg.turn_id === current.turnId)) {
          current.controller.abort(new TurnAbort('barge_in', 'Cancelled by the client.', msg.played_ms));
        }
        return;
      }
      let turn: TurnRequest;
      try {
        turn = toTurnRequest(msg, ctx.config.MAX_INPUT_CHARS);
      } catch (err) {
        if (err instanceof HttpError) return fail(err.code, err.message);
        throw err;
      }
      // Creates run one after another (each waits for the barged-in turn to end); cancel and ping never wait.
      queue = queue.then(() =>
        create(turn).catch((err: unknown) => {
          if (err instanceof HttpError) return fail(err.code, err.message);
          request.log.error({ err }, 'websocket turn failed to start');
          fail('internal', 'The turn could not be started.');
        }),
      );
    };

    socket.on('message', handle);
  });
}
