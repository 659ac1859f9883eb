/**
 * Commands meet entities: which domains a command may touch, the service calls it becomes, and
 * the spoken answers to state questions. Pure: reads entity snapshots, calls nothing.
 */
import type { HomeEntity } from './home/index.js';
import { domainOf } from './home/index.js';
import type { Command, StateWord } from './action-parse.js';
import type { Group, Resolution } from './action-resolve.js';
import { capitalize, classNoun, describe, fmt, joinWords, percentOf, stateWords, the } from './action-speech.js';
import { powerService } from './home-services.js';
import { needsConfirmation } from './home-policy.js';

export interface ServiceCall {
  /** `<domain>.<service>`, e.g. `light.turn_on`. */
  service: string;
  entity: HomeEntity;
  /** Service data beyond `entity_id`. */
  data: Record<string, number | string | boolean>;
}

/** A command ready to carry out, with what to say about it. */
export interface Step {
  calls: ServiceCall[];
  /** Calls that wait for a spoken yes (unlocking, opening a way in: home-policy.ts). */
  confirm: ServiceCall[];
  /** Past tense and infinitive: "turned off" / "turn off". */
  done: string;
  todo: string;
  /** Said after the target: " to 30 percent". */
  suffix: string;
  area?: string;
  everything: boolean;
  /** The targets as said, when several were named ("the kitchen and living room lights"). */
  groups?: Group[];
  /** A sentence to say instead of (or besides) carrying anything out: answers and refusals. */
  say?: string;
}

/** What a person switches as a group ("turn off everything in the bedroom"): not doors, covers or scenes. */
const SWITCHED = ['light', 'switch', 'fan', 'media_player'];
const STOPPABLE = ['media_player', 'cover', 'fan', 'light', 'switch', 'climate'];

/** Domains a command can touch, most likely first. */
export function domainsFor(c: Command): string[] {
  switch (c.kind) {
    case 'power':
      if (c.implicit) return ['scene'];
      // Locks and covers last: "turn off the front door" means what Home Assistant's HassTurnOff means (home-services.ts).
      return c.action === 'on' ? [...SWITCHED, 'scene', 'climate', 'cover', 'lock'] : [...SWITCHED, 'climate', 'cover', 'lock'];
    case 'brightness':
      return ['light', 'fan', 'cover', 'media_player'];
    case 'temperature':
      return ['climate'];
    case 'lock':
      // "lock up" is every lock; "lock the garage" is a garage door, which is a cover.
      return c.target ? ['lock', 'cover'] : ['lock'];
    case 'cover':
      return ['cover', 'lock'];
    case 'media':
      if (c.action === 'play') return c.target ? ['media_player', 'scene'] : ['media_player'];
      return c.action === 'stop' && c.target ? STOPPABLE : ['media_player'];
    case 'volume':
      return ['media_player'];
    case 'query':
      if (c.ask === 'temperature') return ['climate'];
      if (c.ask === 'brightness') return ['light'];
      if (c.ask === 'playing' || c.expect === 'playing' || c.expect === 'paused') return ['media_player'];
      if (c.expect === 'locked' || c.expect === 'unlocked') return ['lock', 'cover'];
      if (c.expect === 'open' || c.expect === 'closed') return ['cover', 'lock'];
      if (c.expect === 'on' || c.expect === 'off') return [...SWITCHED, 'climate'];
      // Scenes have no state worth reporting; asking about one is almost always a misheard word.
      return [...SWITCHED, 'cover', 'lock', 'climate'];
  }
}

/** What a bare area or "everything" means for this command (resolver's `group`). */
export function groupFor(c: Command): string[] {
  switch (c.kind) {
    case 'power':
      // Off is everything there ("turn off the bedroom"); on is the lights, not the TV as well.
      return c.action === 'off' ? SWITCHED : ['light', 'switch'];
    case 'brightness':
      return ['light'];
    case 'lock':
      return ['lock'];
    case 'cover':
      return ['cover'];
    case 'query':
      if (c.expect === 'locked' || c.expect === 'unlocked') return ['lock'];
      if (c.expect === 'open' || c.expect === 'closed') return ['cover', 'lock'];
      return SWITCHED;
    default:
      return SWITCHED;
  }
}

