/**
 * A request naming a voice the speech engine does not have is bad input: a 400 `invalid_voice`
 * (a WebSocket `error` event) before the turn starts, rather than a turn whose speech fails
 * (docs/protocol.md, "Error codes").
 */
import type { TurnRequest } from '../turn/index.js';
import { HttpError } from './errors.js';
import type { ServerRuntime } from './types.js';

/** How many names the error message lists; a Wyoming server may offer hundreds. */
const LISTED = 12;

export async function checkVoice(runtime: ServerRuntime, turn: TurnRequest): Promise<void> {
  if (turn.voice === undefined || !runtime.tts?.voices) return;
  // An engine that cannot answer now leaves the decision to the synthesis (as without a list).
  const known = await runtime.tts.voices().catch(() => null);
  if (!known || known.includes(turn.voice)) return;
  const names = known.slice(0, LISTED).join(', ') + (known.length > LISTED ? ', …' : '');
  throw new HttpError(400, 'invalid_voice', `voice: unknown voice ${JSON.stringify(turn.voice)}; available: ${names}.`);
}
