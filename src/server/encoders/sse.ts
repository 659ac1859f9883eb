/** Server-sent events framing (WHATWG HTML §9.2): one event per turn event. */
import { toWire, type TurnEvent } from '../../turn/index.js';

/** `event:` = type, `id:` = `turn_id:seq`, `data:` = the JSON (single line: JSON.stringify never emits newlines). */
export function sseTurnEvent(event: TurnEvent, options: { audioData?: boolean } = {}): string {
  return `event: ${event.type}\nid: ${event.turn_id}:${event.seq}\ndata: ${JSON.stringify(toWire(event, options))}\n\n`;
}

/** A data-only event (OpenAI-style streams, the dashboard feed). */
export const sseData = (data: string, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;

/** A comment line: ignored by parsers, keeps proxies and idle timers from closing the stream. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;
