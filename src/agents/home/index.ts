/** The home backends: one interface, a simulated home (the default) and Home Assistant. */
import type { Config } from '../../config.js';
import { createHomeAssistantBackend, type HomeLogger } from './home-assistant.js';
import { createSimulatedHome } from './simulated.js';
import type { HomeBackend, KeyValue } from './types.js';

export type { EntityAttributes, HomeBackend, HomeEntity, HomeErrorCode, KeyValue, ServiceData } from './types.js';
export { HomeError, domainOf } from './types.js';
export { createSimulatedHome, type SimulatedHomeOptions } from './simulated.js';
export { DEFAULT_LAYOUT, type SimulatedDevice, type SimulatedLayout, type SimulatedScene } from './simulated-layout.js';
export { createHomeAssistantBackend, type HomeAssistantOptions, type HomeLogger } from './home-assistant.js';
export { MAX_HOME_LISTENERS } from './ha-cache.js';

/** Home Assistant when `HA_URL` and `HA_TOKEN` are set, otherwise the simulated home persisted in `persist`. */
export function homeFromConfig(config: Pick<Config, 'HA_URL' | 'HA_TOKEN'>, persist?: KeyValue, logger?: HomeLogger): HomeBackend {
  if (config.HA_URL && config.HA_TOKEN) return createHomeAssistantBackend({ url: config.HA_URL, token: config.HA_TOKEN, logger });
  return createSimulatedHome({ persist });
}
