/**
 * Turn-event protocol v1 (see shared/DESIGN.md). A turn is an ordered stream of these events;
 * producers append, everything else only consumes.
 *
 * Agents and transforms produce `TurnPart`s (the event without its envelope); the turn runner
 * stamps each with `turn_id`, `seq` and `t_ms` so numbering is owned by exactly one place.
 */

export type AgentKind = 'instant' | 'action' | 'interaction';
export type TurnStatus = 'completed' | 'cancelled' | 'failed';

export interface TurnMetrics {
  route_ms: number;
  first_chunk_ms: number | null;
  first_audio_ms: number | null;
  total_ms: number;
  /** Model answers only: upstream request sent → first content token. */
  ttft_ms?: number | null;
  tokens_per_s?: number | null;
  [extra: string]: number | string | null | undefined;
}

export type TurnStartPart = { type: 'turn.start'; conversation_id: string; input: string; speak: boolean };
export type RoutePart = { type: 'route'; agent: AgentKind; intent: string; confidence: number; route_ms: number };
export type ChunkPart = { type: 'chunk'; text: string; done: boolean };
export type ActionPart = { type: 'action'; service: string; target: string; ok: boolean; detail: string };
export type SpeechStartPart = { type: 'speech.start'; segment: number; text: string };
/**
 * In process the PCM travels as bytes (`pcm`); `toWire` turns it into base64 `data` for JSON
 * transports, and the WebSocket encoder sends it as a binary frame instead.
 */
export type AudioPart = {
  type: 'audio';
  segment: number;
  sample_rate: number;
  encoding: 'pcm_s16le';
  channels: 1;
  pcm: Buffer;
};
export type SpeechEndPart = { type: 'speech.end'; segment: number; duration_ms: number };
export type UsagePart = {
  type: 'usage';
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
};
export type ErrorPart = { type: 'error'; code: string; message: string; retryable: boolean };
export type TurnEndPart = {
  type: 'turn.end';
  status: TurnStatus;
  text: string;
  spoken_text: string;
  metrics: TurnMetrics;
};

export type TurnPart =
  | TurnStartPart
  | RoutePart
  | ChunkPart
  | ActionPart
  | SpeechStartPart
  | AudioPart
  | SpeechEndPart
  | UsagePart
  | ErrorPart
  | TurnEndPart;

export type TurnEventType = TurnPart['type'];

export interface Envelope {
  turn_id: string;
  seq: number;
  /** Milliseconds since the turn started, monotonic clock. */
  t_ms: number;
}

export type TurnEvent<P extends TurnPart = TurnPart> = P & Envelope;
export type EventOf<T extends TurnEventType> = TurnEvent<Extract<TurnPart, { type: T }>>;

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
  context?: { role: 'user' | 'assistant' | 'system'; content: string }[];
  /** Who is asking (IP or token id), for limits and logs. */
  client_id?: string;
  /** Transport name, for traces and metrics. */
  transport?: string;
}

/** The assistant as every transport sees it. */
export interface Assistant {
  run(request: TurnRequest, signal: AbortSignal): AsyncIterable<TurnEvent>;
}

/** JSON form of an event as sent on the wire: audio bytes become base64 `data`. */
export type WireEvent = Record<string, unknown> & Envelope & { type: TurnEventType };

export function toWire(event: TurnEvent, opts: { audioData?: boolean } = {}): WireEvent {
  if (event.type !== 'audio') return event as unknown as WireEvent;
  const { pcm, ...rest } = event;
  return opts.audioData === false ? (rest as WireEvent) : ({ ...rest, data: pcm.toString('base64') } as WireEvent);
}
