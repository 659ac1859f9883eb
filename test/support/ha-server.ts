/**
 * A local Home Assistant for tests, over real HTTP and a real WebSocket (`ws`), speaking its wire
 * protocol as its source writes it (websocket_api/auth.py, messages.py, commands.py; api/__init__.py;
 * config/{area,device,entity}_registry.py):
 *  - REST: Bearer auth, `GET /api/`, `GET /api/states[/<id>]`, `POST /api/services/<domain>/<service>`
 *    answering with the states changed in the call's context;
 *  - WebSocket `/api/websocket`: `auth_required` → `auth` → `auth_ok` | `auth_invalid` (then closed),
 *    increasing command ids, `subscribe_events` / `unsubscribe_events`, `get_states`, `ping`,
 *    `call_service` (state_changed events of the call's context, then `{context}`), and the area,
 *    device and entity registries (`list`, `get_entries`), with `*_registry_updated` events.
 * Tests drive the house from outside (`setState`, `updateEntity`, `updateArea`), restart it
 * (`stop`/`start`), make a device report late (`late`), freeze the socket, and script HTTP faults
 * per request (the WebSocket upgrade is a request too).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export const HA_VERSION = '2025.12.1';

export interface HaState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
  context?: HaContext;
}

interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

export interface HaArea {
  area_id: string;
  name: string;
  aliases: string[];
}
export interface HaDevice {
  id: string;
  name: string;
  area_id: string | null;
}
/** What the entity registry stores for one entity (the fields the tests set; the rest are filled in). */
export interface HaEntityEntry {
  entity_id: string;
  area_id: string | null;
  device_id: string | null;
  aliases: string[];
  name: string | null;
  options: Record<string, Record<string, unknown>>;
}

export type HaFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'body'; body: string };

/** An answer to the next WebSocket command of that type, instead of the real one. */
export type HaCommandFault = { type: string } & ({ kind: 'error'; code: string; message: string } | { kind: 'silent' });

export interface HaRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface HaCommand {
  id: number;
  type: string;
  message: Record<string, unknown>;
}

