/**
 * Every input a client can send, validated at the boundary. A failure becomes an `HttpError` with a
 * specific code, so the same rules give a 4xx on HTTP and an `error` event on WebSocket.
 */
import { z } from 'zod';
import type { TurnRequest } from '../turn/index.js';
import { HttpError } from './errors.js';

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, 'expected letters, digits, and . _ : -');
const shortText = z.string().max(200);

/** A turn as any transport's body or query states it. Unknown keys are ignored (HA integrations send extras). */
export const turnInput = z.object({
  text: z.string({ message: 'text: expected a string' }),
  conversation_id: id.optional(),
  speak: z.boolean().optional(),
  voice: shortText.optional(),
  speaker: shortText.optional(),
  room: shortText.optional(),
});
export type TurnInput = z.infer<typeof turnInput>;

/** Query strings carry only strings; `speak` is spelled out. */
export const turnQuery = z.object({
  text: z.string({ message: 'text: expected a query parameter' }),
  conversation_id: id.optional(),
  speak: z.enum(['true', 'false', '1', '0']).optional(),
  voice: shortText.optional(),
});

/** Milliseconds of a turn's audio the client actually played before it barged in. */
const playedMs = z.number().finite().min(0).max(86_400_000);

/** `POST /api/v1/turns/{id}/cancel`: the body is optional. */
export const cancelInput = z.object({ played_ms: playedMs.optional() });

export const wsMessage = z.discriminatedUnion('type', [
  turnInput.extend({ type: z.literal('turn.create') }),
  z.object({
    type: z.literal('turn.cancel'),
    turn_id: z.string().max(128).optional(),
    played_ms: playedMs.optional(),
  }),
  z.object({ type: z.literal('ping') }),
]);
export type WsMessage = z.infer<typeof wsMessage>;
export const WS_MESSAGE_TYPES = ['turn.create', 'turn.cancel', 'ping'] as const;

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'The request is invalid.';
  const path = issue.path.join('.');
  return path && !issue.message.startsWith(`${path}:`) ? `${path}: ${issue.message}` : issue.message;
}

/** Parse with a schema or throw a 400 `invalid_request` naming the first problem. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'invalid_request', describe(r.error));
  return r.data;
}

/** The utterance rules every transport shares: not blank, at most `maxChars` characters. */
export function checkText(text: string, maxChars: number): string {
  const trimmed = text.trim();
  if (!trimmed) throw new HttpError(400, 'empty_text', 'text: must not be empty.');
  // Characters, not UTF-16 units: an emoji counts once.
  let n = 0;
  for (const _ of trimmed) if (++n > maxChars) break;
  if (n > maxChars) throw new HttpError(400, 'input_too_long', `text: must be at most ${maxChars} characters.`);
  return trimmed;
}

export function toTurnRequest(input: TurnInput, maxChars: number): TurnRequest {
  const request: TurnRequest = { text: checkText(input.text, maxChars) };
  if (input.conversation_id !== undefined) request.conversation_id = input.conversation_id;
  if (input.speak !== undefined) request.speak = input.speak;
  if (input.voice !== undefined) request.voice = input.voice;
  if (input.speaker !== undefined) request.speaker = input.speaker;
  if (input.room !== undefined) request.room = input.room;
  return request;
}

export function queryToInput(query: unknown): TurnInput {
  const q = parseOr400(turnQuery, query ?? {});
  return {
    text: q.text,
    conversation_id: q.conversation_id,
    speak: q.speak === undefined ? undefined : q.speak === 'true' || q.speak === '1',
    voice: q.voice,
  };
}
