/** Short spoken sentences about devices: names as a person says them, no markup, no lists. */
import type { HomeEntity } from './home/index.js';
import { domainOf } from './home/index.js';

const CLASS_PLURAL: Record<string, [singular: string, plural: string]> = {
  light: ['light', 'lights'],
  switch: ['switch', 'switches'],
  fan: ['fan', 'fans'],
  cover: ['cover', 'covers'],
  media_player: ['media player', 'media players'],
  lock: ['door', 'doors'],
  climate: ['thermostat', 'thermostats'],
  scene: ['scene', 'scenes'],
};

export const classNoun = (domain: string, count: number): string =>
  (CLASS_PLURAL[domain] ?? ['device', 'devices'])[count === 1 ? 0 : 1];

/** A name as said inside a sentence: lower case, but an initialism stays one ("the living room TV"). */
export const nameOf = (e: HomeEntity): string => e.attributes.friendly_name.replace(/\S+/g, (w) => (/^[A-Z]{2,}$/.test(w) ? w : w.toLowerCase()));
export const the = (e: HomeEntity): string => `the ${nameOf(e)}${domainOf(e.entity_id) === 'scene' ? ' scene' : ''}`;

/** "a, b and c". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** How to say a group of entities: "the porch light", "the kitchen lights", "everything in the office", "5 lights". */
export function describe(entities: HomeEntity[], area?: string, everything = false): string {
  if (entities.length === 1) return the(entities[0]);
  const domains = new Set(entities.map((e) => domainOf(e.entity_id)));
  const many = domains.size === 1 ? (classNoun([...domains][0], 2)) : 'devices';
  if (area && everything) return `everything in the ${area}`;
  if (area && domains.size === 1) return `the ${area} ${many}`;
  if (entities.length <= 3) return joinWords(entities.map(the));
  if (area) return `the ${entities.length} ${many} in the ${area}`;
  return `${entities.length} ${many}`;
}

export const percentOf = (e: HomeEntity): number => Math.round(((e.attributes.brightness ?? 0) / 255) * 100);

/** A device's state as a short phrase: "on at 40 percent", "locked", "open at 30 percent", "playing Take Five". */
export function stateWords(e: HomeEntity): string {
  const d = domainOf(e.entity_id);
  const a = e.attributes;
  if (d === 'light' && e.state === 'on' && typeof a.brightness === 'number') return `on at ${percentOf(e)} percent`;
  if (d === 'fan' && e.state === 'on' && typeof a.percentage === 'number' && a.percentage > 0) return `on at ${Math.round(a.percentage)} percent`;
  if (d === 'cover' && e.state === 'open' && typeof a.current_position === 'number' && a.current_position > 0 && a.current_position < 100)
    return `open at ${Math.round(a.current_position)} percent`;
  if (d === 'media_player' && (e.state === 'playing' || e.state === 'paused')) {
    const title = typeof a.media_title === 'string' && a.media_title ? a.media_title : undefined;
    return e.state === 'playing' ? (title ? `playing ${title}` : 'playing') : title ? `paused on ${title}` : 'paused';
  }
  if (d === 'climate') {
    const t = e.attributes.temperature;
    return e.state === 'off' ? 'off' : typeof t === 'number' ? `set to ${fmt(t)} degrees` : e.state;
  }
  if (e.state === 'unavailable' || e.state === 'unknown') return d === 'scene' ? 'ready' : 'unavailable';
  return e.state;
}

export const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function capitalize(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
