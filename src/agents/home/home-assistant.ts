/**
 * Home Assistant over its WebSocket API, with a long-lived access token: one connection, a cache
 * of the states kept current by `state_changed` events, areas and aliases from the registries
 * (refreshed on `*_registry_updated`), and services called with the `call_service` command.
 *
 * Why services go over the socket, not `POST /api/services`: the command answers with the call's
 * context, and the `state_changed` events of that context arrive on the same socket before the
 * answer — exactly the "changed states" the REST endpoint reports, without a second transport, and
 * in order with the late changes the settle wait looks for (ha-settle.ts).
 *
 * The cache is filled on connect (get_states + registries) and served by `listEntities()` without a
 * request. While Home Assistant is unreachable (restarting, network down) `listEntities` and
 * `callService` fail at once with a clear retryable error instead of answering from a stale cache
 * (a door reported locked must be locked now); each call also tries to reconnect straight away.
 * In the background the backend reconnects with a doubling backoff (0.5 s … 30 s) until `close()`.
 * A rejected token is final: Home Assistant bans addresses that fail to log in repeatedly.
 *
 * The token lives only in this closure and the login message: never in an error, a log line, or
 * on the returned object.
 */
import { HomeError, type HomeBackend, type ServiceData } from './types.js';
import { HaCommandError, openHaConnection, type HaConnection } from './ha-connection.js';
import { areasSchema, callResultSchema, devicesSchema, entityEntriesSchema, extendedEntriesSchema, statesSchema } from './ha-messages.js';
import { aliasCandidates, buildView, type Registries } from './ha-view.js';
import { createHaCache } from './ha-cache.js';
import { expectedState } from './ha-settle.js';
import type { z } from 'zod';

/** What the backend logs (a pino logger fits): connection lost, restored, refused. Never the token. */
export interface HomeLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface HomeAssistantOptions {
  /** e.g. `http://homeassistant.local:8123` (a trailing `/api` is accepted). */
  url: string;
  token: string;
  /** Connecting + login, and each command. Default 10 s. */
  timeoutMs?: number;
  /** How long a call whose answer names none of its targets waits for their change (ha-settle.ts). Default 1 s. */
  settleMs?: number;
  /** Reconnect backoff bounds. Default 500 ms doubling to 30 s. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** A `ping` this often; no `pong` within `timeoutMs` drops the socket (a half-open connection). Default 30 s. */
  heartbeatMs?: number;
  /** Registry events come in bursts: one re-read per burst, this long after its first event. Default 200 ms. */
  registryDebounceMs?: number;
  logger?: HomeLogger;
}

const MAX_PAYLOAD = 64 * 1024 * 1024;
const REGISTRY_EVENTS = ['area_registry_updated', 'device_registry_updated', 'entity_registry_updated'] as const;

/** idle: never used; waiting: between reconnect attempts; failed: the token was refused (final). */
type Status = 'idle' | 'connecting' | 'ready' | 'waiting' | 'failed' | 'closed';