/** An empty target means "all of them" only where there is one obvious set: locks, the thermostat, the media players. */
export const emptyMeansAll = (c: Command): boolean =>
  c.kind === 'lock' ||
  c.kind === 'temperature' ||
  c.kind === 'volume' ||
  c.kind === 'media' ||
  (c.kind === 'query' && (c.ask === 'temperature' || c.ask === 'playing'));

const clampPct = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

/** What to say for a service: past tense and infinitive ("turned on" / "turn on"). */
const SERVICE_WORDS: Record<string, [done: string, todo: string]> = {
  turn_on: ['turned on', 'turn on'],
  turn_off: ['turned off', 'turn off'],
  toggle: ['toggled', 'toggle'],
  lock: ['locked', 'lock'],
  unlock: ['unlocked', 'unlock'],
  open_cover: ['opened', 'open'],
  close_cover: ['closed', 'close'],
  stop_cover: ['stopped', 'stop'],
  media_play: ['pressed play on', 'press play on'],
  media_pause: ['paused', 'pause'],
  media_stop: ['stopped', 'stop'],
  media_next_track: ['skipped to the next track on', 'skip to the next track on'],
  media_previous_track: ['went back a track on', 'go back a track on'],
  volume_up: ['turned up the volume on', 'turn up the volume on'],
  volume_down: ['turned down the volume on', 'turn down the volume on'],
  volume_set: ['set the volume on', 'set the volume on'],
  set_percentage: ['set', 'set'],
  set_cover_position: ['set', 'set'],
  set_temperature: ['set', 'set'],
};

/** One thing to do (or to say instead) for one entity; acts with the same words become one step. */
type Act = { call: ServiceCall; done: string; todo: string; suffix: string } | { say: string };

function wordsFor(domain: string, service: string, data: ServiceCall['data']): [done: string, todo: string] {
  if (service === 'volume_mute') return data.is_volume_muted ? ['muted', 'mute'] : ['unmuted', 'unmute'];
  if (service === 'turn_on' && domain === 'scene') return ['started', 'start'];
  const plain = service.replace(/_/g, ' ');
  return SERVICE_WORDS[service] ?? [plain, plain];
}

const act = (e: HomeEntity, service: string, data: ServiceCall['data'] = {}, suffix = ''): Act => {
  const domain = domainOf(e.entity_id);
  const [done, todo] = wordsFor(domain, service, data);
  return { call: { service: `${domain}.${service}`, entity: e, data }, done, todo, suffix };
};

type Base = Pick<Step, 'area' | 'everything' | 'groups'>;

/**
 * Acts → steps: the same words together, in the order first met; calls that the safety policy
 * holds (home-policy.ts) wait for a yes. Several steps describe their own entities only.
 */
export function stepsOf(acts: Act[], base: Base = { everything: false }): Step[] {
  const steps = new Map<string, Step>();
  const sayings: string[] = [];
  for (const a of acts) {
    if ('say' in a) {
      if (!sayings.includes(a.say)) sayings.push(a.say);
      continue;
    }
    const key = `${a.done}|${a.suffix}`;
    let step = steps.get(key);
    if (!step) steps.set(key, (step = { calls: [], confirm: [], done: a.done, todo: a.todo, suffix: a.suffix, everything: false }));
    (needsConfirmation(a.call.service, a.call.entity) ? step.confirm : step.calls).push(a.call);
  }
  const out = [...steps.values()];
  if (out.length === 1) Object.assign(out[0], base);
  else for (const st of out) st.area = base.area;
  if (sayings.length) out.push({ calls: [], confirm: [], done: '', todo: '', suffix: '', everything: false, say: sayings.join(' ') });
  return out;
}

