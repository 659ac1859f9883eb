/**
 * From a spoken target ("all the kitchen lights", "the lights in the bedroom", "everything in the
 * office", "front and back doors") to entities. Names, aliases, areas and object ids all count;
 * typos were corrected before this point, so matching here is on singular words (`singular`).
 */
import type { HomeEntity } from './home/index.js';
import { domainOf } from './home/index.js';
import { normalizeWords, singular } from './text/normalize.js';
import { CLASS_DEVICE_CLASSES, CLASS_WORDS } from './home-words.js';

const STOPWORDS = new Set(['the', 'a', 'an', 'my', 'our', 'your', 'in', 'at', 'of', 'on', 'inside', 'for', 'with', 'from', 'to', 'is', 'are', 'here', 'there', 'house', 'home']);
const QUANTIFIERS = new Set(['all', 'every', 'both', 'any', 'some', 'each', 'whole']);
const EVERYTHING = new Set(['everything', 'anything', 'device', 'thing', 'stuff', 'something']);
const PRONOUNS = new Set(['it', 'them', 'that', 'those', 'these', 'this', 'they']);

const tokens = (s: string) => normalizeWords(s).split(' ').filter(Boolean);
const key = (s: string) => tokens(s).map(singular).join(' ');

interface Indexed {
  entity: HomeEntity;
  domain: string;
  area: string | undefined;
  /** Whole names (friendly name and aliases), as said and in the singular, for exact phrase matches. */
  rawNames: Set<string>;
  names: Set<string>;
  /** Every word of every name, alias and the object id, in the singular. */
  words: Set<string>;
}

export interface HomeIndex {
  entries: Indexed[];
  /** Every way an area is said — its name and its aliases, normalized — longest first. */
  areas: string[];
  /** The area (its normalized name) each of those means. */
  areaOf: Map<string, string>;
  /** Raw words of all names, aliases and areas: what typo correction may correct towards. */
  vocabulary: Set<string>;
  byId: Map<string, HomeEntity>;
}

export function indexHome(entities: HomeEntity[]): HomeIndex {
  const vocabulary = new Set<string>();
  const areaOf = new Map<string, string>();
  const entries = entities.map((entity): Indexed => {
    const a = entity.attributes;
    const area = typeof a.area === 'string' && a.area ? normalizeWords(a.area) : undefined;
    if (area) {
      areaOf.set(area, area);
      for (const alias of Array.isArray(a.area_aliases) ? a.area_aliases : []) {
        const said = typeof alias === 'string' ? normalizeWords(alias) : '';
        // A name is never taken over by another area's alias.
        if (said && areaOf.get(said) !== said) areaOf.set(said, area);
        for (const w of tokens(said)) vocabulary.add(w);
      }
    }
    const nameList = [a.friendly_name, ...(Array.isArray(a.aliases) ? a.aliases.filter((x): x is string => typeof x === 'string') : [])];
    const objectId = entity.entity_id.slice(entity.entity_id.indexOf('.') + 1).replace(/_/g, ' ');
    const words = new Set<string>();
    for (const n of [...nameList, objectId, area ?? '']) for (const w of tokens(n)) (words.add(singular(w)), vocabulary.add(w));
    return { entity, domain: domainOf(entity.entity_id), area, rawNames: new Set(nameList.map((n) => tokens(n).join(' '))), names: new Set(nameList.map(key)), words };
  });
  const areas = [...areaOf.keys()].sort((x, y) => y.length - x.length);
  return { entries, areas, areaOf, vocabulary, byId: new Map(entities.map((e) => [e.entity_id, e])) };
}

export interface Group {
  entities: HomeEntity[];
  area?: string;
  everything: boolean;
}

export type Resolution =
  | { ok: true; entities: HomeEntity[]; area?: string; everything: boolean; pronoun?: boolean; groups?: Group[] }
  | { ok: false; phrase: string };

