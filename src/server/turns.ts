/**
 * Runs turns for transports: one AbortController per turn, the per-client concurrency limit, the
 * bounded per-connection buffer, and the set of live turns that graceful shutdown waits on.
 * A transport supplies an `Outlet` (how bytes leave, how many are still queued) and gets every
 * event of the turn delivered in order, ending with `turn.end`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { TurnCancel, type Assistant, type EventOf, type TurnEvent, type TurnRequest } from '../turn/index.js';
import { HttpError } from './errors.js';

type AbortCode = 'client_disconnected' | 'client_too_slow' | 'barge_in' | 'server_shutdown';

/**
 * Why a turn was cancelled from outside the assistant; carried as the abort reason. The runner
 * reports the ones a client is still there to hear about (too slow, shutdown) as an `error` event.
 */
export class TurnAbort extends TurnCancel {
  constructor(
    override readonly code: AbortCode,
    message: string,
    playedMs?: number,
  ) {
    super(code, message, code === 'client_too_slow' || code === 'server_shutdown', code === 'server_shutdown', playedMs);
    this.name = 'TurnAbort';
  }
}

export interface Outlet {
  /** `urgent`: a listener is waiting for exactly this event; otherwise it may leave a little later, batched. */
  send(event: TurnEvent, urgent: boolean): void;
  /** Bytes accepted but not yet handed to the kernel. */
  buffered(): number;
  /**
   * After an overflow, once the short `turn.end` is queued: close the connection (HTTP: end the
   * response and then the connection; WebSocket: close 1008). A client that never takes those
   * last bytes is reset by the stall timeout (outlets.ts, `resetWhenStalled`).
   */
  close?(): void;
  /** Holds events for a reconnect (SSE resume): it gets them even after its client went away. */
  readonly holds?: boolean;
}

export interface TurnOptions {
  outlet: Outlet;
  clientId: string;
  transport: string;
  log: FastifyBaseLogger;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface TurnResult {
  end: EventOf<'turn.end'>;
  route?: EventOf<'route'>;
  start?: EventOf<'turn.start'>;
  usage?: EventOf<'usage'>;
  error?: EventOf<'error'>;
  /** Largest number of bytes the outlet held for this turn. */
  bufferPeak: number;
}

export interface RunningTurn {
  readonly controller: AbortController;
  readonly done: Promise<TurnResult>;
  /** Who started it: only they may cancel it by id. */
  readonly clientId: string;
  turnId?: string;
}

export class TurnHub {
  readonly running = new Set<RunningTurn>();
  private readonly perClient = new Map<string, number>();
  private draining = false;

