/**
 * Turn-event protocol v1 (see shared/DESIGN.md), as JSON on the wire: the one definition shared by
 * the server (through `events.ts`) and the browser dashboard, so it holds no Node types.
 * Also the history records the store keeps and the status the server reports, which the dashboard
 * reads back.
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
/**
 * The model asks the client to run one of the client's own tools (docs/protocol.md, "Client tools").
 * `arguments` is the parsed JSON object the model wrote; the client runs the tool and sends the
 * result back in its next request.
 */
export type ToolCallPart = { type: 'tool_call'; id: string; name: string; arguments: Record<string, unknown> };
/**
 * A tool Barnabee ran itself (the home's tools, docs/protocol.md "Home tools"): the model's call and
 * what the model was told. Never for the client to run; the `action` events of the service calls
 * it made come before it. The history keeps both, so follow-ups see what was done.
 */
export type ToolResultPart = { type: 'tool_result'; id: string; name: string; arguments: Record<string, unknown>; ok: boolean; content: string };
export type SpeechStartPart = {
  type: 'speech.start';
  segment: number;
  /** What is said: the answer's words normalized for speech. */
  text: string;
  /**
   * Where this segment's words end in the answer's text (`turn.end.text`, in UTF-16 code units as
   * JavaScript counts them): once it has been heard, the answer up to here has been heard.
   */
  text_end?: number;
};
/** An audio event's fields besides its bytes: in process they travel as `pcm`, in JSON as base64 `data`. */
export type AudioHeader = {
  type: 'audio';
  segment: number;
  sample_rate: number;
  encoding: 'pcm_s16le';
  channels: 1;
};
export type SpeechEndPart = { type: 'speech.end'; segment: number; duration_ms: number };
/** The model's thinking as it streams: shown, never spoken, never in `text` or the history. */
export type ReasoningPart = { type: 'reasoning'; text: string };
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
  /** The answer asks the listener something (a confirmation, a question): a satellite reopens its microphone. */
  expects_reply: boolean;
  /**
   * With speech: where what the listener heard ends in `text` (UTF-16 code units). The history
   * keeps `text` up to here — the model's own words, not the spoken form.
   */
  spoken_end?: number;
  metrics: TurnMetrics;
};

export interface Envelope {
  turn_id: string;
  seq: number;
  /** Milliseconds since the turn started, monotonic clock. */
  t_ms: number;
}

/**
 * A turn event as JSON: `audio` carries base64 `data` (SSE, NDJSON), or none when its bytes follow
 * as a WebSocket binary frame or are not sent at all (the dashboard feed).
 */
export type WirePart =
  | TurnStartPart
  | RoutePart
  | ChunkPart
  | ActionPart
  | ToolCallPart
  | ToolResultPart
  | SpeechStartPart
  | (AudioHeader & { data?: string })
  | SpeechEndPart
  | ReasoningPart
  | UsagePart
  | ErrorPart
  | TurnEndPart;

export type WireEvent = WirePart & Envelope;

// ── History records: what the store keeps of each turn and conversation ──────────────────────

export interface EventSummary {
  type: WirePart['type'];
  seq: number;
  t_ms: number;
  /** For collapsed runs (`chunk`, `audio`): the last event of the run. */
  last_seq?: number;
  last_t_ms?: number;
  count?: number;
  [field: string]: unknown;
}

export interface TraceUsage {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
}

export interface TurnTrace {
  turn_id: string;
  conversation_id: string;
  /** ISO 8601, when the turn started. */
  created_at: string;
  input: string;
  agent: AgentKind | null;
  intent: string | null;
  confidence: number | null;
  model: string | null;
  status: TurnStatus;
  text: string;
  spoken_text: string;
  usage: TraceUsage | null;
  metrics: TurnMetrics | null;
  events: EventSummary[];
  transport: string | null;
}

export interface ConversationSummary {
  id: string;
  created_at: string;
  updated_at: string;
  turn_count: number;
  last_input: string | null;
}

export interface StoredMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
  turn_id: string;
  created_at: string;
}

export interface Conversation {
  id: string;
  created_at: string;
  messages: StoredMessage[];
}

// ── Status: what answers, as `GET /api/v1/status` reports it ─────────────────────────────────

export interface RuntimeStatus {
  version: string;
  provider: 'openrouter' | 'openai-compatible' | 'demo';
  /** True when answers come from the built-in simulator: say so to the user. */
  demo: boolean;
  model: string;
  tts: { engine: string; voice: string } | null;
  /** `simulated` or `home-assistant`. */
  home: string;
}
