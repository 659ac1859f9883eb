/**
 * A local server speaking Home Assistant's REST API, for testing the Home Assistant backend and
 * the action agent over real HTTP: Bearer auth, `GET /api/`, `GET /api/states[/<id>]`,
 * `POST /api/services/<domain>/<service>` updating state and answering with the changed states.
 * Faults (status codes, delays, dropped connections, bad bodies) are scripted per request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HaState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_updated: string;
}

export type HaFault =
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'body'; body: string };

export interface HaRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface HaServer {
  /** e.g. `http://127.0.0.1:41234` (no trailing `/api`). */
  url: string;
  token: string;
  requests: HaRequest[];
  state(entityId: string): HaState | undefined;
  /** Faults for the next requests, first in first out. */
  fault(...faults: HaFault[]): void;
  close(): Promise<void>;
}

const at = '2026-01-01T00:00:00.000Z';
const s = (entity_id: string, state: string, attributes: Record<string, unknown>): HaState => ({ entity_id, state, attributes, last_changed: at, last_updated: at });

/** A small real-looking install: no areas in states (the REST API has none), one entity without a friendly name. */
export function haFixtureStates(): HaState[] {
  return [
    s('light.kitchen_ceiling', 'on', { friendly_name: 'Kitchen Ceiling', brightness: 255, supported_color_modes: ['brightness'], color_mode: 'brightness' }),
    s('light.kitchen_island', 'off', { friendly_name: 'Kitchen Island Pendants', brightness: null, supported_color_modes: ['brightness'] }),
    s('light.living_room_floor_lamp', 'on', { friendly_name: 'Living Room Floor Lamp', brightness: 128, supported_color_modes: ['brightness'] }),
    s('light.porch', 'off', { friendly_name: 'Porch Light', brightness: null }),
    s('switch.kettle', 'off', { friendly_name: 'Kettle' }),
    s('lock.front_door', 'locked', { friendly_name: 'Front Door' }),
    s('lock.back_door', 'unlocked', { friendly_name: 'Back Door' }),
    s('climate.hallway', 'heat', { friendly_name: 'Hallway Thermostat', hvac_modes: ['off', 'heat'], current_temperature: 19.5, temperature: 20, min_temp: 7, max_temp: 35 }),
    s('scene.movie_night', '2025-12-31T20:00:00+00:00', { friendly_name: 'Movie Night', entity_id: ['light.living_room_floor_lamp'] }),
    s('sensor.outdoor_temperature', '4.2', { friendly_name: 'Outdoor Temperature', unit_of_measurement: '°C', device_class: 'temperature' }),
    s('light.garage_strip', 'off', {}),
  ];
}

export async function startHaServer(options: { token?: string; states?: HaState[] } = {}): Promise<HaServer> {
  const token = options.token ?? 'ha-test-token.eyJhbGciOiJIUzI1NiJ9.SECRET';
  const states = new Map((options.states ?? haFixtureStates()).map((e) => [e.entity_id, structuredClone(e)]));
  const faults: HaFault[] = [];
  const requests: HaRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });

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
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
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
      const changed = callService(svc[1], svc[2], (body ?? {}) as Record<string, unknown>);
      return changed ? json(res, 200, changed) : text(res, 400, '400: Bad Request');
    }
    return text(res, 404, '404: Not Found');
  }

  /** Home Assistant's behaviour: unknown entity ids are ignored; an unknown service is a 400. */
  function callService(domain: string, service: string, data: Record<string, unknown>): HaState[] | null {
    const known = ['turn_on', 'turn_off', 'toggle', 'lock', 'unlock', 'set_temperature'];
    if (!['light', 'switch', 'lock', 'climate', 'scene'].includes(domain) || !known.includes(service)) return null;
    const ids = Array.isArray(data.entity_id) ? data.entity_id : [data.entity_id];
    const changed: HaState[] = [];
    for (const id of ids) {
      const e = typeof id === 'string' ? states.get(id) : undefined;
      if (!e || !id.startsWith(`${domain}.`)) continue;
      const before = JSON.stringify([e.state, e.attributes]);
      const now = new Date().toISOString();
      if (domain === 'light' || domain === 'switch') {
        const on = service === 'toggle' ? e.state !== 'on' : service === 'turn_on';
        e.state = on ? 'on' : 'off';
        if (domain === 'light') {
          const pct = typeof data.brightness_pct === 'number' ? data.brightness_pct : undefined;
          e.attributes.brightness = on ? (pct !== undefined ? Math.round((pct / 100) * 255) : ((e.attributes.brightness as number | null) ?? 255)) : null;
          if (pct === 0) [e.state, e.attributes.brightness] = ['off', null];
        }
      } else if (domain === 'lock') e.state = service === 'lock' ? 'locked' : 'unlocked';
      else if (domain === 'climate') {
        if (service === 'set_temperature') {
          if (typeof data.temperature !== 'number') return null;
          e.attributes.temperature = data.temperature;
        } else e.state = service === 'turn_on' ? 'heat' : 'off';
      } else if (domain === 'scene') e.state = now;
      if (JSON.stringify([e.state, e.attributes]) !== before) {
        e.last_updated = now;
        changed.push(structuredClone(e));
      }
    }
    return changed;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    state: (id) => structuredClone(states.get(id)),
    fault: (...f) => void faults.push(...f),
    async close() {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