  constructor(
    private readonly assistant: Assistant,
    private readonly limits: { maxTurnsPerClient: number; clientBufferBytes: number },
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  /** Refuse before any byte is sent: shutting down, or this client already has its maximum of turns. */
  admit(clientId: string): void {
    if (this.draining) throw new HttpError(503, 'shutting_down', 'The server is shutting down.');
    if ((this.perClient.get(clientId) ?? 0) >= this.limits.maxTurnsPerClient) {
      throw new HttpError(429, 'too_many_turns', `At most ${this.limits.maxTurnsPerClient} turns may run at once per client.`);
    }
  }

  /** Start a turn (call `admit` first); the returned handle's `done` resolves after `turn.end` was delivered. */
  start(request: TurnRequest, options: TurnOptions): RunningTurn {
    this.admit(options.clientId);
    const controller = new AbortController();
    const onClientGone = () => controller.abort(new TurnAbort('client_disconnected', 'The client went away.'));
    if (options.signal?.aborted) onClientGone();
    else options.signal?.addEventListener('abort', onClientGone, { once: true });

    this.perClient.set(options.clientId, (this.perClient.get(options.clientId) ?? 0) + 1);
    const handle: { controller: AbortController; done: Promise<TurnResult>; clientId: string; turnId?: string } = {
      controller,
      clientId: options.clientId,
      done: undefined as unknown as Promise<TurnResult>,
    };
    handle.done = this.drive(request, options, handle).finally(() => {
      options.signal?.removeEventListener('abort', onClientGone);
      this.running.delete(handle);
      const n = (this.perClient.get(options.clientId) ?? 1) - 1;
      if (n > 0) this.perClient.set(options.clientId, n);
      else this.perClient.delete(options.clientId);
    });
    this.running.add(handle);
    return handle;
  }

  private async drive(request: TurnRequest, o: TurnOptions, handle: { controller: AbortController; turnId?: string }): Promise<TurnResult> {
    const { controller } = handle;
    // A transport with a connection of its own (WebSocket) scopes confirmations to it; for request-per-turn
    // transports the client address is the scope (docs/protocol.md, "Confirmations").
    const req: TurnRequest = { ...request, client_id: o.clientId, transport: o.transport, confirm_scope: request.confirm_scope ?? `http:${o.clientId}` };
    const result: Partial<TurnResult> & { bufferPeak: number } = { bufferPeak: 0 };
    let overflowed = false;
    let last: TurnEvent | undefined;
    const reason = () => (controller.signal.reason instanceof TurnAbort ? controller.signal.reason : undefined);
    // Asked for every event: a flag set once, rather than the signal's getters each time.
    const isGone = () => reason()?.code === 'client_disconnected';
    let gone = isGone();
    if (!controller.signal.aborted) controller.signal.addEventListener('abort', () => (gone = isGone()), { once: true });
    const clientGone = () => gone;

    // What a listener waits for leaves at once: text (what may wait was already gathered, for up to
    // STREAM_BATCH_MS, where the model's text is read: RunTurnDeps.gatherMs), the first audio, an
    // error, the end. Everything else may wait up to STREAM_BATCH_MS (the end of this event-loop
    // iteration when it is 0) and leaves with the next write — `turn.start` and `route` then leave
    // after the model request instead of ahead of it.
    let sentAudio = false;
    const urgent = (event: TurnEvent): boolean => {
      switch (event.type) {
        case 'chunk':
        case 'error':
        case 'turn.end':
          return true;
        case 'audio':
          if (sentAudio) return false;
          return (sentAudio = true);
        default:
          return false;
      }
    };

    const deliver = (event: TurnEvent) => {
      if (clientGone() && !o.outlet.holds) return;
      // Past the bound only the closing events still go out, and `turn.end` without its texts
      // (the client could not take the answer; the history has it): the buffer stays bounded.
      if (overflowed && event.type !== 'error' && event.type !== 'turn.end') return;
      if (overflowed && event.type === 'turn.end') event = { ...event, text: '', spoken_text: '' };
      o.outlet.send(event, urgent(event));
      const held = o.outlet.buffered();
      if (held > result.bufferPeak) result.bufferPeak = held;
      if (!overflowed && held > this.limits.clientBufferBytes) {
        overflowed = true;
        controller.abort(
          new TurnAbort('client_too_slow', `The client read too slowly: more than ${this.limits.clientBufferBytes} bytes were waiting, so the turn was cancelled.`),
        );
      }
    };

    const finish = (end: EventOf<'turn.end'>) => {
      result.end = end;
      deliver(end);
      if (overflowed && !clientGone()) o.outlet.close?.();
    };

    try {
      for await (const event of this.assistant.run(req, controller.signal)) {
        last = event;
        switch (event.type) {
          case 'turn.start':
            handle.turnId = event.turn_id;
            result.start = event;
            break;
          case 'route':
            result.route = event;
            break;
          case 'usage':
            result.usage = event;
            break;
          case 'error':
            result.error ??= event;
            break;
          case 'turn.end':
            finish(event);
            continue;
        }
        deliver(event);
      }
    } catch (err) {
      o.log.error({ err }, 'assistant failed outside a turn event');
    }
    if (!result.end) {
      // The runner promises turn.end; if it broke that promise the client still gets one.
      const turn_id = last?.turn_id ?? handle.turnId ?? randomUUID();
      let seq = last ? last.seq + 1 : 0;
      const t_ms = last?.t_ms ?? 0;
      const err = { type: 'error', code: 'internal', message: 'The turn ended unexpectedly.', retryable: true, turn_id, seq: seq++, t_ms } as const;
      deliver(err);
      result.error ??= err;
      finish({
        type: 'turn.end',
        status: 'failed',
        text: '',
        spoken_text: '',
        expects_reply: false,
        metrics: { route_ms: 0, first_chunk_ms: null, first_audio_ms: null, total_ms: t_ms },
        turn_id,
        seq,
        t_ms,
      });
    }
    const end = result.end!;
    o.log.info(
      {
        turn_id: end.turn_id,
        transport: o.transport,
        agent: result.route?.agent ?? null,
        intent: result.route?.intent ?? null,
        status: end.status,
        error: result.error?.code ?? null,
        cancel_reason: reason()?.code ?? null,
        metrics: end.metrics,
        buffer_peak_bytes: result.bufferPeak,
      },
      'turn',
    );
    return result as TurnResult;
  }

  /**
   * Barge-in by id, for request-per-turn clients (`POST /api/v1/turns/{id}/cancel`): cancels the
   * running turn if this client started it. False when no such turn of theirs is running.
   */
  cancel(turnId: string, clientId: string, playedMs?: number): boolean {
    for (const t of this.running) {
      if (t.turnId !== turnId || t.clientId !== clientId) continue;
      t.controller.abort(new TurnAbort('barge_in', 'Cancelled by the client.', playedMs));
      return true;
    }
    return false;
  }

  /** Stop admitting turns (graceful shutdown, step one). */
  drain(): void {
    this.draining = true;
  }

  cancelAll(abort: TurnAbort): void {
    for (const t of this.running) t.controller.abort(abort);
  }

  /** Resolves when no turn runs (or at once). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running].map((t) => t.done));
  }
}
