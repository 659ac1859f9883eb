/**
 * The shapes Home Assistant sends over its WebSocket API (`/api/websocket`), as its source writes
 * them: websocket_api/auth.py (`auth_required`, `auth_ok`, `auth_invalid`), messages.py
 * (`{id, type: "result", success, result | error: {code, message}}`, `{id, type: "event", event}`,
 * `{id, type: "pong"}`), core.State.as_dict (a state), and config/{area,device,entity}_registry.py
 * (the registry lists). Only the fields Barnabee reads are checked; the rest pass through.
 */
import { z } from 'zod';

export const stateSchema = z.looseObject({
  entity_id: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/),
  state: z.string(),
  attributes: z.looseObject({ friendly_name: z.string().optional() }).default({}),
  last_changed: z.string().optional(),
  last_updated: z.string().optional(),
  context: z.looseObject({ id: z.string() }).nullish(),
});
export type HaState = z.infer<typeof stateSchema>;
export const statesSchema = z.array(stateSchema);

/** Anything Home Assistant sends after the login, one JSON object per frame. */
export const incomingSchema = z.looseObject({
  id: z.number().int().optional(),
  type: z.string(),
  success: z.boolean().optional(),
  result: z.unknown().optional(),
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }).nullish(),
  event: z.unknown().optional(),
  ha_version: z.string().optional(),
  message: z.string().optional(),
});
export type Incoming = z.infer<typeof incomingSchema>;

/** `event` of a `subscribe_events` subscription (core.Event.as_dict). */
export const eventSchema = z.looseObject({
  event_type: z.string(),
  data: z.looseObject({}).default({}),
  context: z.looseObject({ id: z.string() }).nullish(),
});

/** `data` of a `state_changed` event: either state is null when the entity was added or removed. */
export const stateChangedSchema = z.looseObject({
  entity_id: z.string(),
  old_state: stateSchema.nullable().optional(),
  new_state: stateSchema.nullable().optional(),
});

/** `config/area_registry/list`: AreaEntry.json_fragment. */
export const areasSchema = z.array(z.looseObject({ area_id: z.string(), name: z.string(), aliases: z.array(z.string().nullable()).nullish() }));

/** `config/device_registry/list`: DeviceEntry.dict_repr; an entity without an area takes its device's. */
export const devicesSchema = z.array(z.looseObject({ id: z.string(), area_id: z.string().nullish() }));

/**
 * `config/entity_registry/list`: RegistryEntry.as_partial_dict. It has the area and the options
 * (where `options.conversation.should_expose` lives) but not the aliases.
 */
export const entityEntriesSchema = z.array(
  z.looseObject({
    entity_id: z.string(),
    area_id: z.string().nullish(),
    device_id: z.string().nullish(),
    disabled_by: z.string().nullish(),
    options: z.record(z.string(), z.unknown()).nullish(),
  }),
);

/**
 * `config/entity_registry/get_entries`: `{<entity_id>: RegistryEntry.extended_dict | null}`, which
 * has the aliases. Newer versions may list `null` among them (the entity's own name): skipped.
 */
export const extendedEntriesSchema = z.record(z.string(), z.looseObject({ aliases: z.array(z.string().nullable()).nullish() }).nullable());

/** `call_service`'s result: the context its state changes carry (websocket_api/commands.py). */
export const callResultSchema = z.looseObject({ context: z.looseObject({ id: z.string() }) });
