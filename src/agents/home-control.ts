/**
 * Control of the home, shared by every path that acts on it: the action agent's rules, its model
 * fallback and the interaction agent's tools. One backend, one memory of questions waiting for a
 * yes (so a "yes" on the next turn is caught by the action agent whichever path asked), one way to
 * carry out service calls and report them (`action` parts), one way to ask before unlocking.
 */
import type { AgentContext, AgentPart } from '../turn/index.js';
import { HomeError, domainOf, type HomeBackend, type HomeEntity } from './home/index.js';
import { ConversationMemory } from './action-memory.js';
import { confirmWhat, donePhrase, keptAs, type ServiceCall, type Step } from './action-plan.js';
import { indexHome, type HomeIndex } from './action-resolve.js';
import { describe, joinWords, percentOf, stateWords } from './action-speech.js';

export interface HomeControl {
  readonly home: HomeBackend;
  /** Questions waiting for a yes, and what was last talked about, per conversation. */
  readonly memory: ConversationMemory;
  /** The home's entities as they are now, indexed for the resolver. */
  read(signal?: AbortSignal): Promise<HomeIndex>;
}

export interface HomeControlOptions {
  /** How long an "are you sure?" stays open. Default 30 s. */
  confirmTimeoutMs?: number;
  /** Clock for expiry (tests). */
  now?: () => number;
}

export function createHomeControl(home: HomeBackend, options: HomeControlOptions = {}): HomeControl {
  // Indexing every name and alias is most of the cost of reading the home, and names change far
  // less often than states: the index is rebuilt only when a name, alias or area changed, and
  // otherwise given this read's states.
  let cached: { key: string; index: HomeIndex } | null = null;
  return {
    home,
    memory: new ConversationMemory(options.confirmTimeoutMs ?? 30_000, options.now ?? Date.now),
    async read(signal) {
      const entities = await home.listEntities(signal);
      const key = namingKey(entities);
      if (cached?.key === key) return withStates(cached.index, entities);
      const index = indexHome(entities);
      cached = { key, index };
      return index;
    },
  };
}

/** What the index is built from, besides states: ids, names, aliases, areas and their aliases. */
function namingKey(entities: HomeEntity[]): string {
  const list = (v: unknown) => (Array.isArray(v) ? v.join('\u0002') : '');
  let key = '';
  for (const e of entities) {
    const a = e.attributes;
    key += `${e.entity_id}\u0001${a.friendly_name}\u0001${a.area ?? ''}\u0001${list(a.area_aliases)}\u0001${list(a.aliases)}\u0000`;
  }
  return key;
}

/** A cached index whose entities are this read's (the same ids, in the same order). */
function withStates(index: HomeIndex, entities: HomeEntity[]): HomeIndex {
  const byId = new Map(entities.map((e) => [e.entity_id, e]));
  return { ...index, entries: index.entries.map((x) => ({ ...x, entity: byId.get(x.entity.entity_id)! })), byId };
}

export interface Outcome {
  sentences: string[];
  aborted: boolean;
}

/**
 * Carry out steps in order (a scene before the light changed after it); calls within a step run
 * together. One `action` part per call, ok or not; one `error` part if the home failed.
 */
