/**
 * The turn-event protocol as the page receives it (DESIGN.md, protocol v1). Mirrors
 * `src/turn/events.ts` in its JSON form: the page is browser code and cannot import Node types,
 * and on the wire audio events carry no `data` (the PCM follows as a binary frame, or not at all
 * on the dashboard feed).
 */

export type AgentKind = 'instant' | 'action' | 'interaction';
export type TurnStatus = 'completed' | 'cancelled' | 'failed';

export interface TurnMetrics {
  route_ms: number;
  first_chunk_ms: number | null;
  first_audio_ms: number | null;
  total_ms: number;
  ttft_ms?: number | null;
  tokens_per_s?: number | null;
  [extra: string]: number | string | null | undefined;
}

interface Envelope {
  turn_id: string;
  seq: number;
  t_ms: number;
}

export type TurnEvent = Envelope &
  (
    | { type: 'turn.start'; conversation_id: string; input: string; speak: boolean }
    | { type: 'route'; agent: AgentKind; intent: string; confidence: number; route_ms: number }
    | { type: 'chunk'; text: string; done: boolean }
    | { type: 'action'; service: string; target: string; ok: boolean; detail: string }
    | { type: 'speech.start'; segment: number; text: string }
    | { type: 'audio'; segment: number; sample_rate: number; encoding: 'pcm_s16le'; channels: 1 }
    | { type: 'speech.end'; segment: number; duration_ms: number }
    | { type: 'usage'; model: string; prompt_tokens: number; completion_tokens: number; cost_usd: number | null }
    | { type: 'error'; code: string; message: string; retryable: boolean }
    | { type: 'turn.end'; status: TurnStatus; text: string; spoken_text: string; metrics: TurnMetrics }
  );

export type TurnEventType = TurnEvent['type'];
export type EventOf<T extends TurnEventType> = Extract<TurnEvent, { type: T }>;

/** Periodic snapshot on the dashboard feed. */
export interface MetricsSnapshot {
  type: 'metrics';
  active_turns: number;
  turns_total: number;
  errors_total: number;
  tokens_total: number;
  cost_usd_total: number;
  [extra: string]: unknown;
}

export type FeedMessage = TurnEvent | MetricsSnapshot;

const TURN_EVENT_TYPES: ReadonlySet<string> = new Set<TurnEventType>([
  'turn.start',
  'route',
  'chunk',
  'action',
  'speech.start',
  'audio',
  'speech.end',
  'usage',
  'error',
  'turn.end',
]);

/**
 * Parses one JSON text frame. Unknown message types (a newer server) are skipped, not fatal:
 * returns null for anything that is not a turn event or a metrics snapshot.
 */
export function parseFeedMessage(raw: string): FeedMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'metrics') return v as MetricsSnapshot;
  if (typeof v.type !== 'string' || !TURN_EVENT_TYPES.has(v.type)) return null;
  if (typeof v.turn_id !== 'string' || typeof v.seq !== 'number' || typeof v.t_ms !== 'number') return null;
  return v as unknown as TurnEvent;
}

/** History, as the store keeps it (src/turn/trace.ts, src/turn/store.ts). */
export interface EventSummary {
  type: TurnEventType;
  seq: number;
  t_ms: number;
  /** Collapsed runs (`chunk`, `audio`): the last event of the run. */
  last_seq?: number;
  last_t_ms?: number;
  count?: number;
  [field: string]: unknown;
}

export interface TurnTrace {
  turn_id: string;
  conversation_id: string;
  created_at: string;
  input: string;
  agent: AgentKind | null;
  intent: string | null;
  confidence: number | null;
  model: string | null;
  status: TurnStatus;
  text: string;
  spoken_text: string;
  usage: { model: string; prompt_tokens: number; completion_tokens: number; cost_usd: number | null } | null;
  metrics: TurnMetrics | null;
  events: EventSummary[];
  transport: string | null;
}

export interface TurnPage {
  turns: TurnTrace[];
  next_before: string | null;
}

export interface ConversationSummary {
  id: string;
  created_at: string;
  updated_at: string;
  turn_count: number;
  last_input: string | null;
}

export interface Conversation {
  id: string;
  created_at: string;
  messages: { role: 'user' | 'assistant' | 'system'; content: string; turn_id: string; created_at: string }[];
}

export interface Status {
  version: string;
  provider: string;
  demo: boolean;
  model: string;
  tts: { engine: string; voice: string } | null;
  home: string;
  /** Whether the server requires a token. */
  auth: boolean;
}