export function createHomeAssistantBackend(options: HomeAssistantOptions): HomeBackend {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new HomeError('bad_request', 'HA_URL is not a valid URL.');
  }
  if (!/^https?:$/.test(base.protocol)) throw new HomeError('bad_request', 'HA_URL must be an http or https URL.');
  if (!options.token) throw new HomeError('unauthorized', 'HA_TOKEN is required for Home Assistant.');
  // Shown in errors: the origin only, which never carries credentials or the token.
  const where = base.origin;
  const root = base.href.replace(/\/+$/, '').replace(/\/api$/, '');
  const wsUrl = `${root.replace(/^http/, 'ws')}/api/websocket`;
  const token = options.token;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const settleMs = options.settleMs ?? 1000;
  const minBackoff = options.reconnectMinMs ?? 500;
  const maxBackoff = Math.max(minBackoff, options.reconnectMaxMs ?? 30_000);
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const debounceMs = options.registryDebounceMs ?? 200;
  const log = options.logger;

  let status: Status = 'idle';
  let conn: HaConnection | null = null;
  let attempt: Promise<HaConnection> | null = null;
  let lastError: HomeError | null = null;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const lifetime = new AbortController();
  /** Every socket opened and not yet closed (one, or two while a reconnect overlaps a drop). */
  const sockets = new Set<HaConnection>();

  const cache = createHaCache((err) => log?.warn({ err }, 'home-assistant: a change listener threw'));

  // ── connecting ─────────────────────────────────────────────────────────────

  async function loadRegistries(c: HaConnection, signal?: AbortSignal): Promise<Registries> {
    /** A registry this Home Assistant does not have (an old version) or will not give: left empty. */
    const ask = async <T>(schema: z.ZodType<T>, message: { type: string; [k: string]: unknown }, empty: T): Promise<T> => {
      try {
        return parse(schema, await c.command(message, { signal }), message.type);
      } catch (err) {
        if (!(err instanceof HaCommandError)) throw err;
        log?.warn({ command: err.type, code: err.code }, 'home-assistant: a registry could not be read; names and areas may be incomplete');
        return empty;
      }
    };
    const [areas, devices, entries] = await Promise.all([
      ask(areasSchema, { type: 'config/area_registry/list' }, []),
      ask(devicesSchema, { type: 'config/device_registry/list' }, []),
      ask(entityEntriesSchema, { type: 'config/entity_registry/list' }, []),
    ]);
    const ids = aliasCandidates(entries);
    const extended = ids.length ? await ask(extendedEntriesSchema, { type: 'config/entity_registry/get_entries', entity_ids: ids }, {}) : {};
    return { areas, devices, entities: entries, extended };
  }

  async function connectAndLoad(): Promise<HaConnection> {
    const c = await openHaConnection({ url: wsUrl, token, where, timeoutMs, maxPayload: MAX_PAYLOAD, signal: lifetime.signal, onClose: (reason) => lost(c, reason) });
    sockets.add(c);
    try {
      const signal = lifetime.signal;
      // Subscribe first, then read: a change between the two is in the snapshot or comes as an event after it.
      await Promise.all([
        c.subscribeEvents('state_changed', cache.applyEvent, { signal }),
        ...REGISTRY_EVENTS.map((type) => c.subscribeEvents(type, () => scheduleRegistryRefresh(c), { signal })),
      ]);
      const [snapshot, registries] = await Promise.all([c.command({ type: 'get_states' }, { signal, onResult: cache.applySnapshot }), loadRegistries(c, signal)]);
      parse(statesSchema, snapshot, 'states');
      cache.setView(buildView(registries));
      return c;
    } catch (err) {
      sockets.delete(c);
      c.close();
      if (err instanceof HaCommandError) throw new HomeError('upstream', `Home Assistant at ${where} refused ${err.type} (${err.code}).`, true);
      throw err;
    }
  }

  function startAttempt(): Promise<HaConnection> {
    clearTimeout(retryTimer);
    status = 'connecting';
    const p = connectAndLoad();
    attempt = p;
    p.then(
      (c) => {
        if (status === 'closed') return void (sockets.delete(c), c.close());
        const wasLost = lastError !== null;
        conn = c;
        status = 'ready';
        failures = 0;
        lastError = null;
        cache.live = true;
        cache.rebuild();
        startHeartbeat(c);
        log?.info({ ha_version: c.haVersion, entities: cache.list().length }, wasLost ? 'home-assistant: reconnected' : 'home-assistant: connected');
      },
      (err: unknown) => {
        if (status === 'closed') return;
        const e = err instanceof HomeError ? err : new HomeError('unreachable', `Home Assistant at ${where} could not be loaded.`, true);
        const first = lastError === null;
        lastError = e;
        if (e.code === 'unauthorized') {
          status = 'failed';
          log?.warn({ code: e.code }, `home-assistant: ${e.message} Not retrying.`);
          return;
        }
        if (first) log?.warn({ code: e.code }, `home-assistant: ${e.message}`);
        retryLater();
      },
    );
    return p;
  }

  function retryLater(): void {
    status = 'waiting';
    const delay = Math.min(maxBackoff, minBackoff * 2 ** failures++);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void startAttempt().catch(() => {}), delay);
    retryTimer.unref();
  }

  /** The socket `c` is gone: serve nothing from the cache until a new one is loaded. */
  function lost(c: HaConnection, reason: HomeError): void {
    sockets.delete(c);
    if (c !== conn || status === 'closed') return;
    conn = null;
    cache.live = false;
    clearInterval(heartbeat);
    lastError = reason;
    failures = 0;
    log?.warn({ code: reason.code }, `home-assistant: ${reason.message}`);
    if (status === 'ready') retryLater(); // else an attempt is already under way
  }

  function startHeartbeat(c: HaConnection): void {
    clearInterval(heartbeat);
    heartbeat = setInterval(() => {
      c.command({ type: 'ping' }).catch((err: unknown) => {
        if (c !== conn || !(err instanceof HomeError) || err.code !== 'timeout') return;
        // No pong: the peer is gone without a close (a half-open TCP connection).
        c.close();
        lost(c, new HomeError('timeout', `Home Assistant at ${where} stopped answering; reconnecting.`, true));
      });
    }, heartbeatMs);
    heartbeat.unref();
  }

  let registryTimer: NodeJS.Timeout | undefined;
  let registryBusy = false;
  let registryAgain = false;

  function scheduleRegistryRefresh(c: HaConnection): void {
    if (registryTimer || status === 'closed') return;
    registryTimer = setTimeout(() => void refreshRegistries(c), debounceMs);
  }

  async function refreshRegistries(c: HaConnection): Promise<void> {
    registryTimer = undefined;
    if (registryBusy) return void (registryAgain = true);
    registryBusy = true;
    try {
      const registries = await loadRegistries(c, lifetime.signal);
      if (status === 'closed' || !c.open) return;
      cache.setView(buildView(registries));
      cache.rebuild();
    } catch (err) {
      // A dropped socket reloads everything on reconnect; anything else keeps the names we have.
      if (c.open && status !== 'closed') log?.warn({ code: (err as HomeError).code }, 'home-assistant: re-reading the registries failed');
    } finally {
      registryBusy = false;
      if (registryAgain) {
        registryAgain = false;
        scheduleRegistryRefresh(c);
      }
    }
  }

  /** The live connection with a loaded cache, connecting now if there is none. */
  async function ready(signal?: AbortSignal): Promise<HaConnection> {
    if (signal?.aborted) throw signal.reason;
    if (status === 'closed') throw new HomeError('unreachable', 'The Home Assistant backend is closed.');
    if (status === 'failed') throw lastError!;
    if (status === 'ready' && conn?.open) return conn;
    const p = status === 'connecting' && attempt ? attempt : startAttempt();
    if (!signal) return p;
    return new Promise<HaConnection>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const r = schema.safeParse(value);
    if (!r.success) throw new HomeError('bad_response', `Home Assistant at ${where} sent ${what} in an unexpected shape.`);
    return r.data;
  }

  // ── services ───────────────────────────────────────────────────────────────

  function serviceError(err: unknown, domain: string, service: string): unknown {
    const name = `${domain}.${service}`;
    if (err instanceof HaCommandError) {
      const why = err.haMessage ? `: ${err.haMessage}` : '';
      switch (err.code) {
        case 'not_found':
          return new HomeError('unknown_service', `Home Assistant has no service ${name}.`);
        case 'invalid_format':
        case 'service_validation_error':
          return new HomeError('bad_request', `Home Assistant refused ${name}${why}.`);
        case 'unauthorized':
          return new HomeError('unauthorized', `Home Assistant does not let this token's user call ${name}; check the user's permissions.`, false, 401);
        default:
          return new HomeError('upstream', `Home Assistant failed to carry out ${name}${why}.`);
      }
    }
    if (err instanceof HomeError && (err.code === 'unreachable' || err.code === 'timeout'))
      return new HomeError(err.code, `${err.message} ${name} may or may not have been carried out.`, true);
    return err;
  }

  const segment = /^[a-z0-9_]+$/;
  return {
    name: 'home-assistant',

    async listEntities(signal) {
      await ready(signal);
      return cache.list();
    },

    async callService(domain, service, data, signal) {
      if (!segment.test(domain) || !segment.test(service))
        throw new HomeError('unknown_service', `"${domain}.${service}" is not a valid service name.`);
      const { entity_id, ...serviceData } = (data ?? {}) as ServiceData;
      const ids = (Array.isArray(entity_id) ? entity_id : entity_id === undefined ? [] : [entity_id]).filter((id): id is string => typeof id === 'string');
      const c = await ready(signal);
      for (const id of ids) if (cache.isHidden(id)) throw new HomeError('unknown_entity', `${id} is not exposed to Assist in Home Assistant.`);

      const before = ids.map((id) => cache.get(id));
      const mark = cache.seq;
      let result: unknown;
      try {
        const target = entity_id === undefined ? {} : { target: { entity_id } };
        result = await c.command({ type: 'call_service', domain, service, service_data: serviceData, ...target }, { signal });
      } catch (err) {
        throw serviceError(err, domain, service);
      }
      const context = parse(callResultSchema, result, 'the service result').context.id;

      const targets = new Set(ids);
      let changed = cache.changesSince(mark, context, targets);
      const reported = ids.some((id) => changed.has(id));
      const expected = expectedState(domain, service, data);
      const alreadyThere = expected !== undefined && before.every((e) => e?.state === expected);
      const known = before.some(Boolean);
      if (!reported && !alreadyThere && known && settleMs > 0) {
        await cache.waitForChange(targets, settleMs, signal);
        changed = cache.changesSince(mark, context, targets);
      }
      return [...changed.values()];
    },

    subscribe(listener) {
      const off = cache.subscribe(listener);
      // Subscribing is a reason to connect: the listener hears the first load.
      if (status === 'idle') startAttempt().catch(() => {});
      return off;
    },

    async close() {
      if (status === 'closed') return;
      status = 'closed';
      lifetime.abort(new HomeError('unreachable', 'The Home Assistant backend is closed.'));
      clearTimeout(retryTimer);
      clearTimeout(registryTimer);
      clearInterval(heartbeat);
      for (const c of sockets) c.close();
      sockets.clear();
      conn = null;
      cache.clear();
    },
  };
}