export async function* carryOut(work: { step: Step; calls: ServiceCall[] }[], home: HomeBackend, signal: AbortSignal): AsyncGenerator<AgentPart, Outcome> {
  const done: string[] = [];
  const failed: string[] = [];
  let firstError: unknown;
  for (const { step, calls } of work) {
    if (!calls.length) continue;
    if (signal.aborted) return { sentences: [], aborted: true };
    const results = await Promise.allSettled(
      // async: a backend that throws instead of rejecting is a failed call too, never an escape.
      calls.map(async (c) => {
        const [domain, service] = c.service.split('.');
        return home.callService(domain, service, { entity_id: c.entity.entity_id, ...c.data }, signal);
      }),
    );
    if (signal.aborted) return { sentences: [], aborted: true };
    const ok: HomeEntity[] = [];
    const bad: { entity: HomeEntity; err: unknown }[] = [];
    for (const [i, r] of results.entries()) {
      const c = calls[i];
      if (r.status === 'fulfilled') {
        const after = r.value.find((e) => e.entity_id === c.entity.entity_id);
        ok.push(c.entity);
        yield { type: 'action', service: c.service, target: c.entity.entity_id, ok: true, detail: outcomeWords(c, after) };
      } else {
        firstError ??= r.reason;
        bad.push({ entity: c.entity, err: r.reason });
        const message = r.reason instanceof HomeError ? r.reason.message : 'The home backend failed unexpectedly.';
        yield { type: 'action', service: c.service, target: c.entity.entity_id, ok: false, detail: message };
      }
    }
    if (ok.length) done.push(donePhrase(step, ok, !bad.length));
    if (bad.length) failed.push(`I couldn't ${step.todo} ${describe(bad.map((b) => b.entity))}${step.suffix}: ${spokenReason(bad[0].err)}.`);
  }
  if (firstError !== undefined) yield errorPart(firstError);
  const sentences = done.length ? [`${failed.length ? '' : 'Okay, '}I ${joinWords(done)}.`] : [];
  return { sentences: [...sentences, ...failed], aborted: false };
}

/**
 * An `action` part's `detail` for a call the home accepted: the state it reported; without one,
 * 'unchanged' when the state before the call (`call.entity`) already was what the call sets, and
 * 'no change reported' when it was not (Home Assistant reports only states that changed, so the
 * device may still be on its way, or ignored the call).
 */
function outcomeWords(call: ServiceCall, after: HomeEntity | undefined): string {
  if (domainOf(call.entity.entity_id) === 'scene') return 'activated';
  if (after) return stateWords(after);
  return alreadyThere(call) ? 'unchanged' : 'no change reported';
}

/** Whether the entity, as read before the call, already was in the state the call sets. */
function alreadyThere({ service, entity, data }: ServiceCall): boolean {
  const verb = service.split('.')[1];
  const a = entity.attributes;
  switch (verb) {
    case 'turn_on':
      if (typeof data.brightness_pct === 'number') return entity.state === 'on' && typeof a.brightness === 'number' && percentOf(entity) === data.brightness_pct;
      return domainOf(entity.entity_id) === 'climate' ? entity.state !== 'off' : entity.state === 'on';
    case 'turn_off':
      return entity.state === 'off';
    case 'lock':
      return entity.state === 'locked';
    case 'unlock':
      return entity.state === 'unlocked';
    case 'open_cover':
    case 'open_valve':
      return entity.state === 'open';
    case 'close_cover':
    case 'close_valve':
      return entity.state === 'closed';
    case 'set_temperature':
      return a.temperature === data.temperature;
    default:
      return false;
  }
}

/**
 * Ask before unlocking or opening a way in (home-policy.ts), bound to the client that asked. A turn
 * without a `confirm_scope` has no way to answer (no connection or address to bind to), so nothing
 * is asked and nothing unlocked or opened.
 */
export function askFirst(memory: ConversationMemory, ctx: AgentContext, calls: ServiceCall[]): string {
  const what = confirmWhat(calls);
  const scope = ctx.request.confirm_scope;
  if (scope === undefined) return `I can't ${what} from here: that needs a yes from the same connection, so I left ${keptAs(calls)}.`;
  memory.ask(ctx.conversationId, scope, calls, what);
  return `Are you sure you want me to ${what}?`;
}

export function errorPart(err: unknown): AgentPart {
  if (err instanceof HomeError) return { type: 'error', code: `home_${err.code}`, message: err.message, retryable: err.retryable };
  return { type: 'error', code: 'home_failed', message: 'The home backend failed unexpectedly.', retryable: false };
}

/** Why a call failed, in words fit to speak (no URLs, no status codes). */
export function spokenReason(err: unknown): string {
  if (!(err instanceof HomeError)) return 'something went wrong';
  switch (err.code) {
    case 'timeout':
    case 'unreachable':
      return "the home system isn't answering";
    case 'unauthorized':
      return 'the home system refused my access';
    case 'invalid_value':
      return err.message.replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase());
    default:
      return 'the home system reported an error';
  }
}

/** "Sorry, I can't reach the home right now." — the home backend by the name a person knows. */
export const homeName = (home: HomeBackend): string => (home.name === 'home-assistant' ? 'Home Assistant' : 'the home');
