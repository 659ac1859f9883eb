/**
 * Turn-event protocol v1 (see shared/DESIGN.md). A turn is an ordered stream of these events;
 * producers append, everything else only consumes.
 *
 * The JSON shapes live in `protocol.ts` (shared with the browser); this file adds the in-process
 * forms. Agents and transforms produce `TurnPart`s (the event without its envelope); the turn runner
 * stamps each with `turn_id`, `seq` and `t_ms` so numbering is owned by exactly one place.
 */

import type { AudioHeader, Envelope, WireEvent } from './protocol.js';
import type {
  TurnStartPart,
  RoutePart,
  ChunkPart,
  ActionPart,
  ToolCallPart,
  ToolResultPart,
  SpeechStartPart,
  SpeechEndPart,
  ReasoningPart,
  UsagePart,
  ErrorPart,
  TurnEndPart,
} from './protocol.js';

export type * from './protocol.js';

/**
 * In process the PCM travels as bytes (`pcm`); `toWire` turns it into base64 `data` for JSON
 * transports, and the WebSocket encoder sends it as a binary frame instead.
 */
export type AudioPart = AudioHeader & { pcm: Buffer };

export type TurnPart =
  | TurnStartPart
  | RoutePart
  | ChunkPart
  | ActionPart
  | ToolCallPart
  | ToolResultPart
  | SpeechStartPart
  | AudioPart
  | SpeechEndPart
  | ReasoningPart
  | UsagePart
  | ErrorPart
  | TurnEndPart;

export type TurnEventType = TurnPart['type'];

export type TurnEvent<P extends TurnPart = TurnPart> = P & Envelope;
export type EventOf<T extends TurnEventType> = TurnEvent<Extract<TurnPart, { type: T }>>;

/**
 * A tool the client offers the model, in OpenAI's function-tool format. The client owns it: the
 * model's calls go back to the client, which runs them (docs/protocol.md, "Client tools").
 */
export interface ClientTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** A tool call the model made earlier, as OpenAI's chat messages carry it (`arguments` is JSON text). */
export interface ToolCallRef {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One earlier message a client supplies (OpenAI chat-message shapes, tool calls and results included). */
export type ContextMessage =
  | { role: 'user' | 'system'; content: string }
  | { role: 'assistant'; content: string; tool_calls?: ToolCallRef[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/** What a transport hands to the assistant. */
export interface TurnRequest {
  text: string;
  conversation_id?: string;
  speak?: boolean;
  voice?: string;
  /** Optional context for the persona prompt. */
  speaker?: string;
  room?: string;
  /** Earlier messages supplied by the client (e.g. the OpenAI endpoint); used instead of stored history. */
  context?: ContextMessage[];
  /**
   * Messages after the utterance: the model's calls of the client's tools and the client's results,
   * when the client comes back with what its tools returned. The model continues from them.
   */
  continuation?: ContextMessage[];
  /** The client's own tools (non-empty when given): offered to the model, never run by Barnabee. */
  tools?: ClientTool[];
  /** Who is asking (IP or token id), for limits and logs. */
  client_id?: string;
  /** Transport name, for traces and metrics. */
  transport?: string;
  /**
   * Who may answer this turn's confirmation question ("unlock the front door?" → "yes"): one
   * WebSocket connection, or for request-per-turn transports the client address. A "yes" that
   * arrives with another scope is a new request, never the confirmation (docs/protocol.md, "Who may call").
   */
  confirm_scope?: string;
}

/**
 * An abort reason that explains itself. When a turn is cancelled with one whose `report` is true,
 * the runner emits it as an `error` event before `turn.end`, so the client (if still there), the
 * bus and the store all learn why. Plain aborts (a client gone, a barge-in) end the turn silently.
 */
export class TurnCancel extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly report = false,
    readonly retryable = false,
    /** On a barge-in: how much of the turn's audio the listener played, so the turn keeps only what was heard. */
    readonly playedMs?: number,
  ) {
    super(message);
    this.name = 'TurnCancel';
  }
}

/** The assistant as every transport sees it. */
export interface Assistant {
  run(request: TurnRequest, signal: AbortSignal): AsyncIterable<TurnEvent>;
}

export function toWire(event: TurnEvent, opts: { audioData?: boolean } = {}): WireEvent {
  if (event.type !== 'audio') return event as unknown as WireEvent;
  const { pcm, ...rest } = event;
  return opts.audioData === false ? (rest as WireEvent) : ({ ...rest, data: pcm.toString('base64') } as WireEvent);
}