export interface HaServer {
  /** e.g. `http://127.0.0.1:41234` (no trailing `/api`). */
  url: string;
  token: string;
  requests: HaRequest[];
  /** Every WebSocket command received after the login, from every connection. */
  commands: HaCommand[];
  /** WebSocket logins attempted (valid or not). */
  logins: { ok: boolean }[];
  /** Open WebSocket connections. */
  readonly clients: number;
  state(entityId: string): HaState | undefined;
  /** A change from outside (a wall switch, an automation): a state_changed event with a new context. */
  setState(entityId: string, state: string, attributes?: Record<string, unknown>): void;
  /** Edits the entity registry and sends `entity_registry_updated`. */
  updateEntity(entityId: string, changes: Partial<Omit<HaEntityEntry, 'entity_id'>>): void;
  updateArea(areaId: string, name: string): void;
  /** Service calls on these entities change them `ms` later, in a context of their own (a polled device). */
  late(entityId: string, ms: number): void;
  /** Faults for the next HTTP requests (the WebSocket upgrade included), first in first out. */
  fault(...faults: HaFault[]): void;
  commandFault(...faults: HaCommandFault[]): void;
  /** Stops (or with false, resumes) reading the sockets — no answers, no events — without closing them: a half-open peer. */
  freeze(on?: boolean): void;
  /** Shuts down like a restarting Home Assistant: sockets closed, port refusing. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const at = '2026-01-01T00:00:00.000+00:00';
const USER_ID = 'b1e5c0ffee0000000000000000000001';
const s = (entity_id: string, state: string, attributes: Record<string, unknown>): HaState => ({ entity_id, state, attributes, last_changed: at, last_updated: at });

/** A small real-looking install: areas only in the registries, one entity without a friendly name or registry entry. */
export function haFixtureStates(): HaState[] {
  return [
    s('light.kitchen_ceiling', 'on', { friendly_name: 'Kitchen Ceiling', brightness: 255, supported_color_modes: ['brightness'], color_mode: 'brightness' }),
    s('light.kitchen_island', 'off', { friendly_name: 'Kitchen Island Pendants', brightness: null, supported_color_modes: ['brightness'] }),
    s('light.living_room_floor_lamp', 'on', { friendly_name: 'Living Room Floor Lamp', brightness: 128, supported_color_modes: ['brightness'] }),
    s('light.porch', 'off', { friendly_name: 'Porch Light', brightness: null }),
    s('switch.kettle', 'off', { friendly_name: 'Kettle' }),
    s('switch.christmas_tree', 'off', { friendly_name: 'Christmas Tree' }),
    s('switch.server_rack', 'on', { friendly_name: 'Server Rack' }),
    s('lock.front_door', 'locked', { friendly_name: 'Front Door' }),
    s('lock.back_door', 'unlocked', { friendly_name: 'Back Door' }),
    s('climate.hallway', 'heat', { friendly_name: 'Hallway Thermostat', hvac_modes: ['off', 'heat'], current_temperature: 19.5, temperature: 20, min_temp: 7, max_temp: 35 }),
    s('fan.bedroom_fan', 'on', { friendly_name: 'Bedroom Fan', percentage: 50, percentage_step: 25, supported_features: 49 }),
    s('cover.garage_door', 'closed', { friendly_name: 'Garage Door', device_class: 'garage', current_position: 0, supported_features: 15 }),
    s('media_player.living_room_tv', 'playing', { friendly_name: 'Living Room TV', device_class: 'tv', volume_level: 0.3, is_volume_muted: false, media_title: 'The Muppet Christmas Carol', supported_features: 152461 }),
    s('scene.movie_night', '2025-12-31T20:00:00+00:00', { friendly_name: 'Movie Night', entity_id: ['light.living_room_floor_lamp'] }),
    s('sensor.outdoor_temperature', '4.2', { friendly_name: 'Outdoor Temperature', unit_of_measurement: '°C', device_class: 'temperature' }),
    s('light.garage_strip', 'off', {}),
  ];
}

export function haFixtureAreas(): HaArea[] {
  return [
    { area_id: 'kitchen', name: 'Kitchen', aliases: [] },
    { area_id: 'living_room', name: 'Living Room', aliases: ['lounge'] },
    { area_id: 'hallway', name: 'Hallway', aliases: [] },
    { area_id: 'bedroom', name: 'Bedroom', aliases: [] },
    { area_id: 'garage', name: 'Garage', aliases: [] },
    { area_id: 'front_yard', name: 'Front Yard', aliases: [] },
  ];
}

export function haFixtureDevices(): HaDevice[] {
  return [
    { id: 'dev_kitchen_hub', name: 'Kitchen Hub', area_id: 'kitchen' },
    { id: 'dev_lamp', name: 'Floor Lamp Bulb', area_id: 'living_room' },
    { id: 'dev_garage_opener', name: 'Garage Opener', area_id: 'garage' },
    { id: 'dev_orphan', name: 'Sensor Puck', area_id: null },
  ];
}

/** Every entity but `light.garage_strip` (a YAML light without a unique id) is in the registry. */
export function haFixtureEntities(): HaEntityEntry[] {
  const e = (entity_id: string, over: Partial<HaEntityEntry> = {}): HaEntityEntry => ({
    entity_id,
    area_id: null,
    device_id: null,
    aliases: [],
    name: null,
    options: { conversation: { should_expose: true } },
    ...over,
  });
  return [
    e('light.kitchen_ceiling', { device_id: 'dev_kitchen_hub' }), // area from its device
    e('light.kitchen_island', { area_id: 'kitchen' }),
    e('light.living_room_floor_lamp', { device_id: 'dev_lamp', aliases: ['reading lamp'] }),
    e('light.porch', { area_id: 'front_yard', aliases: ['front light', 'entrance light'] }),
    e('switch.kettle', { area_id: 'kitchen' }),
    e('switch.christmas_tree', { area_id: 'living_room', aliases: ['tree lights'] }),
    e('switch.server_rack', { area_id: 'garage', options: { conversation: { should_expose: false } } }),
    e('lock.front_door', { area_id: 'hallway' }),
    e('lock.back_door', { area_id: 'kitchen', device_id: 'dev_kitchen_hub' }),
    e('climate.hallway', { area_id: 'hallway', aliases: ['heating'] }),
    e('fan.bedroom_fan', { area_id: 'bedroom' }),
    e('cover.garage_door', { device_id: 'dev_garage_opener' }),
    e('media_player.living_room_tv', { area_id: 'living_room', aliases: ['telly'] }),
    e('scene.movie_night', { options: {} }), // Home Assistant has not decided its exposure yet
    e('sensor.outdoor_temperature', { device_id: 'dev_orphan' }),
  ];
}

/** RegistryEntry.as_partial_dict for one entry (what `config/entity_registry/list` sends). */
function partialDict(e: HaEntityEntry): Record<string, unknown> {
  return {
    area_id: e.area_id,
    categories: {},
    config_entry_id: 'cfg_demo',
    config_subentry_id: null,
    created_at: 0,
    device_id: e.device_id,
    disabled_by: null,
    entity_category: null,
    entity_id: e.entity_id,
    has_entity_name: false,
    hidden_by: null,
    icon: null,
    id: `reg_${e.entity_id.replace('.', '_')}`,
    labels: [],
    modified_at: 0,
    name: e.name,
    options: e.options,
    original_name: null,
    platform: 'demo',
    translation_key: null,
    unique_id: `uid_${e.entity_id}`,
  };
}

/** RegistryEntry.extended_dict (what `config/entity_registry/get_entries` sends): adds the aliases. */
function extendedDict(e: HaEntityEntry): Record<string, unknown> {
  return { ...partialDict(e), aliases: e.aliases, capabilities: null, device_class: null, original_device_class: null, original_icon: null };
}

const newContext = (): HaContext => ({ id: randomBytes(13).toString('hex').toUpperCase(), parent_id: null, user_id: USER_ID });

class ServiceError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_format',
    message: string,
  ) {
    super(message);
  }
}

