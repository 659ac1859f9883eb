/**
 * Commands meet entities: which domains a command may touch, the service calls it becomes, and
 * the spoken answers to state questions. Pure: reads entity snapshots, calls nothing.
 */
import type { HomeEntity } from './home/index.js';
import { domainOf } from './home/index.js';
import type { Command } from './action-parse.js';
import type { Group, Resolution } from './action-resolve.js';
import { capitalize, classNoun, describe, fmt, joinWords, percentOf, stateWords, the } from './action-speech.js';

export interface ServiceCall {
  /** `<domain>.<service>`, e.g. `light.turn_on`. */
  service: string;
  entity: HomeEntity;
  /** Service data beyond `entity_id`. */
  data: Record<string, number | string>;
}

/** A command ready to carry out, with what to say about it. */
export interface Step {
  calls: ServiceCall[];
  /** Calls that wait for a spoken yes (unlocking). */
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

/** Domains a command can touch, most likely first. */
export function domainsFor(c: Command): string[] {
  switch (c.kind) {
    case 'power':
      if (c.implicit) return ['scene'];
      return c.action === 'on' ? ['light', 'switch', 'scene', 'climate'] : ['light', 'switch', 'climate'];
    case 'brightness':
      return ['light'];
    case 'temperature':
      return ['climate'];
    case 'lock':
      return ['lock'];
    case 'query':
      if (c.ask === 'temperature') return ['climate'];
      if (c.ask === 'brightness') return ['light'];
      if (c.expect === 'locked' || c.expect === 'unlocked') return ['lock'];
      if (c.expect === 'on' || c.expect === 'off') return ['light', 'switch', 'climate'];
      // Scenes have no state worth reporting; asking about one is almost always a misheard word.
      return ['light', 'switch', 'lock', 'climate'];
  }
}

/** An empty target means "all of them" only where there is one obvious set: locks, the thermostat. */
export const emptyMeansAll = (c: Command): boolean =>
  c.kind === 'lock' || c.kind === 'temperature' || (c.kind === 'query' && c.ask === 'temperature');

const clampPct = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

export function planCommand(c: Command, r: Extract<Resolution, { ok: true }>): Step {
  const base = { calls: [] as ServiceCall[], confirm: [] as ServiceCall[], suffix: '', area: r.area, everything: r.everything, groups: r.groups };
  const call = (e: HomeEntity, service: string, data: ServiceCall['data'] = {}): ServiceCall => ({ service: `${domainOf(e.entity_id)}.${service}`, entity: e, data });
  switch (c.kind) {
    case 'power': {
      if (c.action === 'toggle')
        return { ...base, done: 'toggled', todo: 'toggle', calls: r.entities.filter((e) => domainOf(e.entity_id) !== 'scene').map((e) => call(e, 'toggle')) };
      const scenes = r.entities.filter((e) => domainOf(e.entity_id) === 'scene');
      if (c.action === 'on' && scenes.length && scenes.length === r.entities.length)
        return { ...base, done: 'started', todo: 'start', calls: scenes.map((e) => call(e, 'turn_on')) };
      const devices = r.entities.filter((e) => domainOf(e.entity_id) !== 'scene');
      const service = c.action === 'on' ? 'turn_on' : 'turn_off';
      return { ...base, done: `turned ${c.action}`, todo: `turn ${c.action}`, calls: devices.map((e) => call(e, service)) };
    }
    case 'brightness': {
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
    case 'temperature': {
      const calls: ServiceCall[] = [];
      let say: string | undefined;
      let target = 0;
      let converted = '';
      for (const e of r.entities) {
        const a = e.attributes;
        target = c.degrees ?? (typeof a.temperature === 'number' ? a.temperature : typeof a.current_temperature === 'number' ? a.current_temperature : 20) + (c.delta ?? 0);
        const min = typeof a.min_temp === 'number' ? a.min_temp : -Infinity;
        const max = typeof a.max_temp === 'number' ? a.max_temp : Infinity;
        // "set it to 70" on a Celsius thermostat means Fahrenheit, and "21" on a Fahrenheit one Celsius.
        const other = c.degrees === undefined ? undefined : max <= 40 ? ((c.degrees - 32) * 5) / 9 : min >= 40 ? (c.degrees * 9) / 5 + 32 : undefined;
        if ((target < min || target > max) && other !== undefined) {
          const rounded = Math.round(other * 2) / 2;
          if (rounded >= min && rounded <= max) {
            converted = `, which is ${fmt(c.degrees!)} ${max <= 40 ? 'Fahrenheit' : 'Celsius'}`;
            target = rounded;
          }
        }
        if (target < min || target > max) say = `${capitalize(the(e))} can be set from ${fmt(min)} to ${fmt(max)} degrees, so I left it at ${stateWords(e).replace(/^set to /, '')}.`;
        else calls.push(call(e, 'set_temperature', { temperature: target }));
      }
      return { ...base, done: 'set', todo: 'set', suffix: ` to ${fmt(target)} degrees${converted}`, calls, say };
    }
    case 'lock':
      if (c.action === 'lock') return { ...base, done: 'locked', todo: 'lock', calls: r.entities.map((e) => call(e, 'lock')) };
      return { ...base, done: 'unlocked', todo: 'unlock', confirm: r.entities.map((e) => call(e, 'unlock')) };
    case 'query':
      return { ...base, done: '', todo: '', say: answer(c, r) };
  }
}

const be = (e: HomeEntity) => (/s$/.test(e.attributes.friendly_name.trim()) ? 'are' : 'is');
const beMany = (list: HomeEntity[]) => (list.length === 1 ? be(list[0]) : 'are');

function matches(e: HomeEntity, expect: 'on' | 'off' | 'locked' | 'unlocked'): boolean {
  const d = domainOf(e.entity_id);
  if (d === 'climate') return expect === 'off' ? e.state === 'off' : expect === 'on' ? e.state !== 'off' : false;
  if (d === 'lock' && expect === 'unlocked') return e.state === 'unlocked' || e.state === 'open';
  return e.state === expect;
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
