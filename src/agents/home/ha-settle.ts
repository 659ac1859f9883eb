/**
 * "Unchanged" or "not reported yet"? Home Assistant reports, for a service call, the states that
 * changed *in that call's context* while it ran. An empty report means one of two things: the
 * device already was in that state, or its integration reports the change a little later (a
 * cloud or polled device, a Z-Wave lock, a cover still moving), in a context of its own.
 *
 * The backend tells them apart this way: when the report names none of the targets, it waits —
 * at most `settleMs` (1 s by default), cancellably — for a `state_changed` of a target, and
 * includes it. It skips the wait when the cached state already is the one a plain on/off, lock or
 * open/close call leads to (`expectedState` below): that call changes nothing, and Home Assistant
 * says so at once.
 *
 * So for `callService`'s caller, an empty result means: nothing about the targets changed within
 * the call and the settle time. Compared with the state it read before the call:
 *  - already the requested state → "unchanged" (it was already so);
 *  - otherwise → "no change reported": the device may still change, or may have ignored the call;
 *    say so, never claim it is done.
 * A non-empty result holds the targets' new states (plus anything else the call changed, e.g. the
 * lights of a scene).
 */
import type { ServiceData } from './types.js';

const ON_OFF_DOMAINS = new Set(['light', 'switch', 'fan', 'input_boolean']);

/** The state a call without options leads to, when that is certain; undefined when it is not. */
export function expectedState(domain: string, service: string, data: ServiceData): string | undefined {
  if (Object.keys(data).some((k) => k !== 'entity_id')) return undefined;
  if (ON_OFF_DOMAINS.has(domain)) return service === 'turn_on' ? 'on' : service === 'turn_off' ? 'off' : undefined;
  if (domain === 'media_player' || domain === 'climate') return service === 'turn_off' ? 'off' : undefined;
  if (domain === 'lock') return service === 'lock' ? 'locked' : service === 'unlock' ? 'unlocked' : undefined;
  if (domain === 'cover') return service === 'open_cover' ? 'open' : service === 'close_cover' ? 'closed' : undefined;
  return undefined;
}