export async function startHaServer(options: { token?: string; states?: HaState[] } = {}): Promise<HaServer> {
  const token = options.token ?? 'ha-test-token.eyJhbGciOiJIUzI1NiJ9.SECRET';
  const states = new Map<string, HaState>((options.states ?? haFixtureStates()).map((e) => [e.entity_id, { ...structuredClone(e), context: newContext() }]));
  const areas = new Map(haFixtureAreas().map((a) => [a.area_id, a]));
  const devices = haFixtureDevices();
  const registry = new Map(haFixtureEntities().map((e) => [e.entity_id, e]));
  const faults: HaFault[] = [];
  const commandFaults: HaCommandFault[] = [];
  const requests: HaRequest[] = [];
  const commands: HaCommand[] = [];
  const logins: { ok: boolean }[] = [];
  const lateMs = new Map<string, number>();
  const sockets = new Set<Socket>();
  const clients = new Set<Client>();
  const timers = new Set<NodeJS.Timeout>();
  let frozen = false;
  /** A delay that `close()` cuts short (it never ends: the request is dropped with the server). */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => (timers.delete(t), resolve()), ms);
      timers.add(t);
    });

  interface Client {
    ws: WebSocket;
    authed: boolean;
    lastId: number;
    /** subscription id → event type ('*' for all) */
    subs: Map<number, string>;
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => void upgrade(req, socket as Socket, head));

  async function upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, body: undefined });
    const fault = faults.shift();
    if (fault?.kind === 'drop') return void socket.destroy();
    if (fault?.kind === 'delay') await pause(fault.ms);
    if (socket.destroyed) return;
    const refuse = (status: number, body: string): void =>
      void socket.end(`HTTP/1.1 ${status} Error\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    if (fault?.kind === 'status') return refuse(fault.status, fault.body ?? `${fault.status}: Error`);
    if (path !== '/api/websocket') return refuse(404, '404: Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  }

  function serve(ws: WebSocket): void {
    const client: Client = { ws, authed: false, lastId: 0, subs: new Map() };
    clients.add(client);
    ws.on('close', () => clients.delete(client));
    ws.on('error', () => {});
    send(client, { type: 'auth_required', ha_version: HA_VERSION });
    ws.on('message', (data) => {
      if (frozen) return;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return void ws.close(1003);
      }
      if (!client.authed) return login(client, msg);
      command(client, msg);
    });
  }

  function login(client: Client, msg: Record<string, unknown>): void {
    const ok = msg.type === 'auth' && msg.access_token === token;
    logins.push({ ok });
    if (!ok) {
      const message = msg.type === 'auth' ? 'Invalid access token or password' : `Auth message incorrectly formatted: value must be one of ['auth'] for dictionary value @ data['type']`;
      send(client, { type: 'auth_invalid', message });
      return void client.ws.close();
    }
    client.authed = true;
    send(client, { type: 'auth_ok', ha_version: HA_VERSION });
  }

  function command(client: Client, msg: Record<string, unknown>): void {
    const id = msg.id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || typeof msg.type !== 'string')
      return result(client, typeof id === 'number' ? id : 0, undefined, { code: 'invalid_format', message: 'Message incorrectly formatted.' });
    if (id <= client.lastId) return result(client, id, undefined, { code: 'id_reuse', message: 'Identifier values have to increase.' });
    client.lastId = id;
    const type = msg.type;
    commands.push({ id, type, message: msg });
    const fi = commandFaults.findIndex((f) => f.type === type);
    if (fi >= 0) {
      const f = commandFaults.splice(fi, 1)[0];
      if (f.kind === 'silent') return;
      return result(client, id, undefined, { code: f.code, message: f.message });
    }
    switch (type) {
      case 'ping':
        return send(client, { id, type: 'pong' });
      case 'subscribe_events':
        client.subs.set(id, typeof msg.event_type === 'string' ? msg.event_type : '*');
        return result(client, id, null);
      case 'unsubscribe_events': {
        const sub = msg.subscription as number;
        if (!client.subs.delete(sub)) return result(client, id, undefined, { code: 'not_found', message: 'Subscription not found.' });
        return result(client, id, null);
      }
      case 'get_states':
        return result(client, id, [...states.values()]);
      case 'config/area_registry/list':
        return result(client, id, [...areas.values()].map((a) => ({ ...a, floor_id: null, humidity_entity_id: null, icon: null, labels: [], picture: null, temperature_entity_id: null, created_at: 0, modified_at: 0 })));
      case 'config/device_registry/list':
        return result(
          client,
          id,
          devices.map((d) => ({ ...d, name_by_user: null, config_entries: ['cfg_demo'], disabled_by: null, entry_type: null, manufacturer: 'Demo', model: 'Demo', via_device_id: null, labels: [] })),
        );
      case 'config/entity_registry/list':
        return result(client, id, [...registry.values()].map(partialDict));
      case 'config/entity_registry/get_entries': {
        const ids = msg.entity_ids;
        if (!Array.isArray(ids)) return result(client, id, undefined, { code: 'invalid_format', message: "required key not provided @ data['entity_ids']" });
        return result(client, id, Object.fromEntries(ids.map((e) => [e, registry.has(e) ? extendedDict(registry.get(e)!) : null])));
      }
      case 'call_service': {
        const context = newContext();
        const target = (msg.target ?? {}) as Record<string, unknown>;
        const data = { ...((msg.service_data ?? {}) as Record<string, unknown>), ...(target.entity_id !== undefined ? { entity_id: target.entity_id } : {}) };
        try {
          applyService(String(msg.domain), String(msg.service), data, context);
        } catch (err) {
          if (err instanceof ServiceError) return result(client, id, undefined, { code: err.code, message: err.message });
          throw err;
        }
        return result(client, id, { context });
      }
      default:
        return result(client, id, undefined, { code: 'unknown_command', message: 'Unknown command.' });
    }
  }

  function send(client: Client, message: unknown): void {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(message));
  }
  function result(client: Client, id: number, value: unknown, error?: { code: string; message: string }): void {
    send(client, error ? { id, type: 'result', success: false, error } : { id, type: 'result', success: true, result: value });
  }
  function fire(eventType: string, data: Record<string, unknown>, context: HaContext): void {
    if (frozen) return;
    const event = { event_type: eventType, data, origin: 'LOCAL', time_fired: new Date().toISOString().replace('Z', '+00:00'), context };
    for (const c of clients) for (const [sub, type] of c.subs) if (type === eventType || type === '*') send(c, { id: sub, type: 'event', event });
  }

  /** Sets a state the way Home Assistant's state machine does: a state_changed event when anything changed. */
  function write(entityId: string, state: string, attributes: Record<string, unknown>, context: HaContext): HaState | null {
    const old = states.get(entityId);
    if (old && old.state === state && JSON.stringify(old.attributes) === JSON.stringify(attributes)) return null;
    const now = new Date().toISOString().replace('Z', '+00:00');
    const next: HaState = { entity_id: entityId, state, attributes, last_changed: old && old.state === state ? old.last_changed : now, last_updated: now, context };
    states.set(entityId, next);
    fire('state_changed', { entity_id: entityId, old_state: old ?? null, new_state: next }, context);
    return next;
  }

  /** Home Assistant's behaviour: unknown entity ids are ignored; an unknown service is not_found. */
  function applyService(domain: string, service: string, data: Record<string, unknown>, context: HaContext): HaState[] {
    const known: Record<string, string[]> = {
      light: ['turn_on', 'turn_off', 'toggle'],
      switch: ['turn_on', 'turn_off', 'toggle'],
      fan: ['turn_on', 'turn_off', 'toggle', 'set_percentage'],
      lock: ['lock', 'unlock'],
      climate: ['turn_on', 'turn_off', 'set_temperature', 'set_hvac_mode'],
      scene: ['turn_on'],
      cover: ['open_cover', 'close_cover', 'set_cover_position', 'stop_cover'],
      media_player: ['turn_on', 'turn_off', 'volume_set', 'media_play', 'media_pause'],
    };
    if (!known[domain]?.includes(service)) throw new ServiceError('not_found', 'Service not found.');
    if (domain === 'climate' && service === 'set_temperature' && typeof data.temperature !== 'number')
      throw new ServiceError('invalid_format', "required key not provided @ data['temperature']");
    const ids = Array.isArray(data.entity_id) ? data.entity_id : [data.entity_id];
    const changed: HaState[] = [];
    for (const id of ids) {
      const e = typeof id === 'string' ? states.get(id) : undefined;
      if (!e || !id.startsWith(`${domain}.`)) continue;
      const [state, attributes] = next(e, domain, service, data);
      const delay = lateMs.get(id);
      if (delay !== undefined) {
        // A polled device: the call returns at once; the state follows in the integration's own context.
        const t = setTimeout(() => (timers.delete(t), write(id, state, attributes, newContext())), delay);
        timers.add(t);
        continue;
      }
      const written = write(id, state, attributes, context);
      if (written) changed.push(written);
    }
    return changed;
  }

  function next(e: HaState, domain: string, service: string, data: Record<string, unknown>): [string, Record<string, unknown>] {
    const a = structuredClone(e.attributes);
    const onOff = (on: boolean) => (on ? 'on' : 'off');
    const on = service === 'toggle' ? e.state !== 'on' : service === 'turn_on';
    switch (domain) {
      case 'light': {
        const pct = typeof data.brightness_pct === 'number' ? data.brightness_pct : undefined;
        a.brightness = on ? (pct !== undefined ? Math.round((pct / 100) * 255) : ((a.brightness as number | null) ?? 255)) : null;
        if (pct === 0) return ['off', { ...a, brightness: null }];
        return [onOff(on), a];
      }
      case 'switch':
        return [onOff(on), a];
      case 'fan':
        if (service === 'set_percentage') return [(data.percentage as number) > 0 ? 'on' : 'off', { ...a, percentage: data.percentage }];
        return [onOff(on), { ...a, percentage: on ? ((a.percentage as number) || 100) : 0 }];
      case 'lock':
        return [service === 'lock' ? 'locked' : 'unlocked', a];
      case 'climate':
        if (service === 'set_temperature') return [e.state, { ...a, temperature: data.temperature }];
        if (service === 'set_hvac_mode') return [String(data.hvac_mode), a];
        return [service === 'turn_on' ? 'heat' : 'off', a];
      case 'scene':
        return [new Date().toISOString().replace('Z', '+00:00'), a];
      case 'cover': {
        const pos = service === 'open_cover' ? 100 : service === 'close_cover' ? 0 : service === 'set_cover_position' ? Number(data.position) : (a.current_position as number);
        return [pos === 0 ? 'closed' : 'open', { ...a, current_position: pos }];
      }
      case 'media_player':
        if (service === 'volume_set') return [e.state, { ...a, volume_level: data.volume_level }];
        if (service === 'media_play') return ['playing', a];
        if (service === 'media_pause') return ['paused', a];
        return [service === 'turn_on' ? 'on' : 'off', a];
    }
    return [e.state, a];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* kept as text */
    }
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });

    const fault = faults.shift();
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'delay') await pause(fault.ms);
    if (res.destroyed) return;
    if (fault?.kind === 'status') return text(res, fault.status, fault.body ?? `${fault.status}: Error`);
    if (fault?.kind === 'body') return void res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);

    if (req.headers.authorization !== `Bearer ${token}`) return text(res, 401, '401: Unauthorized');
    if (req.method === 'GET' && path === '/api/') return json(res, 200, { message: 'API running.' });
    if (req.method === 'GET' && path === '/api/states') return json(res, 200, [...states.values()]);
    const one = path.match(/^\/api\/states\/([\w.]+)$/);
    if (req.method === 'GET' && one) {
      const e = states.get(one[1]);
      return e ? json(res, 200, e) : json(res, 404, { message: 'Entity not found.' });
    }
    const svc = path.match(/^\/api\/services\/(\w+)\/(\w+)$/);
    if (req.method === 'POST' && svc) {
      if (raw && typeof body === 'string') return json(res, 400, { message: 'Data should be valid JSON.' });
      try {
        return json(res, 200, applyService(svc[1], svc[2], (body ?? {}) as Record<string, unknown>, newContext()));
      } catch (err) {
        if (err instanceof ServiceError) return text(res, 400, '400: Bad Request');
        throw err;
      }
    }
    return text(res, 404, '404: Not Found');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  async function stop(): Promise<void> {
    for (const c of clients) c.ws.terminate();
    clients.clear();
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    commands,
    logins,
    get clients() {
      return clients.size;
    },
    state: (id) => structuredClone(states.get(id)),
    setState(id, state, attributes) {
      write(id, state, attributes ?? structuredClone(states.get(id)?.attributes ?? {}), newContext());
    },
    updateEntity(id, changes) {
      const entry = registry.get(id);
      if (!entry) throw new Error(`no registry entry ${id}`);
      const old = Object.fromEntries(Object.keys(changes).map((k) => [k, entry[k as keyof HaEntityEntry]]));
      Object.assign(entry, changes);
      fire('entity_registry_updated', { action: 'update', entity_id: id, changes: old }, newContext());
    },
    updateArea(areaId, name) {
      const area = areas.get(areaId);
      if (!area) throw new Error(`no area ${areaId}`);
      area.name = name;
      fire('area_registry_updated', { action: 'update', area_id: areaId }, newContext());
    },
    late: (id, ms) => void lateMs.set(id, ms),
    fault: (...f) => void faults.push(...f),
    commandFault: (...f) => void commandFaults.push(...f),
    freeze: (on = true) => void (frozen = on),
    stop,
    async start() {
      frozen = false;
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      if (server.listening) await stop();
      wss.close();
    },
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}