export interface ResolveOptions {
  /** Domains this command can act on, in the order to prefer. */
  domains: string[];
  /** The room the request came from: narrows "the lights" to that room. */
  room?: string;
  /** Resolve "it" / "them" to these (the previous turn's targets). */
  previous?: string[];
  /** What an empty phrase means for this command: every entity of the domains, or nothing. */
  emptyMeansAll?: boolean;
  /**
   * What a bare area or "everything" covers when several domains are allowed: the things a person
   * switches as a group ("turn off everything in the office" is not the office door). Default:
   * lights and switches.
   */
  group?: readonly string[];
}

/**
 * "the front and back doors" → ["front doors", "back doors"]: the class said last is shared
 * backwards. Said first, it is shared forwards only with bare areas ("the lights in the kitchen,
 * the hallway and the office"), not with named things ("the lights and the fan").
 */
function splitConjunction(words: string[], areas: string[]): string[][] {
  const parts: string[][] = [[]];
  for (const w of words) w === 'and' || w === 'or' ? parts.push([]) : parts[parts.length - 1].push(w);
  const nonEmpty = parts.filter((p) => p.length);
  const classOf = (p: string[]) => p.filter((w) => singular(w) in CLASS_WORDS);
  const open = (p: string[]) => !p.some((w) => singular(w) in CLASS_WORDS || EVERYTHING.has(singular(w)) || PRONOUNS.has(w));
  const last = classOf(nonEmpty.at(-1) ?? []);
  if (last.length) {
    for (const p of nonEmpty) if (open(p)) p.push(...last);
  } else {
    const first = nonEmpty.map(classOf).find((c) => c.length);
    const bareArea = (p: string[]) => areas.includes(p.filter((w) => !STOPWORDS.has(w)).join(' '));
    if (first) for (const p of nonEmpty) if (open(p) && bareArea(p)) p.push(...first);
  }
  return nonEmpty;
}

export function resolveTarget(index: HomeIndex, phrase: string, options: ResolveOptions): Resolution {
  const all = tokens(phrase);
  const parts = all.length ? splitConjunction(all, index.areas) : [[]];
  const found = new Map<string, HomeEntity>();
  const groups: Group[] = [];
  let pronoun = false;
  for (const part of parts) {
    let r = resolvePart(index, part, options);
    if (!r.ok) {
      // One thermostat in the house: "the living room thermostat" can only mean that one.
      const climate = index.entries.filter((e) => e.domain === 'climate');
      if (options.domains.length === 1 && options.domains[0] === 'climate' && climate.length === 1) r = { ok: true, entities: [climate[0].entity], everything: false };
      else return { ok: false, phrase: part.join(' ') || phrase };
    }
    for (const e of r.entities) found.set(e.entity_id, e);
    groups.push({ entities: r.entities, area: r.area, everything: r.everything });
    pronoun ||= Boolean(r.pronoun);
  }
  const single = groups.length === 1 ? groups[0] : undefined;
  return { ok: true, entities: [...found.values()], area: single?.area, everything: groups.some((g) => g.everything), pronoun, groups };
}

