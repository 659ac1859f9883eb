/**
 * The Home Assistant backend's picture of the home: the raw states (a `get_states` snapshot, then
 * `state_changed` events), the registry view (ha-view.ts), the entities Barnabee sees, the last few
 * hundred changes (to match a service call's context against), and the `subscribe` listeners.
 * Everything here is bounded: states and entities by the home's size, the changes by
 * RECENT_CHANGES, the listeners by MAX_HOME_LISTENERS, pending notifications by entity.
 */
import type { HomeEntity } from './types.js';
import { eventSchema, stateChangedSchema, statesSchema, type HaState } from './ha-messages.js';
import { EMPTY_VIEW, sameEntity, toEntity, type RegistryView } from './ha-view.js';

/** How many `subscribe` listeners one backend keeps; more is a leak in the caller. */
export const MAX_HOME_LISTENERS = 64;
/** How many recent state changes are kept to match a service call's context against. */
const RECENT_CHANGES = 512;

interface Change {
  seq: number;
  entityId: string;
  contextId: string | undefined;
  entity: HomeEntity | undefined;
}

export interface HaCache {
  /** A `get_states` result: replaces every state (call it in message order: see HaConnection's onResult). */
  applySnapshot(result: unknown): void;
  /** A `state_changed` event's `event`. */
  applyEvent(raw: unknown): void;
  setView(view: RegistryView): void;
  /** Recomputes every entity (after a snapshot or new registries); listeners hear what changed. */
  rebuild(): void;
  /** Whether listeners are told about changes (not while a reconnect is loading). */
  live: boolean;
  list(): HomeEntity[];
  get(entityId: string): HomeEntity | undefined;
  isHidden(entityId: string): boolean;
  /** A mark for `changesSince`. */
  readonly seq: number;
  /** The latest state of each entity changed after `mark` in the context `contextId`, or among `targets`. */
  changesSince(mark: number, contextId: string, targets: Set<string>): Map<string, HomeEntity>;
  /** Resolves when one of `ids` changes or after `ms`; rejects when `signal` aborts. */
  waitForChange(ids: Set<string>, ms: number, signal?: AbortSignal): Promise<void>;
  subscribe(listener: (changed: HomeEntity[]) => void): () => void;
  clear(): void;
}

export function createHaCache(onListenerError: (err: unknown) => void): HaCache {
  const states = new Map<string, HaState>();
  let view: RegistryView = EMPTY_VIEW;
  const entities = new Map<string, HomeEntity>();
  let listed: HomeEntity[] | null = null;
  const recent: Change[] = [];
  let seq = 0;
  const waiters = new Set<{ ids: Set<string>; wake(): void }>();
  const listeners = new Set<(changed: HomeEntity[]) => void>();
  const toNotify = new Map<string, HomeEntity>();
  let dirty = false;
  let scheduled = false;
  let closed = false;

  /** Recomputes one entity from its state and the registry view; notes it for listeners if it changed. */
  function refresh(entityId: string): HomeEntity | undefined {
    const s = states.get(entityId);
    const next = s ? toEntity(s, view) : undefined;
    const prev = entities.get(entityId);
    if (next) entities.set(entityId, next);
    else entities.delete(entityId);
    if (!sameEntity(prev, next)) {
      listed = null;
      if (next && listeners.size) toNotify.set(entityId, next);
      dirty = listeners.size > 0;
    }
    return next;
  }

  function notify(): void {
    if (!cache.live || !dirty || scheduled) return;
    scheduled = true;
    // One call per burst of events read together, not one per event.
    setImmediate(() => {
      scheduled = false;
      const changed = [...toNotify.values()];
      toNotify.clear();
      dirty = false;
      if (closed) return;
      for (const listener of [...listeners]) {
        try {
          listener(changed);
        } catch (err) {
          onListenerError(err);
        }
      }
    });
  }

  const cache: HaCache = {
    live: false,
    applySnapshot(result) {
      const parsed = statesSchema.safeParse(result);
      if (!parsed.success) return; // The loader awaiting this result reports it.
      states.clear();
      for (const s of parsed.data) states.set(s.entity_id, s);
    },
    applyEvent(raw) {
      const event = eventSchema.safeParse(raw);
      const data = event.success ? stateChangedSchema.safeParse(event.data.data) : undefined;
      if (!data?.success) return; // One malformed event must not take the cache down; the next load repairs it.
      const { entity_id: id, new_state } = data.data;
      if (new_state) states.set(id, new_state);
      else states.delete(id);
      const entity = refresh(id);
      recent.push({ seq: ++seq, entityId: id, contextId: new_state?.context?.id ?? event.data?.context?.id, entity });
      if (recent.length > RECENT_CHANGES) recent.shift();
      for (const w of waiters) if (w.ids.has(id)) w.wake();
      notify();
    },
    setView(next) {
      view = next;
    },
    rebuild() {
      for (const id of [...entities.keys()]) if (!states.has(id)) refresh(id);
      for (const id of states.keys()) refresh(id);
      notify();
    },
    list() {
      listed ??= [...entities.values()];
      return listed.slice();
    },
    get: (id) => entities.get(id),
    isHidden: (id) => view.hidden.has(id),
    get seq() {
      return seq;
    },
    changesSince(mark, contextId, targets) {
      const changed = new Map<string, HomeEntity>();
      for (const ch of recent) if (ch.seq > mark && ch.entity && (ch.contextId === contextId || targets.has(ch.entityId))) changed.set(ch.entityId, ch.entity);
      return changed;
    },
    waitForChange(ids, ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          signal?.removeEventListener('abort', onAbort);
        };
        const waiter = { ids, wake: () => (done(), resolve()) };
        const onAbort = () => (done(), reject(signal!.reason));
        const timer = setTimeout(waiter.wake, ms);
        waiters.add(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    subscribe(listener) {
      if (listeners.size >= MAX_HOME_LISTENERS) throw new Error(`The Home Assistant backend already has ${MAX_HOME_LISTENERS} listeners; unsubscribe the old ones.`);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (!listeners.size) (toNotify.clear(), (dirty = false));
      };
    },
    clear() {
      closed = true;
      cache.live = false;
      for (const w of waiters) w.wake();
      listeners.clear();
      toNotify.clear();
      states.clear();
      entities.clear();
      listed = null;
      recent.length = 0;
    },
  };
  return cache;
}
