/**
 * The turn runner: routes one request, runs the chosen agent (through speech when asked) and turns
 * everything into the numbered event stream of protocol v1. It is the one place that stamps
 * `turn_id`, `seq` and `t_ms`, and the one place that guarantees `turn.end` comes last.
 */
import { randomUUID } from 'node:crypto';
import type { Agent, AgentContext, AgentPart, HistoryMessage, RouteDecision, Router, SpeechStage } from './agent.js';
import { TurnCancel, type AgentKind, type ErrorPart, type TurnEvent, type TurnPart, type TurnRequest, type TurnStatus } from './events.js';
import { TurnAccumulator } from './accumulator.js';
import { TextUrgency } from './urgency.js';
import { redact } from './redact.js';

export interface RunTurnDeps {
  router: Router;
  agents: Record<AgentKind, Agent>;
  speech?: SpeechStage;
  /**
   * Earlier messages of a conversation, oldest first; not called when the request brings `context`.
   * May be a promise (a store waiting for the conversation's previous turn to reach the disk).
   */
  history(conversationId: string): HistoryMessage[] | Promise<HistoryMessage[]>;
  newId?(): string;
  /** Monotonic milliseconds; `performance.now` by default. */
  clock?(): number;
  /**
   * Sees every stamped event as it is made, before it is yielded — including the `turn.end` of a
   * turn whose consumer stopped early, which can no longer be yielded. Recorders hang here so that
   * every turn reaches the bus and the store whole. A throw here is ignored.
   *
   * For `turn.end` the tap may return a promise (the store's commit): the runner yields `turn.end`
   * only once it settles, so a client that saw a turn end can rely on it being recorded. It must
   * settle; a rejection counts as settled.
   */
  tap?(event: TurnEvent): void | PromiseLike<unknown>;
  /**
   * How long answer text that need not leave at once (`TextUrgency`) may be gathered into one
   * `chunk` (STREAM_BATCH_MS; docs/protocol.md, "When events leave"). It is gathered where the
   * tokens are read (`AgentContext.gather`, the model client's `gather`), so that every stage after
   * — the agent, this runner, the tap's store and bus, each transport — costs a piece, not a token.
   * 0 or absent: every chunk as the model made it.
   */
  gatherMs?: number;
}

const ABORTED: unique symbol = Symbol('aborted');

/**
 * Run one turn. The returned stream always ends with `turn.end` (completed, cancelled or failed).
 * Aborting `signal` stops pulling from the agent at once — even mid network read — and ends the
 * turn `cancelled`; a consumer that stops early (`break`) cleans the agent up the same way.
 */
