/**
 * From Home Assistant's states and registries to the entities Barnabee sees: the area by name (the
 * entity's own area, else its device's — as Home Assistant's UI and Assist resolve it) with the
 * area's aliases, the entity's aliases from the entity registry, and only the entities Assist may use.
 *
 * Exposure: an entity whose registry options say `conversation.should_expose: false` (the user
 * hid it from Assist, Settings → Voice assistants → Expose) is left out, and a service call for it
 * is refused. The flag comes with `config/entity_registry/list`, which any user's token may read;
 * entities without the flag (not yet decided by Home Assistant, or not in the registry — e.g.
 * YAML entities without a unique id) are kept, since Home Assistant has not said no. The full
 * answer (`homeassistant/expose_entity/list`) needs an admin token and is not asked for.
 */
import { z } from 'zod';
import type { HomeEntity } from './types.js';
import type { areasSchema, devicesSchema, entityEntriesSchema, extendedEntriesSchema, HaState } from './ha-messages.js';

export interface Registries {
  areas: z.infer<typeof areasSchema>;
  devices: z.infer<typeof devicesSchema>;
  entities: z.infer<typeof entityEntriesSchema>;
  extended: z.infer<typeof extendedEntriesSchema>;
}

export interface RegistryView {
  /** Area name by entity id (own area, else the device's). */
  area: Map<string, string>;
  /** That area's aliases by entity id (only where it has some). */
  areaAliases: Map<string, string[]>;
  aliases: Map<string, string[]>;
  /** Entity ids the user hid from Assist. */
  hidden: Set<string>;
}

export const EMPTY_VIEW: RegistryView = { area: new Map(), areaAliases: new Map(), aliases: new Map(), hidden: new Set() };

/** Aliases as Home Assistant keeps them: trimmed, without blanks (newer versions list `null` for the name itself) or repeats. */
const cleanAliases = (list: ReadonlyArray<string | null> | null | undefined): string[] => [
  ...new Set((list ?? []).filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim())),
];

const exposeFlag = (options: Record<string, unknown> | null | undefined): unknown =>
  (options?.conversation as { should_expose?: unknown } | undefined)?.should_expose;

/** The registry entries whose aliases are worth asking for: enabled and not hidden from Assist. */
export function aliasCandidates(entities: Registries['entities']): string[] {
  return entities.filter((e) => !e.disabled_by && exposeFlag(e.options) !== false).map((e) => e.entity_id);
}

export function buildView(r: Registries): RegistryView {
  const areaName = new Map(r.areas.map((a) => [a.area_id, a.name]));
  const areaAliases = new Map(r.areas.map((a) => [a.area_id, cleanAliases(a.aliases)]));
  const deviceArea = new Map(r.devices.map((d) => [d.id, d.area_id ?? undefined]));
  const view: RegistryView = { area: new Map(), areaAliases: new Map(), aliases: new Map(), hidden: new Set() };
  for (const e of r.entities) {
    if (exposeFlag(e.options) === false) view.hidden.add(e.entity_id);
    const areaId = e.area_id ?? (e.device_id ? deviceArea.get(e.device_id) : undefined);
    const name = areaId ? areaName.get(areaId) : undefined;
    if (!name) continue;
    view.area.set(e.entity_id, name);
    const others = areaAliases.get(areaId!)!.filter((a) => a.toLowerCase() !== name.toLowerCase());
    if (others.length) view.areaAliases.set(e.entity_id, others);
  }
  for (const [id, entry] of Object.entries(r.extended)) {
    const aliases = cleanAliases(entry?.aliases);
    if (aliases.length) view.aliases.set(id, aliases);
  }
  return view;
}

/** The entity as Barnabee sees it, frozen: the cache hands the same object to every reader. */
export function toEntity(s: HaState, view: RegistryView): HomeEntity | undefined {
  if (view.hidden.has(s.entity_id)) return undefined;
  const friendly = typeof s.attributes.friendly_name === 'string' && s.attributes.friendly_name.trim() ? s.attributes.friendly_name : undefined;
  // Entities without a friendly name are named after their object id, as Home Assistant's UI does.
  const name = friendly ?? s.entity_id.split('.')[1].replace(/_/g, ' ');
  const area = view.area.get(s.entity_id);
  const areaAliases = view.areaAliases.get(s.entity_id);
  const aliases = view.aliases.get(s.entity_id);
  const { context: _context, ...rest } = s;
  const attributes = Object.freeze({
    ...s.attributes,
    friendly_name: name,
    ...(area ? { area } : {}),
    ...(areaAliases ? { area_aliases: Object.freeze([...areaAliases]) } : {}),
    ...(aliases ? { aliases: Object.freeze([...aliases]) } : {}),
  });
  return deepFreeze({ ...rest, attributes } as HomeEntity);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Whether two views of one entity differ (what a subscriber would see change). */
export function sameEntity(a: HomeEntity | undefined, b: HomeEntity | undefined): boolean {
  if (!a || !b) return a === b;
  return a.state === b.state && a.last_updated === b.last_updated && JSON.stringify(a.attributes) === JSON.stringify(b.attributes);
}
