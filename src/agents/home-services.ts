/**
 * Which service turns a device of each domain "on" or "off", as Home Assistant's own `HassTurnOn`
 * and `HassTurnOff` intents map them: a cover opens and closes, a lock locks ("on") and unlocks
 * ("off"), a scene or script only runs. One table, used by the action agent's rules and by the
 * model's tools, so "turn off the front door" means the same on every path (and still asks first:
 * home-policy.ts).
 */
const ON_OFF: Readonly<Record<string, readonly [on: string | null, off: string | null]>> = {
  light: ['turn_on', 'turn_off'],
  switch: ['turn_on', 'turn_off'],
  fan: ['turn_on', 'turn_off'],
  media_player: ['turn_on', 'turn_off'],
  climate: ['turn_on', 'turn_off'],
  input_boolean: ['turn_on', 'turn_off'],
  cover: ['open_cover', 'close_cover'],
  lock: ['lock', 'unlock'],
  valve: ['open_valve', 'close_valve'],
  scene: ['turn_on', null],
  script: ['turn_on', 'turn_off'],
};

/** `<domain>.<service>` that turns an entity of `domain` on or off, or undefined when it has none. */
export function powerService(domain: string, on: boolean): string | undefined {
  const pair = ON_OFF[domain];
  const service = pair?.[on ? 0 : 1];
  return service ? `${domain}.${service}` : undefined;
}

/** Domains that `powerService` knows. */
export const POWER_DOMAINS: readonly string[] = Object.keys(ON_OFF);