/**
 * Steps for calls decided elsewhere (a confirmed unlock, the model's plan, the model's tools): the
 * rules' words for them, with the level a call sets ("set the bedroom light to 40 percent").
 */
export const stepsForCalls = (calls: ServiceCall[]): Step[] =>
  stepsOf(
    calls.map((c) => {
      const level = levelOf(c.data);
      const a = act(c.entity, c.service.split('.')[1], c.data, level ? ` to ${level}` : '');
      // "turned on the lamp to 40 percent" is not how anyone says it.
      return level && c.service.endsWith('.turn_on') ? { ...a, done: 'set', todo: 'set', call: c } : { ...a, call: c };
    }),
  );

/** The level in a call's data, in words: "40 percent", "21.5 degrees", "red at 40 percent". */
function levelOf(data: ServiceCall['data']): string | undefined {
  if (typeof data.temperature === 'number') return `${fmt(data.temperature)} degrees`;
  let pct: string | undefined;
  for (const key of ['brightness_pct', 'percentage', 'position']) if (typeof data[key] === 'number') pct = `${fmt(data[key] as number)} percent`;
  if (typeof data.volume_level === 'number') pct = `${Math.round(data.volume_level * 100)} percent`;
  if (typeof data.color_name === 'string') return pct ? `${data.color_name} at ${pct}` : data.color_name;
  return pct;
}

/** "unlock the front door and open the garage door": what a confirmation asks about. */
export function confirmWhat(calls: ServiceCall[]): string {
  const byVerb = new Map<string, HomeEntity[]>();
  for (const c of stepsForCalls(calls).flatMap((s) => [...s.calls, ...s.confirm].map((call) => [s.todo, call.entity] as const))) byVerb.set(c[0], [...(byVerb.get(c[0]) ?? []), c[1]]);
  return joinWords([...byVerb].map(([todo, list]) => `${todo} ${describe(list)}`));
}

/** "the front door locked and the garage door closed": how things stay when the answer is no. */
export function keptAs(calls: ServiceCall[]): string {
  const byState = new Map<string, HomeEntity[]>();
  for (const { entity } of calls) {
    const d = domainOf(entity.entity_id);
    const state = d === 'lock' ? 'locked' : d === 'cover' ? 'closed' : stateWords(entity);
    byState.set(state, [...(byState.get(state) ?? []), entity]);
  }
  return joinWords([...byState].map(([state, list]) => `${describe(list)} ${state}`));
}

/** A thermostat's settable range; an unreported bound is open. */
export function tempRange(e: HomeEntity): { min: number; max: number } {
  const { min_temp: min, max_temp: max } = e.attributes;
  return { min: typeof min === 'number' ? min : -Infinity, max: typeof max === 'number' ? max : Infinity };
}

/** "can be set from 10 to 30 degrees", "can be set up to 30 degrees": the range in words, open bounds left out. */
export function rangeWords(e: HomeEntity): string {
  const { min, max } = tempRange(e);
  if (Number.isFinite(min) && Number.isFinite(max)) return `can be set from ${fmt(min)} to ${fmt(max)} degrees`;
  return Number.isFinite(max) ? `can be set up to ${fmt(max)} degrees` : `can be set from ${fmt(min)} degrees up`;
}

const FEATURE_SET_POSITION = 4;
/** Whether a cover takes a position: Home Assistant's SET_POSITION feature, or a reported position when features are unknown. */
const takesPosition = (e: HomeEntity): boolean =>
  typeof e.attributes.supported_features === 'number' ? (e.attributes.supported_features & FEATURE_SET_POSITION) !== 0 : typeof e.attributes.current_position === 'number';

const isOff = (e: HomeEntity) => e.state === 'off' || e.state === 'unavailable' || e.state === 'standby';
const offSay = (e: HomeEntity): Act => ({ say: `${capitalize(the(e))} ${be(e)} off.` });
const volumeOf = (e: HomeEntity) => (typeof e.attributes.volume_level === 'number' ? Math.round(e.attributes.volume_level * 100) : undefined);

