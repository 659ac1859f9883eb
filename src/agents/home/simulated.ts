/**
 * A simulated home that behaves like a small Home Assistant install: the same entity shapes, the
 * same services, state that survives restarts through the store's key-value table.
 */
import { z } from 'zod';
import { HomeError, domainOf, type HomeBackend, type HomeEntity, type KeyValue, type ServiceData } from './types.js';
import { DEFAULT_LAYOUT, type SimulatedLayout } from './simulated-layout.js';

const STATE_KEY = 'home.simulated.v1';

/**
 * What a device keeps that Home Assistant does not show in every state: a media player's volume
 * and place in its queue (Home Assistant reports no media attributes while a player is off), a
 * fan's last speed (turning it on again resumes it).
 */
interface Inner {
  volume_level?: number;
  is_volume_muted?: boolean;
  track?: number;
  queue?: string[];
  speed?: number;
}

/** Entities as Home Assistant would list them, from a layout: lights dimmable, the rest as given. */
function seedEntities(layout: SimulatedLayout, at: string): { entities: Map<string, HomeEntity>; inner: Map<string, Inner> } {
  const stamp = { last_changed: at, last_updated: at };
  const inner = new Map<string, Inner>();
  const all: HomeEntity[] = layout.devices.map((d) => {
    const attributes: HomeEntity['attributes'] = { friendly_name: d.name, ...(d.area ? { area: d.area } : {}), ...(d.aliases ? { aliases: d.aliases } : {}), ...d.attributes };
    const domain = domainOf(d.id);
    if (domain === 'light') Object.assign(attributes, { supported_color_modes: ['brightness'], brightness: d.state === 'on' ? (d.brightness ?? 255) : null });
    if (domain === 'media_player') {
      const { volume_level = 0.5, is_volume_muted = false } = attributes as { volume_level?: number; is_volume_muted?: boolean };
      inner.set(d.id, { volume_level, is_volume_muted, track: 0, queue: d.queue ?? [] });
    }
    if (domain === 'fan') inner.set(d.id, { speed: typeof attributes.percentage === 'number' && attributes.percentage > 0 ? attributes.percentage : 100 });
    const e: HomeEntity = { entity_id: d.id, state: d.state, attributes, ...stamp };
    if (domain === 'media_player') showMedia(e, inner.get(d.id)!);
    return e;
  });
  for (const sc of layout.scenes) all.push({ entity_id: sc.id, state: 'unknown', attributes: { friendly_name: sc.name, aliases: sc.aliases }, ...stamp });
  return { entities: new Map(all.map((e) => [e.entity_id, e])), inner };
}

/** A media player's attributes as Home Assistant reports them: none of the media ones while it is off. */
function showMedia(e: HomeEntity, m: Inner): void {
  delete e.attributes.volume_level;
  delete e.attributes.is_volume_muted;
  delete e.attributes.media_title;
  if (e.state === 'off') return;
  Object.assign(e.attributes, { volume_level: m.volume_level, is_volume_muted: m.is_volume_muted });
  const title = m.queue?.[m.track ?? 0];
  if ((e.state === 'playing' || e.state === 'paused') && title) e.attributes.media_title = title;
}

/**
 * The feature bit each service needs (Home Assistant's FanEntityFeature, CoverEntityFeature,
 * MediaPlayerEntityFeature): an entity whose `supported_features` lacks it refuses the call.
 */
const REQUIRED_FEATURES: Record<string, number> = {
  'fan.turn_on': 32, 'fan.turn_off': 16, 'fan.set_percentage': 1, 'fan.increase_speed': 1, 'fan.decrease_speed': 1,
  'cover.open_cover': 1, 'cover.close_cover': 2, 'cover.set_cover_position': 4, 'cover.stop_cover': 8, 'cover.toggle': 1 | 2,
  'media_player.media_pause': 1, 'media_player.volume_set': 4, 'media_player.volume_mute': 8, 'media_player.media_previous_track': 16,
  'media_player.media_next_track': 32, 'media_player.turn_on': 128, 'media_player.turn_off': 256, 'media_player.toggle': 128 | 256,
  'media_player.volume_up': 4 | 1024, 'media_player.volume_down': 4 | 1024, 'media_player.media_stop': 4096, 'media_player.media_play': 16384,
  'media_player.media_play_pause': 1 | 16384,
};

/** Home Assistant's default volume step for volume_up and volume_down. */
const VOLUME_STEP = 0.1;

