/**
 * Words that name a kind of device without naming one ("the lights", "the thermostat"): noun →
 * Home Assistant domain. One table, read by the router (is this about the home?) and by the
 * resolver (which entities does "the lights" mean?), so the two can never disagree.
 */
export const CLASS_WORDS: Readonly<Record<string, string>> = {
  light: 'light', lighting: 'light', bulb: 'light',
  switch: 'switch', plug: 'switch',
  fan: 'fan',
  blind: 'cover', shade: 'cover', curtain: 'cover', shutter: 'cover', gate: 'cover', awning: 'cover',
  tv: 'media_player', television: 'media_player', speaker: 'media_player', music: 'media_player', radio: 'media_player',
  thermostat: 'climate', heating: 'climate', heat: 'climate', heater: 'climate', temperature: 'climate', ac: 'climate',
  lock: 'lock', door: 'lock', deadbolt: 'lock',
  scene: 'scene',
};

/**
 * Class words that mean only some devices of their domain, by Home Assistant `device_class`: "the
 * blinds" are not the garage door, though both are covers. A device with no device class still
 * answers to every word of its domain (many integrations report none).
 */
export const CLASS_DEVICE_CLASSES: Readonly<Record<string, readonly string[]>> = {
  blind: ['blind', 'shade', 'shutter'],
  shade: ['shade', 'blind', 'awning'],
  curtain: ['curtain'],
  shutter: ['shutter', 'blind'],
  gate: ['gate'],
  awning: ['awning'],
  tv: ['tv'],
  television: ['tv'],
  speaker: ['speaker', 'receiver'],
  radio: ['speaker', 'receiver'],
};
