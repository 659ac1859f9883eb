/**
 * The safety policy every path to the home obeys (the action agent's rules, its model fallback and
 * the interaction agent's tools): what may happen at once and what waits for a spoken yes from the
 * same client. One place, so no path can be more trusting than another.
 */
import { domainOf, type HomeEntity } from './home/index.js';

/** Covers that let someone in when opened; blinds, shades and curtains do not. */
const ENTRY_COVERS = new Set(['garage', 'gate', 'door']);

/** Whether `service` (`<domain>.<service>`) on `entity` waits for a spoken confirmation: it unlocks or opens a way in. */
export function needsConfirmation(service: string, entity: HomeEntity): boolean {
  const [domain, verb] = service.split('.');
  if (domain === 'lock' || domainOf(entity.entity_id) === 'lock') return verb === 'unlock' || verb === 'open';
  if (domain === 'cover' || domainOf(entity.entity_id) === 'cover') {
    const opens = verb === 'open_cover' || verb === 'toggle' || verb === 'set_cover_position' || verb === 'turn_on';
    return opens && ENTRY_COVERS.has(String(entity.attributes.device_class ?? ''));
  }
  return false;
}