/** A level in percent, by what the device is: speed for a fan, position for a cover, volume for a player. */
function levelActs(c: Extract<Command, { kind: 'brightness' }>, e: HomeEntity): Act {
  const d = domainOf(e.entity_id);
  const delta = c.delta ?? 0;
  if (d === 'fan') {
    const now = e.state === 'on' && typeof e.attributes.percentage === 'number' ? e.attributes.percentage : 0;
    if (c.percent === undefined && delta < 0 && now === 0) return offSay(e);
    const p = clampPct(c.percent ?? now + delta);
    return p === 0 ? act(e, 'turn_off') : act(e, 'set_percentage', { percentage: p }, ` to ${p} percent`);
  }
  if (d === 'cover') {
    if (c.percent === undefined) return act(e, delta < 0 ? 'close_cover' : 'open_cover');
    if (!takesPosition(e)) return { say: `I can only open or close ${the(e)}.` };
    const p = clampPct(c.percent);
    return act(e, 'set_cover_position', { position: p }, ` to ${p} percent`);
  }
  // A media player: the level is its volume.
  if (isOff(e)) return offSay(e);
  if (c.percent === undefined) return act(e, delta < 0 ? 'volume_down' : 'volume_up');
  const p = clampPct(c.percent);
  return act(e, 'volume_set', { volume_level: p / 100 }, ` to ${p} percent`);
}

function volumeActs(c: Extract<Command, { kind: 'volume' }>, e: HomeEntity): Act {
  if (isOff(e)) return offSay(e);
  if (c.mute !== undefined) return act(e, 'volume_mute', { is_volume_muted: c.mute });
  if (c.step) return act(e, c.step === 'up' ? 'volume_up' : 'volume_down');
  const now = volumeOf(e);
  if (c.percent === undefined && now === undefined) return act(e, (c.delta ?? 0) < 0 ? 'volume_down' : 'volume_up');
  const p = clampPct(c.percent ?? (now ?? 0) + (c.delta ?? 0));
  return act(e, 'volume_set', { volume_level: p / 100 }, ` to ${p} percent`);
}

const MEDIA_SERVICES = { play: 'media_play', pause: 'media_pause', stop: 'media_stop', next: 'media_next_track', previous: 'media_previous_track' } as const;

function mediaActs(c: Extract<Command, { kind: 'media' }>, list: HomeEntity[]): Act[] {
  const players = list.filter((e) => domainOf(e.entity_id) === 'media_player');
  const others = list.filter((e) => domainOf(e.entity_id) !== 'media_player');
  const acts: Act[] = others.flatMap((e): Act[] => {
    const d = domainOf(e.entity_id);
    if (c.action === 'play') return d === 'scene' ? [act(e, 'turn_on')] : [];
    if (d === 'cover') return [act(e, 'stop_cover')];
    const off = powerService(d, false);
    return off ? [act(e, off.split('.')[1])] : [];
  });
  // Unnamed ("pause", "skip this song"), or several named: the players it can mean.
  const active = (states: string[]) => players.filter((e) => states.includes(e.state));
  let chosen = players;
  if (players.length > 1 || !c.target) {
    if (c.action === 'play') chosen = active(['paused']).length ? active(['paused']) : players.filter((e) => !isOff(e)).length ? players.filter((e) => !isOff(e)) : players;
    else if (c.action === 'pause') chosen = active(['playing']);
    else chosen = active(['playing', 'paused']);
    if (!chosen.length && players.length) return [...acts, { say: players.length === 1 ? `Nothing is playing on ${the(players[0])}.` : 'Nothing is playing right now.' }];
  }
  for (const e of chosen) {
    if (c.action !== 'play' && isOff(e)) acts.push(offSay(e));
    else if (c.action === 'pause' && e.state !== 'playing') acts.push({ say: `Nothing is playing on ${the(e)}.` });
    else acts.push(act(e, MEDIA_SERVICES[c.action]));
  }
  return acts;
}

