/**
 * A simulated home that behaves like a small Home Assistant install: the same entity shapes, the
 * same services, state that survives restarts through the store's key-value table.
 */
import { z } from 'zod';
import { HomeError, domainOf, type HomeBackend, type HomeEntity, type KeyValue, type ServiceData } from './types.js';
import { DEFAULT_LAYOUT, type SimulatedLayout } from './simulated-layout.js';

const STATE_KEY = 'home.simulated.v1';

/** Entities as Home Assistant would list them, from a layout: lights dimmable, the rest as given. */
function seedEntities(layout: SimulatedLayout, at: string): Map<string, HomeEntity> {
  const stamp = { last_changed: at, last_updated: at };
  const all: HomeEntity[] = layout.devices.map((d) => {
    const attributes: HomeEntity['attributes'] = { friendly_name: d.name, ...(d.area ? { area: d.area } : {}), ...(d.aliases ? { aliases: d.aliases } : {}), ...d.attributes };
    if (domainOf(d.id) === 'light') Object.assign(attributes, { supported_color_modes: ['brightness'], brightness: d.state === 'on' ? (d.brightness ?? 255) : null });
    return { entity_id: d.id, state: d.state, attributes, ...stamp };
  });
  for (const sc of layout.scenes) all.push({ entity_id: sc.id, state: 'unknown', attributes: { friendly_name: sc.name, aliases: sc.aliases }, ...stamp });
  return new Map(all.map((e) => [e.entity_id, e]));
}

/** Only the fields that services change are persisted; names and aliases always come from the code. */
const persisted = z.record(
  z.string(),
  z.object({
    state: z.string(),
    brightness: z.number().int().min(0).max(255).nullable().optional(),
    temperature: z.number().optional(),
  }),
);

export interface SimulatedHomeOptions {
  persist?: KeyValue;
  /** The devices and scenes; a small house by default (simulated-layout.ts). */
  layout?: SimulatedLayout;
}

export function createSimulatedHome(options: SimulatedHomeOptions = {}): HomeBackend {
  const { persist, layout = DEFAULT_LAYOUT } = options;
  const entities = seedEntities(layout, new Date().toISOString());
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
    }
  }

  function save(): void {
    if (!persist) return;
    const out: z.infer<typeof persisted> = {};
    for (const e of entities.values()) {
      out[e.entity_id] = { state: e.state };
      if ('brightness' in e.attributes) out[e.entity_id].brightness = e.attributes.brightness ?? null;
      if (e.attributes.temperature !== undefined) out[e.entity_id].temperature = e.attributes.temperature;
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

  function apply(e: HomeEntity, domain: string, service: string, data: ServiceData, changed: Set<HomeEntity>): void {
    const key = `${domain}.${service}`;
    const on = e.state === 'on';
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
          const d = domainOf(id);
          if (typeof v === 'number') lightOn(target, { brightness_pct: v }, changed);
          else if (d === 'lock') apply(target, 'lock', v === 'locked' ? 'lock' : 'unlock', { entity_id: id }, changed);
          else apply(target, d, v === 'on' ? 'turn_on' : 'turn_off', { entity_id: id }, changed);
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