function resolvePart(index: HomeIndex, raw: string[], options: ResolveOptions): Resolution {
  const allowed = (e: Indexed) => options.domains.includes(e.domain);
  const pool = index.entries.filter(allowed);
  const ws = raw.filter((w) => !STOPWORDS.has(w));
  const phrase = raw.join(' ');

  if (ws.length && ws.every((w) => PRONOUNS.has(w))) {
    const prev = (options.previous ?? []).map((id) => pool.find((e) => e.entity.entity_id === id)?.entity).filter((e) => e !== undefined);
    return prev.length ? { ok: true, entities: prev, everything: false, pronoun: true } : { ok: false, phrase };
  }

  const quantified = ws.some((w) => QUANTIFIERS.has(w));
  const content = ws.filter((w) => !QUANTIFIERS.has(w) && !PRONOUNS.has(w)).map(singular);
  const everything = content.some((w) => EVERYTHING.has(w));

  // 1. A whole name or alias said as such: "the porch light", "movie night", "coffee machine".
  const whole = content.join(' ');
  const said = ws.filter((w) => !QUANTIFIERS.has(w)).join(' ');
  // "kitchen lights" is every kitchen light, even though one is also called "kitchen light".
  const pluralClass = ws.some((w) => singular(w) !== w && singular(w) in CLASS_WORDS) || ws.some((w) => w === 'lamps');
  if (whole) {
    const exact = pool.filter((e) => e.rawNames.has(said) || (!pluralClass && e.names.has(whole)));
    if (exact.length) return { ok: true, entities: order(exact, options.domains), everything: false };
  }

  // 2. Area, device class, then the remaining name words.
  let rest = content.filter((w) => !EVERYTHING.has(w));
  let area: string | undefined;
  for (const a of index.areas) {
    const aw = a.split(' ').map(singular);
    const at = indexOfSeq(rest, aw);
    if (at >= 0) {
      area = index.areaOf.get(a) ?? a;
      rest = [...rest.slice(0, at), ...rest.slice(at + aw.length)];
      break;
    }
  }
  const classWords = rest.filter((w) => w in CLASS_WORDS);
  const classes = new Set(classWords.map((w) => CLASS_WORDS[w]));
  rest = rest.filter((w) => !(w in CLASS_WORDS));

  let candidates = pool.filter((e) => classes.size === 0 || classWords.some((w) => ofClass(e, w)));
  // A bare area with no device class: only what a person would switch as a group (not scenes or locks).
  if (!classes.size && !rest.length && (area || everything) && options.domains.length > 1) {
    const group = options.group ?? ['light', 'switch'];
    candidates = candidates.filter((e) => group.includes(e.domain));
  }
  const inArea = (list: Indexed[]) => {
    if (!area) return list;
    const aw = area.split(' ').map(singular);
    return list.filter((e) => e.area === area || aw.every((w) => e.words.has(w)));
  };
  candidates = inArea(candidates);
  // "the fan in the office" when the office fan is a switch: the class word is then part of a name.
  if (!candidates.length && classWords.length && !rest.length) candidates = inArea(pool.filter((e) => classWords.every((w) => e.words.has(w))));

  if (rest.length) {
    // Every remaining word must belong to the entity; a class word may also be part of a name ("desk lamp").
    let named = candidates.filter((e) => rest.every((w) => e.words.has(w)));
    if (!named.length && classWords.length) named = pool.filter((e) => [...rest, ...classWords].every((w) => e.words.has(w)));
    return named.length ? { ok: true, entities: order(named, options.domains), area, everything } : { ok: false, phrase };
  }
  if (!area && !classes.size && !everything) {
    // "it's too dark in here": the room the request came from.
    if (!content.length && options.room && options.domains.length === 1 && options.domains[0] === 'light') {
      const room = normalizeWords(options.room);
      const here = candidates.filter((e) => e.area === room);
      if (here.length) return { ok: true, entities: order(here, options.domains), area: room, everything: false };
    }
    if (!content.length && options.emptyMeansAll) return candidates.length ? { ok: true, entities: order(candidates, options.domains), everything: true } : { ok: false, phrase };
    return { ok: false, phrase };
  }
  // "the lights" said in the bedroom means the bedroom's lights, unless "all" was said.
  if (!area && !everything && !quantified && options.room) {
    const room = normalizeWords(options.room);
    const here = candidates.filter((e) => e.area === room);
    if (here.length) return { ok: true, entities: order(here, options.domains), area: room, everything: false };
  }
  return candidates.length ? { ok: true, entities: order(candidates, options.domains), area, everything } : { ok: false, phrase };
}

/** Whether a class word ("blinds", "tv") covers this entity: its domain, and its device class where the word names some. */
function ofClass(e: Indexed, word: string): boolean {
  if (CLASS_WORDS[word] !== e.domain) return false;
  const only = CLASS_DEVICE_CLASSES[word];
  const dc = e.entity.attributes.device_class;
  return !only || typeof dc !== 'string' || only.includes(dc);
}

function indexOfSeq(hay: string[], needle: string[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Stable order: by the command's domain preference, then as the home lists them. */
function order(list: Indexed[], domains: string[]): HomeEntity[] {
  return [...list].sort((a, b) => domains.indexOf(a.domain) - domains.indexOf(b.domain)).map((e) => e.entity);
}