/** Open/close and lock/unlock: a cover opens or closes, a lock unlocks or locks. */
function openActs(open: boolean, e: HomeEntity): Act {
  if (domainOf(e.entity_id) === 'cover') return act(e, open ? 'open_cover' : 'close_cover');
  return act(e, open ? 'unlock' : 'lock');
}

export function planCommand(c: Command, r: Extract<Resolution, { ok: true }>): Step[] {
  const steps = planSteps(c, r);
  // "toggle the front door", "turn off movie night": nothing in this domain does that.
  if (steps.length) return steps;
  return [{ calls: [], confirm: [], done: '', todo: '', suffix: '', everything: false, say: `That isn't something I can do with ${describe(r.entities, r.area, r.everything)}.` }];
}

function planSteps(c: Command, r: Extract<Resolution, { ok: true }>): Step[] {
  const base = { calls: [] as ServiceCall[], confirm: [] as ServiceCall[], suffix: '', area: r.area, everything: r.everything, groups: r.groups };
  const info: Base = { area: r.area, everything: r.everything, groups: r.groups };
  const call = (e: HomeEntity, service: string, data: ServiceCall['data'] = {}): ServiceCall => ({ service: `${domainOf(e.entity_id)}.${service}`, entity: e, data });
  const of = (...domains: string[]) => r.entities.filter((e) => domains.includes(domainOf(e.entity_id)));
  const notOf = (...domains: string[]) => r.entities.filter((e) => !domains.includes(domainOf(e.entity_id)));
  switch (c.kind) {
    case 'power': {
      if (c.action === 'toggle') return stepsOf(notOf('scene', 'lock').map((e) => act(e, 'toggle')), info);
      const scenes = of('scene');
      if (c.action === 'on' && scenes.length && scenes.length === r.entities.length) return stepsOf(scenes.map((e) => act(e, 'turn_on')), info);
      return stepsOf(
        notOf('scene').flatMap((e) => {
          const service = powerService(domainOf(e.entity_id), c.action === 'on');
          return service ? [act(e, service.split('.')[1])] : [];
        }),
        info,
      );
    }
    case 'brightness': {
      const lights = of('light');
      const others = notOf('light');
      const steps = lights.length ? [lightLevel(c, { ...r, entities: lights }, others.length ? { ...base, everything: false, groups: undefined } : base, call)] : [];
      return [...steps, ...stepsOf(others.map((e) => levelActs(c, e)), lights.length ? { area: r.area, everything: false } : info)];
    }
    case 'temperature': {
      const calls: ServiceCall[] = [];
      let say: string | undefined;
      let target = 0;
      let converted = '';
      for (const e of r.entities) {
        const a = e.attributes;
        target = c.degrees ?? (typeof a.temperature === 'number' ? a.temperature : typeof a.current_temperature === 'number' ? a.current_temperature : 20) + (c.delta ?? 0);
        const { min, max } = tempRange(e);
        // "set it to 70" on a Celsius thermostat means Fahrenheit, and "21" on a Fahrenheit one Celsius.
        const other = c.degrees === undefined ? undefined : max <= 40 ? ((c.degrees - 32) * 5) / 9 : min >= 40 ? (c.degrees * 9) / 5 + 32 : undefined;
        if ((target < min || target > max) && other !== undefined) {
          const rounded = Math.round(other * 2) / 2;
          if (rounded >= min && rounded <= max) {
            converted = `, which is ${fmt(c.degrees!)} ${max <= 40 ? 'Fahrenheit' : 'Celsius'}`;
            target = rounded;
          }
        }
        if (target < min || target > max) say = `${capitalize(the(e))} ${rangeWords(e)}, so I left it at ${stateWords(e).replace(/^set to /, '')}.`;
        else calls.push(call(e, 'set_temperature', { temperature: target }));
      }
      return [{ ...base, done: 'set', todo: 'set', suffix: ` to ${fmt(target)} degrees${converted}`, calls, say }];
    }
    case 'lock':
      return stepsOf(r.entities.map((e) => openActs(c.action === 'unlock', e)), info);
    case 'cover':
      return stepsOf(r.entities.map((e) => openActs(c.action === 'open', e)), info);
    case 'media':
      return stepsOf(mediaActs(c, r.entities), info);
    case 'volume': {
      // "turn up the volume" with nothing named: the players that are on.
      const on = c.target ? r.entities : r.entities.filter((e) => !isOff(e));
      if (!on.length) return stepsOf([{ say: 'Nothing is playing right now.' }]);
      return stepsOf(on.map((e) => volumeActs(c, e)), info);
    }
    case 'query':
      return [{ ...base, done: '', todo: '', say: answer(c, r) }];
  }
}

