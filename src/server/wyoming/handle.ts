/**
 * The `handle` program (docs/protocol.md, "Wyoming server"): `transcript` runs a turn through the
 * hub like every transport, and its events become `handled-start`, `handled-chunk`… and — always,
 * whatever failed — `handled` then `handled-stop`. A transcript that cannot become a turn (bad
 * text, the server draining, too many turns) gets `not-handled` with the reason.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EventOf, TurnEvent } from '../../turn/index.js';
import { HttpError } from '../errors.js';
import { checkText } from '../schemas.js';
import { TurnAbort, type Outlet, type RunningTurn, type TurnHub } from '../turns.js';
import type { Peer } from './peer.js';

export interface HandleOptions {
  hub: TurnHub;
  maxInputChars: number;
}

/** What Home Assistant puts in `transcript.context` (and reads back from `handled.context`). */
type Context = { conversation_id: string; device_id?: string; satellite_id?: string };

const CONTEXT_ID = /^[\w.:@-]{1,128}$/;

/**
 * The client's conversation id names a Barnabee conversation private to that client address: the
 * same id from the same client continues it (history, a pending "unlock?" question); nobody else
 * can reach it by guessing the id.
 */
export const conversationFor = (address: string, clientConversationId: string): string =>
  'wyoming-' + createHash('sha256').update(`${address}\n${clientConversationId}`).digest('base64url').slice(0, 22);

function contextOf(data: Record<string, unknown>): Context {
  const given = data.context && typeof data.context === 'object' && !Array.isArray(data.context) ? (data.context as Record<string, unknown>) : {};
  const pick = (key: string) => {
    const v = given[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !CONTEXT_ID.test(v)) throw new HttpError(400, 'invalid_request', `context.${key}: expected up to 128 letters, digits or . _ : @ -`);
    return v;
  };
  const context: Context = { conversation_id: pick('conversation_id') ?? randomUUID() };
  const device = pick('device_id');
  const satellite = pick('satellite_id');
  if (device) context.device_id = device;
  if (satellite) context.satellite_id = satellite;
  return context;
}

/** The answer `handled` carries: the turn's text, or an apology when a failed turn has none. */
function answerOf(end: EventOf<'turn.end'>): string {
  if (end.text || end.status !== 'failed') return end.text;
  return "Sorry, I couldn't answer that just now.";
}

export function handleProgram(peer: Peer, o: HandleOptions) {
  let current: RunningTurn | undefined;
  let queue: Promise<void> = Promise.resolve();

  const run = async (data: Record<string, unknown>): Promise<void> => {
    let context: Context | undefined;
    let text: string;
    try {
      context = contextOf(data);
      if (typeof data.text !== 'string') throw new HttpError(400, 'invalid_request', 'text: expected a string.');
      text = checkText(data.text, o.maxInputChars);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return void peer.send('not-handled', { text: err.message, ...(context ? { context } : {}) });
    }
    if (peer.gone.aborted) return;

    let started = false;
    let ended = false;
    const outlet: Outlet = {
      send(event: TurnEvent, urgent: boolean) {
        switch (event.type) {
          case 'turn.start':
            started = true;
            return peer.send('handled-start', { context }, undefined, urgent);
          case 'chunk':
            if (event.text) peer.send('handled-chunk', { text: event.text }, undefined, urgent);
            return;
          case 'turn.end':
            if (!started) peer.send('handled-start', { context });
            ended = true;
            // Mandatory: a client waits for `handled` (Home Assistant's pipeline for minutes).
            peer.send('handled', { text: answerOf(event), context });
            return peer.send('handled-stop');
        }
      },
      buffered: () => peer.buffered(),
    };
    let running: RunningTurn;
    try {
      running = o.hub.start(
        { text, conversation_id: conversationFor(peer.address, context.conversation_id), speak: false, confirm_scope: `wyoming:${peer.address}` },
        { outlet, clientId: peer.address, transport: 'wyoming', log: peer.log, signal: peer.gone },
      );
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return void peer.send('not-handled', { text: err.message, context });
    }
    current = running;
    await running.done;
    if (current === running) current = undefined;
    // The hub delivers turn.end unless the client left; if it somehow did not, still close the answer.
    if (!ended && !peer.gone.aborted) {
      peer.send('handled', { text: '', context });
      peer.send('handled-stop');
    }
  };

  return {
    /** A new transcript while one runs replaces it (barge-in); answers leave in order. */
    transcript(data: Record<string, unknown>): Promise<void> {
      current?.controller.abort(new TurnAbort('barge_in', 'A new transcript replaced this one.'));
      const next = queue.then(() => run(data));
      queue = next.catch(() => {});
      return next;
    },
  };
}
