/**
 * The contract between the turn runner and whoever answers. Agents live in `src/agents/` and
 * import these types; the runner knows agents only through them (turn/ imports no other part).
 */
import type { ActionPart, AgentKind, ChunkPart, ContextMessage, ErrorPart, ReasoningPart, ToolCallPart, ToolResultPart, TurnPart, TurnRequest, UsagePart } from './events.js';

export interface RouteDecision {
  agent: AgentKind;
  /** e.g. `time.now`, `math.evaluate`, `light.turn_on`, `chat`. */
  intent: string;
  /** 0..1 */
  confidence: number;
}

export interface Router {
  /**
   * Rule-based, synchronous, microseconds: no model on the hot path. `request` is the whole turn
   * request (its client tools change where home commands go).
   */
  classify(text: string, request?: TurnRequest): RouteDecision;
  /**
   * Optional second opinion (a non-streaming model call), off by default. The runner calls it with
   * the rule decision; the router itself decides whether the confidence is low enough to ask.
   */
  refine?(text: string, decision: RouteDecision, signal: AbortSignal, request?: TurnRequest): Promise<RouteDecision>;
}

/** An earlier message: stored history has user and assistant text; a client's context may add tool calls and results. */
export type HistoryMessage = ContextMessage;

export interface AgentContext {
  request: TurnRequest;
  conversationId: string;
  route: RouteDecision;
  /** Earlier turns of this conversation, oldest first (from the store, or the client's context). */
  history: HistoryMessage[];
  signal: AbortSignal;
  now: Date;
  /**
   * Set when answer text may be gathered: text the `urgent` rule lets wait is held up to `ms` and
   * passed on as one `chunk` (docs/protocol.md, "When events leave"). An agent that streams text
   * hands this to its source (the model client's `gather`); one that makes a chunk or two ignores it.
   */
  gather?: TextGathering;
}

/** The shape of the model client's option of the same name: turn/ imports no other part. */
export interface TextGathering {
  ms: number;
  /** Whether this text, the answer's next, must leave at once. Asked once per piece, in order. */
  urgent(text: string): boolean;
}

/**
 * A model-timing frame: an agent that called a model reports its timing so the runner can put
 * `ttft_ms` and `tokens_per_s` in `turn.end` metrics. Internal only: never sent to clients.
 */
export interface ModelTimingPart {
  type: 'model.timing';
  model: string;
  ttft_ms: number | null;
  tokens_per_s: number | null;
  /** The answer stopped at a bound: `max_tokens`, or Barnabee's own `max_answer_chars` (docs/protocol.md). */
  truncated?: 'max_tokens' | 'max_answer_chars';
}

/**
 * Speak the text so far now, without waiting for the end of its sentence: the model paused its text
 * to call a tool ("Sure, turning on the porch light" before the call). Internal only: the speech
 * stage acts on it; never sent to clients.
 */
export interface SpeechFlushPart {
  type: 'speech.flush';
}

/** What an agent may produce. The runner adds everything else (start, route, speech, end). */
export type AgentPart = ChunkPart | ActionPart | ToolCallPart | ToolResultPart | ReasoningPart | UsagePart | ErrorPart | ModelTimingPart | SpeechFlushPart;

export interface Agent {
  readonly kind: AgentKind;
  /**
   * Answer one turn. Instant and action agents yield one `chunk` with `done: true`; the
   * interaction agent streams chunks and ends with a `done: true` chunk. Errors should be yielded
   * as `error` parts with a spoken apology as text; a throw is also caught by the runner.
   */
  run(ctx: AgentContext): AsyncIterable<AgentPart>;
  /**
   * An agent waiting for this conversation's answer (e.g. "yes" to "unlock the front door?")
   * claims the next turn before the router sees it — only a turn from the client that was asked
   * (`request.confirm_scope`). Return null to let the router decide.
   */
  intercept?(request: TurnRequest, conversationId: string): RouteDecision | null;
}

/**
 * A stage that turns text chunks into speech: passes every part through at once and interleaves
 * `speech.start` / `audio` / `speech.end` parts, strictly in segment order.
 */
export type SpeechStage = (
  parts: AsyncIterable<AgentPart>,
  options: { signal: AbortSignal; voice?: string },
) => AsyncIterable<AgentPart | TurnPart>;