export async function* runTurn(
  request: TurnRequest,
  signal: AbortSignal,
  deps: RunTurnDeps,
): AsyncGenerator<TurnEvent, void, undefined> {
  const clock = deps.clock ?? (() => performance.now());
  const t0 = clock();
  const turnId = newTurnId(deps);
  const conversationId = request.conversation_id || randomUUID();
  const speak = request.speak === true;
  const acc = new TurnAccumulator(speak && deps.speech !== undefined);
  let seq = 0;
  let ended = false;
  let status: TurnStatus = 'completed';
  let routeMs = 0;
  let iterator: AsyncIterator<AgentPart | TurnPart> | undefined;
  /** What the tap returned for `turn.end`: the store's commit. */
  let recorded: PromiseLike<unknown> | void = undefined;

  const stamp = (part: TurnPart): TurnEvent => {
    const event = { ...part, turn_id: turnId, seq: seq++, t_ms: round(clock() - t0) } as TurnEvent;
    acc.see(event);
    if (event.type === 'turn.end') ended = true;
    try {
      const tapped = deps.tap?.(event);
      if (event.type === 'turn.end') recorded = tapped;
    } catch {
      // An observer's failure must never change the turn.
    }
    return event;
  };
  const end = (): TurnEvent => {
    const why: unknown = signal.reason;
    if (status === 'cancelled' && why instanceof TurnCancel && typeof why.playedMs === 'number') acc.played(why.playedMs);
    return stamp({
      type: 'turn.end',
      status,
      text: acc.text,
      spoken_text: acc.spokenText,
      // A cancelled or failed turn asks nothing, whatever its text had reached.
      expects_reply: status === 'completed' && acc.expectsReply,
      ...spokenEnd(acc.spokenEnd(status === 'completed')),
      metrics: acc.metrics(routeMs, round(clock() - t0)),
    });
  };
  /** `turn.end`, once the tap's recording of the turn has settled: the turn's end is not announced before it is kept. */
  const endRecorded = async (): Promise<TurnEvent> => {
    const event = end();
    if (recorded) await Promise.resolve(recorded).then(noop, noop);
    return event;
  };

  // The agent gets its own signal, aborted by the caller's and by us when the turn is over, so the
  // upstream model request is closed whichever way the turn ends.
  const inner = new AbortController();
  const onOuterAbort = () => inner.abort(signal.reason);
  if (signal.aborted) inner.abort(signal.reason);
  else signal.addEventListener('abort', onOuterAbort, { once: true });
  // Races one pending step (a refine, the agent's next part) with the abort. One listener for the
  // whole turn, re-aimed at each step, so a long answer does not pile up reactions.
  let wake: ((v: typeof ABORTED) => void) | null = null;
  // A plain flag, read on every streamed part, where the `aborted` getter's brand check shows in profiles.
  let aborted = inner.signal.aborted;
  inner.signal.addEventListener(
    'abort',
    () => {
      aborted = true;
      wake?.(ABORTED);
    },
    { once: true },
  );
  const untilAbort = <T>(step: Promise<T>): Promise<T | typeof ABORTED> => {
    if (aborted) {
      // The abort won: the step may still reject later and nobody waits for it.
      step.catch(() => {});
      return Promise.resolve(ABORTED);
    }
    // `then(resolve, reject)` also marks a later rejection as handled.
    return new Promise<T | typeof ABORTED>((resolve, reject) => {
      wake = resolve;
      step.then(resolve, reject);
    });
  };

  try {
    yield stamp({ type: 'turn.start', conversation_id: conversationId, input: typeof request.text === 'string' ? request.text : '', speak });
    // The answer: the route, then the agent's parts. Written here rather than as a generator of its
    // own: every generator a token passes through costs it a promise and a result object.
    answer: {
      const problem = checkRequest(request);
      if (problem) {
        status = 'failed';
        yield stamp({ type: 'error', code: 'bad_request', message: problem, retryable: false });
        break answer;
      }
      if (inner.signal.aborted) {
        status = 'cancelled';
        break answer;
      }

      // An agent waiting on this conversation claims the turn first, then the rules, then the
      // router's optional second opinion.
      const routeStart = clock();
      let decision: RouteDecision;
      try {
        const claimed = intercept(deps.agents, request, conversationId);
        decision = claimed ?? deps.router.classify(request.text, request);
        if (!claimed && deps.router.refine) {
          // A second opinion that fails is no opinion: the rule decision stands.
          const rules = decision;
          const refined = await untilAbort(deps.router.refine(request.text, rules, inner.signal, request).catch(() => rules));
          if (refined === ABORTED) {
            status = 'cancelled';
            break answer;
          }
          decision = refined;
        }
      } catch (err) {
        if (inner.signal.aborted) status = 'cancelled';
        else {
          status = 'failed';
          yield stamp(errorPart('route_failed', err));
        }
        break answer;
      }
      routeMs = round(clock() - routeStart);
      yield stamp({ type: 'route', agent: decision.agent, intent: decision.intent, confidence: decision.confidence, route_ms: routeMs });

      const agent = deps.agents[decision.agent];
      if (!agent) {
        status = 'failed';
        yield stamp({ type: 'error', code: 'no_agent', message: `No agent handles "${decision.agent}".`, retryable: false });
        break answer;
      }

      try {
        let history = request.context ?? deps.history(conversationId);
        if (!Array.isArray(history)) {
          const read = await untilAbort(history);
          if (read === ABORTED) {
            status = 'cancelled';
            break answer;
          }
          history = read;
        }
        const ctx: AgentContext = { request, conversationId, route: decision, history, signal: inner.signal, now: new Date() };
        if (deps.gatherMs) {
          // One rule for the whole answer, across the agent's model requests.
          const urgency = new TextUrgency();
          ctx.gather = { ms: deps.gatherMs, urgent: (text) => urgency.see(text) };
        }
        let parts: AsyncIterable<AgentPart | TurnPart> = agent.run(ctx);
        if (speak && deps.speech) parts = deps.speech(parts as AsyncIterable<AgentPart>, { signal: inner.signal, voice: request.voice });
        iterator = parts[Symbol.asyncIterator]();

        for (;;) {
          if (aborted) {
            status = 'cancelled';
            break answer;
          }
          const step = await untilAbort(iterator.next());
          if (step === ABORTED) {
            status = 'cancelled';
            break answer;
          }
          if (step.done) break answer;
          const part = step.value;
          if (part.type === 'model.timing') {
            acc.timing(part.ttft_ms, part.tokens_per_s, part.truncated);
            continue;
          }
          // For the speech stage only (it acts on it when it runs); nothing a client sees.
          if (part.type === 'speech.flush') continue;
          // Start, route and end belong to the runner; text after `done` is not part of the answer.
          if (part.type === 'turn.start' || part.type === 'route' || part.type === 'turn.end') continue;
          if (part.type === 'chunk' && acc.textDone) continue;
          // Speech that breaks down does not fail an answer whose text still arrives: the listener is
          // told (the `tts_failed` error) and the turn completes with its text (docs/protocol.md).
          if (part.type === 'error' && part.code !== 'tts_failed') status = 'failed';
          yield stamp(part);
        }
      } catch (err) {
        if (inner.signal.aborted) status = 'cancelled';
        else {
          status = 'failed';
          // Close the text first, as an agent reporting its own failure does.
          if (acc.sawChunk && !acc.textDone) yield stamp({ type: 'chunk', text: '', done: true });
          yield stamp(errorPart('agent_failed', err));
        }
      }
    }
    // The simplest clients read only `chunk` events and wait for `done`: always close the text.
    if (acc.sawChunk && !acc.textDone) yield stamp({ type: 'chunk', text: '', done: true });
    const why: unknown = signal.reason;
    if (status === 'cancelled' && why instanceof TurnCancel && why.report) {
      yield stamp({ type: 'error', code: why.code, message: why.message, retryable: why.retryable });
    }
    yield await endRecorded();
  } catch (err) {
    // A fault of the runner itself (everything an agent or the speech stage throws is caught
    // above): the turn still ends, and through the tap, so the store, the bus and the metrics see
    // the error like any other.
    if (ended) throw err;
    status = 'failed';
    if (acc.sawChunk && !acc.textDone) yield stamp({ type: 'chunk', text: '', done: true });
    yield stamp(errorPart('internal', err, 'The turn ended unexpectedly.'));
    yield await endRecorded();
  } finally {
    signal.removeEventListener('abort', onOuterAbort);
    inner.abort(new Error('turn over'));
    // Let the agent's generator run its cleanup (closing the upstream stream). If it is blocked on
    // a read, the abort above unblocks it first. Never waited for: the turn is over.
    const it = iterator;
    if (it?.return) Promise.resolve().then(() => it.return!()).catch(() => {});
    if (!ended) {
      // The consumer stopped early: nothing can be yielded any more, but the tap sees the turn close.
      if (status === 'completed') status = 'cancelled';
      if (acc.sawChunk && !acc.textDone) stamp({ type: 'chunk', text: '', done: true });
      end();
    }
  }
}