/** A light's brightness: a level, or dimmer and brighter from where it is. */
function lightLevel(
  c: Extract<Command, { kind: 'brightness' }>,
  r: Extract<Resolution, { ok: true }>,
  base: Omit<Step, 'done' | 'todo'>,
  call: (e: HomeEntity, service: string, data?: ServiceCall['data']) => ServiceCall,
): Step {
  const single = r.entities.length === 1;
  if (c.percent !== undefined) {
    const p = clampPct(c.percent);
    if (p === 0) return { ...base, done: 'turned off', todo: 'turn off', calls: r.entities.map((e) => call(e, 'turn_off')) };
    return { ...base, done: 'set', todo: 'set', suffix: ` to ${p} percent`, calls: r.entities.map((e) => call(e, 'turn_on', { brightness_pct: p })) };
  }
  const delta = c.delta ?? 0;
  // Dimming a light that is off leaves it off.
  const lights = delta < 0 ? r.entities.filter((e) => e.state === 'on') : r.entities;
  if (!lights.length) return { ...base, done: '', todo: '', say: `${capitalize(describe(r.entities, r.area, r.everything))} ${r.entities.length === 1 ? 'is' : 'are'} already off.` };
  const calls = lights.map((e) => {
    const now = e.state === 'on' ? percentOf(e) : 0;
    const next = clampPct(now + delta);
    return next === 0 ? call(e, 'turn_off') : call(e, 'turn_on', { brightness_pct: Math.max(1, next) });
  });
  const pct = single && calls[0].data.brightness_pct;
  return { ...base, done: delta < 0 ? 'dimmed' : 'brightened', todo: delta < 0 ? 'dim' : 'brighten', suffix: pct ? ` to ${pct} percent` : '', calls };
}

const be = (e: HomeEntity) => (/s$/.test(e.attributes.friendly_name.trim()) ? 'are' : 'is');
const beMany = (list: HomeEntity[]) => (list.length === 1 ? be(list[0]) : 'are');

function matches(e: HomeEntity, expect: StateWord): boolean {
  const d = domainOf(e.entity_id);
  const s = e.state;
  if (d === 'climate') return expect === 'off' ? s === 'off' : expect === 'on' ? s !== 'off' : false;
  // A lock that is open is unlocked; a door or cover that is shut is closed (and, asked "locked?", as shut as it gets).
  const open = expect === 'open' || expect === 'unlocked';
  const shut = expect === 'closed' || expect === 'locked';
  if (d === 'lock' && (open || shut)) return open ? s === 'unlocked' || s === 'open' || s === 'opening' : s === 'locked';
  if (d === 'cover' && (open || shut)) return open ? s === 'open' || s === 'opening' : s === 'closed';
  // A media player that is idle, paused or playing is on.
  if (d === 'media_player' && expect === 'on') return !isOff(e) && s !== 'unknown';
  return s === expect;
}

