/** Server-sent events framing (WHATWG HTML §9.2): one event per turn event (docs/protocol.md "Transports"). */
import { toWire, type TurnEvent } from '../../turn/index.js';

/**
 * The SSE event name of a turn event: its type, except `error`, which is sent as `turn.error` — an
 * `EventSource` fires its own data-less `error` event on every connection failure, and a listener
 * could not tell the two apart. The JSON in `data:` keeps `"type":"error"`.
 */
export const sseEventName = (type: TurnEvent['type']): string => (type === 'error' ? 'turn.error' : type);

/** `event:` = name, `id:` = `turn_id:seq`, `data:` = the JSON (single line: JSON.stringify never emits newlines). */
export function sseTurnEvent(event: TurnEvent, options: { audioData?: boolean } = {}): string {
  return sseWireEvent(toWire(event, options) as unknown as { type: TurnEvent['type']; turn_id: string; seq: number });
}

/**
 * The same framing for an event already in wire form (e.g. rebuilt from a stored trace). Joined,
 * not a template literal: V8 keeps a template's result as a rope of its pieces, and an SSE turn's
 * events are held for resumes (SSE_RESUME_MS), where one flat string is one object to keep.
 */
export function sseWireEvent(wire: { type: TurnEvent['type']; turn_id: string; seq: number }): string {
  return ['event: ', sseEventName(wire.type), '\nid: ', wire.turn_id, ':', wire.seq, '\ndata: ', JSON.stringify(wire), '\n\n'].join('');
}

/** A data-only event (OpenAI-style streams, the dashboard feed). */
export const sseData = (data: string, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;

/** How long an `EventSource` waits before reconnecting; a field-only block dispatches no event. */
export const sseRetry = (ms: number): string => `retry: ${ms}\n\n`;

/** A comment line: ignored by parsers, keeps proxies and idle timers from closing the stream. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;