function intercept(agents: Record<AgentKind, Agent>, request: TurnRequest, conversationId: string): RouteDecision | null {
  for (const agent of Object.values(agents)) {
    const claimed = agent.intercept?.(request, conversationId);
    if (claimed) return claimed;
  }
  return null;
}

function checkRequest(request: TurnRequest): string | null {
  if (typeof request.text !== 'string') return 'The request has no text.';
  if (request.text.trim() === '') return 'The request text is empty.';
  return null;
}

function errorPart(code: string, err: unknown, message?: string): ErrorPart {
  const e = err as { code?: unknown; message?: unknown; retryable?: unknown } | null;
  if (message) return { type: 'error', code, message, retryable: true };
  return {
    type: 'error',
    code: typeof e?.code === 'string' ? e.code : code,
    message: typeof e?.message === 'string' && e.message ? redact(e.message) : 'Something went wrong.',
    retryable: e?.retryable === true,
  };
}

/** The caller's id for the turn, or a fresh one if its generator fails: a turn never fails to start. */
function newTurnId(deps: RunTurnDeps): string {
  try {
    return deps.newId?.() ?? randomUUID();
  } catch {
    return randomUUID();
  }
}

function noop(): void {}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function spokenEnd(end: number | null): { spoken_end?: number } {
  return end === null ? {} : { spoken_end: end };
}