/** Spoken answer to a state question, from the states just read. */
export function answer(c: Extract<Command, { kind: 'query' }>, r: Extract<Resolution, { ok: true }>): string {
  const list = r.entities;
  if (c.ask === 'temperature') {
    return list
      .map((e) => {
        const cur = e.attributes.current_temperature;
        const set = e.attributes.temperature;
        const inside = typeof cur === 'number' ? `It's ${fmt(cur)} degrees inside` : `I can't read the temperature from ${the(e)}`;
        if (e.state === 'off') return `${inside}, and the heating is off.`;
        return typeof set === 'number' ? `${inside}, and ${the(e)} is set to ${fmt(set)}.` : `${inside}.`;
      })
      .join(' ');
  }
  if (c.ask === 'playing') {
    const on = list.filter((e) => e.state === 'playing' || e.state === 'paused');
    if (!on.length) return `Nothing is playing${r.area ? ` in the ${r.area}` : ''}${list.length === 1 ? `: ${the(list[0])} ${be(list[0])} ${stateWords(list[0])}` : ''}.`;
    return `${capitalize(joinWords(on.map((e) => `${the(e)} ${be(e)} ${stateWords(e)}`)))}.`;
  }
  if (c.ask === 'brightness')
    return list.map((e) => `${capitalize(the(e))} ${be(e)} ${e.state === 'on' ? `at ${percentOf(e)} percent` : 'off'}.`).join(' ');

  const expect = c.expect;
  if (!expect) return `${capitalize(joinWords(list.map((e) => `${the(e)} ${be(e)} ${stateWords(e)}`)))}.`;

  const yes = list.filter((e) => matches(e, expect));
  const no = list.filter((e) => !matches(e, expect));
  const noun = classNoun(domainOf(list[0].entity_id), 2);
  const named = (l: HomeEntity[]) => (l.length <= 4 ? joinWords(l.map(the)) : `${l.length} ${classNoun(domainOf(l[0].entity_id), l.length)}`);
  if (c.ask === 'which') {
    if (!yes.length) return `No ${noun} are ${expect} right now.`;
    return `${capitalize(named(yes))} ${beMany(yes)} ${expect}.`;
  }
  if (c.quantifier === 'any' || (r.everything && c.quantifier !== 'all')) {
    if (!yes.length) return `No, ${list.length === 1 ? `${the(list[0])} ${be(list[0])} ${stateWords(list[0])}` : `none of the ${noun} are ${expect}`}.`;
    return `Yes, ${named(yes)} ${beMany(yes)} ${expect}.`;
  }
  if (list.length === 1) {
    const e = list[0];
    return matches(e, expect) ? `Yes, ${the(e)} ${be(e)} ${stateWords(e)}.` : `No, ${the(e)} ${be(e)} ${stateWords(e)}.`;
  }
  if (!no.length) return `Yes, ${list.length === 2 ? 'both' : `all ${list.length}`} ${describeNoun(list)} are ${expect}.`;
  // All the same, and not what was asked: "No, the kitchen lights are off."
  if (!yes.length && new Set(no.map(stateWords)).size === 1) return `No, ${describe(no, r.area, r.everything)} are ${stateWords(no[0])}.`;
  return `No, ${named(no)} ${beMany(no)} ${no.length === 1 ? stateWords(no[0]) : 'not ' + expect}.`;
}

function describeNoun(list: HomeEntity[]): string {
  const d = new Set(list.map((e) => domainOf(e.entity_id)));
  return d.size === 1 ? classNoun([...d][0], list.length) : 'of them';
}

/** "turned off the kitchen lights", for a step whose calls all succeeded on these entities. */
export function donePhrase(step: Step, entities: HomeEntity[], all: boolean): string {
  const said = all && step.groups && step.groups.length > 1 ? joinWords(step.groups.map((g) => describe(g.entities, g.area, g.everything))) : undefined;
  return `${step.done} ${said ?? describe(entities, all ? step.area : undefined, all && step.everything)}${step.suffix}`;
}
