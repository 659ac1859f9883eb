/**
 * Words that name a kind of device without naming one ("the lights", "the thermostat"): noun →
 * Home Assistant domain. One table, read by the router (is this about the home?) and by the
 * resolver (which entities does "the lights" mean?), so the two can never disagree.
 */
export const CLASS_WORDS: Readonly<Record<string, string>> = {
  light: 'light', lighting: 'light', bulb: 'light',
  switch: 'switch', plug: 'switch',
  thermostat: 'climate', heating: 'climate', heat: 'climate', heater: 'climate', temperature: 'climate', ac: 'climate',
  lock: 'lock', door: 'lock', deadbolt: 'lock',
  scene: 'scene',
};