/** A percent in service data (a fan's speed, a cover's position), checked like Home Assistant's schema. */
function percentIn(data: ServiceData, field: string, what: string): number {
  const v = data[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw new HomeError('invalid_value', `${what} must be between 0 and 100 percent.`);
  return Math.round(v);
}

/** Only the fields that services change are persisted; names and aliases always come from the code. */
const persisted = z.record(
  z.string(),
  z.object({
    state: z.string(),
    brightness: z.number().int().min(0).max(255).nullable().optional(),
    temperature: z.number().optional(),
    percentage: z.number().int().min(0).max(100).optional(),
    current_position: z.number().int().min(0).max(100).optional(),
    inner: z
      .object({
        volume_level: z.number().min(0).max(1).optional(),
        is_volume_muted: z.boolean().optional(),
        track: z.number().int().min(0).optional(),
        speed: z.number().int().min(1).max(100).optional(),
      })
      .optional(),
  }),
);

/** The service that puts a device in the state a scene names: a state word, or a percent (brightness, speed, position). */
function sceneCall(domain: string, v: string | number): [service: string, data: Record<string, number>] {
  if (typeof v === 'number') {
    if (domain === 'fan') return ['set_percentage', { percentage: v }];
    if (domain === 'cover') return ['set_cover_position', { position: v }];
    return ['turn_on', { brightness_pct: v }];
  }
  if (domain === 'lock') return [v === 'locked' ? 'lock' : 'unlock', {}];
  if (domain === 'cover') return [v === 'open' ? 'open_cover' : 'close_cover', {}];
  return [v === 'on' ? 'turn_on' : 'turn_off', {}];
}

export interface SimulatedHomeOptions {
  persist?: KeyValue;
  /** The devices and scenes; a small house by default (simulated-layout.ts). */
  layout?: SimulatedLayout;
}

export function createSimulatedHome(options: SimulatedHomeOptions = {}): HomeBackend {
  const { persist, layout = DEFAULT_LAYOUT } = options;
  const { entities, inner } = seedEntities(layout, new Date().toISOString());
  const scenes = new Map(layout.scenes.map((sc) => [sc.id, sc]));
  const listeners = new Set<(changed: HomeEntity[]) => void>();
  restore();

  function restore(): void {
    const raw = persist?.get(STATE_KEY);
    if (!raw) return;
    let saved: z.infer<typeof persisted>;
    try {
      saved = persisted.parse(JSON.parse(raw));
    } catch {
      return; // A damaged record must not keep the home from starting; the defaults stand.
    }
    for (const [id, s] of Object.entries(saved)) {
      const e = entities.get(id);
      if (!e) continue;
      e.state = s.state;
      if (s.brightness !== undefined && 'brightness' in e.attributes) e.attributes.brightness = s.brightness;
      if (s.temperature !== undefined && e.attributes.temperature !== undefined) e.attributes.temperature = s.temperature;
      if (s.percentage !== undefined && 'percentage' in e.attributes) e.attributes.percentage = s.percentage;
      if (s.current_position !== undefined && 'current_position' in e.attributes) e.attributes.current_position = s.current_position;
      const m = inner.get(id);
      if (m && s.inner) {
        Object.assign(m, s.inner);
        if (m.track !== undefined && m.track >= (m.queue?.length || 1)) m.track = 0;
      }
      if (m && domainOf(id) === 'media_player') showMedia(e, m);
    }
  }

  function save(): void {
    if (!persist) return;
    const out: z.infer<typeof persisted> = {};
    for (const e of entities.values()) {
      out[e.entity_id] = { state: e.state };
      if ('brightness' in e.attributes) out[e.entity_id].brightness = e.attributes.brightness ?? null;
      if (e.attributes.temperature !== undefined) out[e.entity_id].temperature = e.attributes.temperature;
      if (typeof e.attributes.percentage === 'number') out[e.entity_id].percentage = e.attributes.percentage;
      if (typeof e.attributes.current_position === 'number') out[e.entity_id].current_position = e.attributes.current_position;
      const m = inner.get(e.entity_id);
      if (m) out[e.entity_id].inner = { volume_level: m.volume_level, is_volume_muted: m.is_volume_muted, track: m.track, speed: m.speed };
    }
    persist.set(STATE_KEY, JSON.stringify(out));
  }

  function set(e: HomeEntity, state: string, attrs: Partial<HomeEntity['attributes']> = {}, changed: Set<HomeEntity>): void {
    const at = new Date().toISOString();
    if (e.state !== state) e.last_changed = at;
    e.last_updated = at;
    e.state = state;
    Object.assign(e.attributes, attrs);
    changed.add(e);
  }

  function lightOn(e: HomeEntity, data: { brightness_pct?: number; brightness?: number }, changed: Set<HomeEntity>): void {
    let b = e.attributes.brightness ?? 255;
    if (typeof data.brightness === 'number') b = data.brightness;
    if (typeof data.brightness_pct === 'number') b = Math.round((data.brightness_pct / 100) * 255);
    if (!Number.isFinite(b) || b < 0 || b > 255) throw new HomeError('invalid_value', 'Brightness must be between 0 and 100 percent.');
    // As in Home Assistant, brightness 0 turns the light off.
    if (b === 0) set(e, 'off', { brightness: null }, changed);
    else set(e, 'on', { brightness: Math.max(1, Math.round(b)) }, changed);
  }

  function fanOn(e: HomeEntity, percentage: number | undefined, changed: Set<HomeEntity>): void {
    const m = inner.get(e.entity_id) ?? {};
    const p = percentage ?? m.speed ?? 100;
    // As in Home Assistant, speed 0 turns the fan off.
    if (p === 0) return set(e, 'off', { percentage: 0 }, changed);
    m.speed = p;
    set(e, 'on', { percentage: p }, changed);
  }

  function cover(e: HomeEntity, position: number, changed: Set<HomeEntity>): void {
    // Covers here move at once; a real one reports `opening`/`closing` on the way.
    set(e, position === 0 ? 'closed' : 'open', 'current_position' in e.attributes ? { current_position: position } : {}, changed);
  }

  function media(e: HomeEntity, service: string, data: ServiceData, changed: Set<HomeEntity>): void {
    const m = inner.get(e.entity_id)!;
    const off = e.state === 'off';
    const queue = m.queue ?? [];
    let state = e.state;
    switch (service) {
      case 'turn_on':
        if (off) state = 'on';
        break;
      case 'turn_off':
        state = 'off';
        break;
      case 'toggle':
        state = off ? 'on' : 'off';
        break;
      case 'media_play':
        state = 'playing';
        break;
      case 'media_pause':
        if (state === 'playing') state = 'paused';
        break;
      case 'media_play_pause':
        state = state === 'playing' ? 'paused' : 'playing';
        break;
      case 'media_stop':
        if (!off) state = 'idle';
        break;
      case 'media_next_track':
      case 'media_previous_track':
        if (queue.length) m.track = ((m.track ?? 0) + (service === 'media_next_track' ? 1 : queue.length - 1)) % queue.length;
        break;
      case 'volume_set': {
        const v = data.volume_level;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new HomeError('invalid_value', 'The volume must be between 0 and 100 percent.');
        m.volume_level = v;
        break;
      }
      case 'volume_up':
      case 'volume_down': {
        const step = service === 'volume_up' ? VOLUME_STEP : -VOLUME_STEP;
        m.volume_level = Math.round(Math.min(1, Math.max(0, (m.volume_level ?? 0) + step)) * 100) / 100;
        break;
      }
      case 'volume_mute':
        if (typeof data.is_volume_muted !== 'boolean') throw new HomeError('invalid_value', 'Muting needs is_volume_muted: true or false.');
        m.is_volume_muted = data.is_volume_muted;
        break;
      default:
        throw new HomeError('unknown_service', `There is no service media_player.${service} for ${e.entity_id}.`);
    }
    set(e, state, {}, changed);
    showMedia(e, m);
  }

  function apply(e: HomeEntity, domain: string, service: string, data: ServiceData, changed: Set<HomeEntity>): void {
    const key = `${domain}.${service}`;
    const on = e.state === 'on';
    const features = e.attributes.supported_features;
    if (typeof features === 'number' && key in REQUIRED_FEATURES && !(features & REQUIRED_FEATURES[key]))
      throw new HomeError('unknown_service', `${e.attributes.friendly_name} does not support ${key}.`);
    if (domain === 'media_player') return media(e, service, data, changed);
    switch (key) {
      case 'light.turn_on':
        return lightOn(e, data, changed);
      case 'light.turn_off':
        return set(e, 'off', { brightness: null }, changed);
      case 'light.toggle':
        return on ? set(e, 'off', { brightness: null }, changed) : lightOn(e, data, changed);
      case 'switch.turn_on':
      case 'switch.turn_off':
      case 'switch.toggle':
        return set(e, service === 'toggle' ? (on ? 'off' : 'on') : service === 'turn_on' ? 'on' : 'off', {}, changed);
      case 'fan.turn_on':
        return fanOn(e, data.percentage === undefined ? undefined : percentIn(data, 'percentage', 'The fan speed'), changed);
      case 'fan.set_percentage':
        return fanOn(e, percentIn(data, 'percentage', 'The fan speed'), changed);
      case 'fan.turn_off':
        return set(e, 'off', { percentage: 0 }, changed);
      case 'fan.toggle':
        return on ? set(e, 'off', { percentage: 0 }, changed) : fanOn(e, undefined, changed);
      case 'fan.increase_speed':
      case 'fan.decrease_speed': {
        const step = data.percentage_step === undefined ? Number(e.attributes.percentage_step ?? 1) : percentIn(data, 'percentage_step', 'The step');
        const now = typeof e.attributes.percentage === 'number' ? e.attributes.percentage : 0;
        return fanOn(e, Math.min(100, Math.max(0, Math.round(now + (service === 'increase_speed' ? step : -step)))), changed);
      }
      case 'cover.open_cover':
        return cover(e, 100, changed);
      case 'cover.close_cover':
        return cover(e, 0, changed);
      case 'cover.set_cover_position':
        return cover(e, percentIn(data, 'position', 'The position'), changed);
      case 'cover.toggle':
        return cover(e, e.state === 'closed' || e.state === 'closing' ? 100 : 0, changed);
      case 'cover.stop_cover':
        // Nothing here is ever on its way, so there is nothing to stop; the call still succeeds.
        return set(e, e.state, {}, changed);
      case 'lock.lock':
        return set(e, 'locked', {}, changed);
      case 'lock.unlock':
        return set(e, 'unlocked', {}, changed);
      case 'climate.turn_on':
        return set(e, 'heat', {}, changed);
      case 'climate.turn_off':
        return set(e, 'off', {}, changed);
      case 'climate.set_hvac_mode': {
        const mode = String(data.hvac_mode);
        if (!['off', 'heat'].includes(mode)) throw new HomeError('invalid_value', `The thermostat has no mode "${mode}".`);
        return set(e, mode, {}, changed);
      }
      case 'climate.set_temperature': {
        const t = data.temperature;
        const { min_temp = 10, max_temp = 30 } = e.attributes;
        if (typeof t !== 'number' || !Number.isFinite(t)) throw new HomeError('invalid_value', 'A temperature is required.');
        if (t < min_temp || t > max_temp)
          throw new HomeError('invalid_value', `The thermostat can be set from ${min_temp} to ${max_temp} degrees.`);
        return set(e, e.state === 'off' ? 'heat' : e.state, { temperature: Math.round(t * 2) / 2 }, changed);
      }
      case 'scene.turn_on': {
        const scene = scenes.get(e.entity_id);
        set(e, new Date().toISOString(), {}, changed);
        for (const [id, v] of Object.entries(scene?.sets ?? {})) {
          const target = entities.get(id);
          if (!target) continue;
          const [service, data] = sceneCall(domainOf(id), v);
          apply(target, domainOf(id), service, { entity_id: id, ...data }, changed);
        }
        return;
      }
      default:
        throw new HomeError('unknown_service', `There is no service ${key} for ${e.entity_id}.`);
    }
  }

  const snapshot = (e: HomeEntity): HomeEntity => structuredClone(e);

  return {
    name: 'simulated',
    async listEntities() {
      return [...entities.values()].map(snapshot);
    },
    async callService(domain, service, data) {
      const ids = Array.isArray(data?.entity_id) ? data.entity_id : [data?.entity_id];
      const targets = ids.map((id) => {
        const e = typeof id === 'string' ? entities.get(id) : undefined;
        if (!e) throw new HomeError('unknown_entity', `There is no entity ${JSON.stringify(id)} in the simulated home.`);
        if (domainOf(e.entity_id) !== domain && domain !== 'homeassistant')
          throw new HomeError('unknown_service', `${domain}.${service} does not apply to ${e.entity_id}.`);
        return e;
      });
      const changed = new Set<HomeEntity>();
      for (const e of targets) apply(e, domain === 'homeassistant' ? domainOf(e.entity_id) : domain, service, data, changed);
      save();
      const out = [...changed].map(snapshot);
      if (out.length) for (const listener of listeners) listener(out.map(snapshot));
      return out;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
