/**
 * The turn-event protocol as the page receives it (DESIGN.md, protocol v1): the JSON forms from
 * `src/turn/protocol.ts`, which holds no Node types so the browser bundle can share it. On the
 * wire audio events carry no `data` here (the PCM follows as a binary frame, or not at all on the
 * dashboard feed).
 */
import type { RuntimeStatus, TurnTrace, WireEvent, WirePart } from '../turn/protocol.js';

export type {
  AgentKind,
  Conversation,
  ConversationSummary,
  EventSummary,
  TurnMetrics,
  TurnStatus,
  TurnTrace,
} from '../turn/protocol.js';

export type TurnEvent = WireEvent;
export type TurnEventType = WirePart['type'];
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
  'tool_call',
  'tool_result',
  'reasoning',
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

export interface TurnPage {
  turns: TurnTrace[];
  next_before: string | null;
}

/** `GET /api/v1/status`: the runtime's status, and whether the server requires a token. */
export type Status = RuntimeStatus & { auth: boolean };
