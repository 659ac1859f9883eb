/**
 * The home as the action agent sees it: entities shaped like Home Assistant states, and services
 * called by domain and name. Both backends (simulated, Home Assistant) speak exactly this.
 */

export interface EntityAttributes {
  friendly_name: string;
  /** The entity's area by name (Home Assistant: from the area, entity and device registries, not the state). */
  area?: string;
  /** Other names of that area (Home Assistant: the area registry's aliases, e.g. "lounge" for "Living Room"). */
  area_aliases?: string[];
  /** Other names the entity answers to (Home Assistant: the entity registry's aliases). */
  aliases?: string[];
  /** Lights: 0..255 while on, null while off (as in Home Assistant). */
  brightness?: number | null;
  /** Climate: measured and target temperatures. */
  current_temperature?: number;
  temperature?: number;
  min_temp?: number;
  max_temp?: number;
  [extra: string]: unknown;
}

export interface HomeEntity {
  /** `<domain>.<object_id>`, e.g. `light.kitchen_ceiling`. */
  entity_id: string;
  /** `on`/`off` (lights, switches), `locked`/`unlocked`, an hvac mode (`heat`, `off`), a timestamp (scenes). */
  state: string;
  attributes: EntityAttributes;
  last_changed?: string;
  last_updated?: string;
}

/** Service data, as Home Assistant takes it: `entity_id` plus service-specific fields. */
export interface ServiceData {
  entity_id: string | string[];
  brightness_pct?: number;
  brightness?: number;
  temperature?: number;
  [extra: string]: unknown;
}

export interface HomeBackend {
  readonly name: 'simulated' | 'home-assistant';
  listEntities(signal?: AbortSignal): Promise<HomeEntity[]>;
  /** Resolves with the states that changed (Home Assistant's response body). */
  callService(domain: string, service: string, data: ServiceData, signal?: AbortSignal): Promise<HomeEntity[]>;
  /**
   * Calls `listener` after the home changed (states, names, aliases or areas), whoever changed it.
   * Returns the unsubscribe. A backend that cannot tell has no `subscribe`; its users re-read.
   */
  subscribe?(listener: (changed: HomeEntity[]) => void): () => void;
  /** Releases what the backend holds (Home Assistant: its socket and timers). Idempotent. */
  close?(): Promise<void>;
}

/** The store's key-value table, or anything with the same shape. */
export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export type HomeErrorCode =
  | 'unauthorized'
  | 'not_found'
  | 'bad_request'
  | 'upstream'
  | 'timeout'
  | 'unreachable'
  | 'bad_response'
  | 'unknown_service'
  | 'unknown_entity'
  | 'invalid_value';

/** A failure talking to the home. Messages are safe to speak, log and send: they never hold the token. */
export class HomeError extends Error {
  constructor(
    readonly code: HomeErrorCode,
    message: string,
    readonly retryable = false,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HomeError';
  }
}

export const domainOf = (entityId: string): string => entityId.slice(0, entityId.indexOf('.'));
