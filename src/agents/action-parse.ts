/**
 * The action agent's rules: an utterance becomes a list of commands and questions, each naming
 * its target as a phrase. Pure: no I/O, no entities beyond the words they contribute for typo
 * correction. Resolving phrases to entities is `action-resolve.ts`.
 */
import { PLAIN_VERBS, tokenize } from './text/normalize.js';
import { wordsToNumbers } from '../numbers.js';
import { fixOff, type Corrector } from './text/typos.js';
import { homeCorrector } from './text/known-words.js';
import { assistantNames } from './text/names.js';
import { stripPolite } from './text/polite.js';

export type PowerAction = 'on' | 'off' | 'toggle';
export type StateWord = 'on' | 'off' | 'locked' | 'unlocked' | 'open' | 'closed' | 'playing' | 'paused';
export type MediaAction = 'play' | 'pause' | 'stop' | 'next' | 'previous';

export type Command =
  /** `implicit`: no verb was said ("movie night"); only a scene may answer it. */
  | { kind: 'power'; action: PowerAction; target: string; implicit?: boolean }
  /** A level in percent: a light's brightness, a fan's speed, a cover's position, a player's volume. */
  | { kind: 'brightness'; percent?: number; delta?: number; target: string }
  | { kind: 'temperature'; degrees?: number; delta?: number; target: string }
  | { kind: 'lock'; action: 'lock' | 'unlock'; target: string }
  /** Open or close: a cover opens, a lock unlocks. */
  | { kind: 'cover'; action: 'open' | 'close'; target: string }
  /** "stop" also stops a cover and switches other things off. */
  | { kind: 'media'; action: MediaAction; target: string }
  /** `step`: one volume step up or down, as Home Assistant's volume_up/volume_down. */
  | { kind: 'volume'; percent?: number; delta?: number; step?: 'up' | 'down'; mute?: boolean; target: string }
  | { kind: 'query'; ask: 'state' | 'temperature' | 'brightness' | 'which' | 'playing'; expect?: StateWord; quantifier?: 'any' | 'all'; target: string };

export type ParseResult = { ok: true; commands: Command[] } | { ok: false; reason: string; clause: string };

const POWER_VERBS = ['turn', 'switch', 'put', 'power', 'flip', 'shut'];
const ON_VERBS = ['activate', 'start', 'run', 'trigger', 'enable'];
const OFF_VERBS = ['deactivate', 'disable', 'kill'];
const LOCK_VERBS = ['lock', 'secure', 'bolt'];
const UNLOCK_VERBS = ['unlock', 'unbolt'];
const COVER_VERBS: Record<string, 'open' | 'close'> = { open: 'open', close: 'close' };
const MEDIA_VERBS: Record<string, MediaAction> = { play: 'play', resume: 'play', unpause: 'play', pause: 'pause', stop: 'stop', skip: 'next', next: 'next', previous: 'previous' };
const MUTE_VERBS = ['mute', 'unmute', 'silence'];
const LEVEL_VERBS = ['dim', 'brighten', 'set', 'make', 'raise', 'lower', 'increase', 'decrease', 'bump', 'heat', 'cool', 'adjust', 'change'];
const QUESTION_WORDS = ['is', 'are', 'was', 'were', 'what', 'which', 'how', 'do', 'does', 'did', 'any', 'check', 'tell', 'whether'];
const STARTERS = new Set([
  ...POWER_VERBS, ...ON_VERBS, ...OFF_VERBS, ...LOCK_VERBS, ...UNLOCK_VERBS, ...Object.keys(COVER_VERBS), ...Object.keys(MEDIA_VERBS), ...MUTE_VERBS,
  ...LEVEL_VERBS, 'toggle', ...QUESTION_WORDS,
]);

/** Words whose presence says "this is about the thermostat". */
export const TEMPERATURE_WORDS = new Set(['thermostat', 'temperature', 'heat', 'heating', 'heater', 'ac', 'degrees', 'degree', 'warmer', 'cooler', 'colder', 'hotter', 'warm', 'cold', 'hot', 'cool']);

/** Everything the rules know; a typo is corrected only towards one of these or a home's words (`actionCorrector`). */
export const KEYWORDS = [
  ...STARTERS,
  'on', 'off', 'up', 'down', 'toggle', 'percent', 'degrees', 'degree', 'brightness', 'bright', 'brighter', 'dimmer', 'darker',
  'lighter', 'warmer', 'cooler', 'colder', 'hotter', 'locked', 'unlocked', 'closed', 'light', 'lights', 'lamp', 'lamps', 'lighting',
  'bulb', 'bulbs', 'switch', 'switches', 'plug', 'thermostat', 'temperature', 'heating', 'heater', 'door', 'doors', 'locks',
  'scene', 'scenes', 'everything', 'anything', 'all', 'every', 'both', 'there', 'inside', 'house', 'home', 'please', 'could',
  'would', 'want', 'need', 'like', 'them', 'those', 'these', 'that', 'this', 'with', 'status', 'state', 'level', 'full',
  'half', 'maximum', 'minimum', 'right', 'then', 'also', 'currently', 'still', 'downstairs', 'upstairs', 'room', 'rooms',
  'where', 'when', 'from', 'about', 'thanks', 'thank', 'little', 'bit', 'more', 'less', 'some', 'mode', 'inside',
  'chilly', 'freezing', 'have', 'much', 'very', 'everything', 'nothing', 'something',
  'open', 'opened', 'fan', 'fans', 'blind', 'blinds', 'shade', 'shades', 'curtain', 'curtains', 'garage', 'television', 'speaker',
  'speakers', 'music', 'volume', 'louder', 'quieter', 'softer', 'muted', 'playing', 'paused', 'song', 'track', 'speed', 'position',
  ...TEMPERATURE_WORDS,
];

const BARNABEE = assistantNames();

/** Typo correction towards the rules' words and `homeWords` (a home's names, aliases and areas), as the router's. */
export function actionCorrector(homeWords: Iterable<string>): Corrector {
  return homeCorrector(KEYWORDS, homeWords);
}

const CONJUNCTIONS = new Set(['and', 'then', 'also', 'plus']);

/**
 * The words of an utterance with each clause-separating comma (or semicolon) as "and". The one
 * tokenizer has already joined the commas inside numbers ("21,5" → 21.5, "1,000" → 1000).
 */
function clauseWords(text: string): string[] {
  const out: string[] = [];
  const tokens = tokenize(text.replace(/;/g, ' , '));
  tokens.forEach((t, i) => {
    if (t === ',') {
      const next = tokens[i + 1];
      if (out.length && !CONJUNCTIONS.has(out.at(-1)!) && next !== ',' && !CONJUNCTIONS.has(next ?? '')) out.push('and');
    } else if (/[a-z0-9]/.test(t)) out.push(t);
  });
  return out;
}

/**
 * Normalize, drop the assistant's names, turn number words into digits, and correct typos towards
 * the rules' words and the home's (`actionCorrector`).
 */
export function prepare(text: string, corrector: Corrector, names: ReadonlySet<string> = BARNABEE): string {
  const words = wordsToNumbers(clauseWords(text).join(' '))
    .split(' ')
    .filter((w) => !names.has(w))
    .map((w) => PLAIN_VERBS[w] ?? corrector.correct(w));
  fixOff(words);
  // "playing" is also a state ("what is playing"): read as the verb only where a request starts.
  return stripPolite(words.join(' '))
    .replace(/^playing/, 'play')
    .replace(/\b(?:please|for me|thanks|thank you|right now|now)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(?:and|then|also)\s+|\s+(?:and|then|also)$/g, '');
}

/** Split at "and"/"then" only where a new command or question starts; otherwise "and" joins targets. */
export function splitClauses(t: string): string[] {
  const parts = t.split(/\s+(?:and then|and also|and|then|also|plus)\s+/);
  const clauses: string[] = [];
  for (const p of parts) {
    const first = p.split(' ')[0];
    const prev = clauses.at(-1);
    if (prev === undefined || STARTERS.has(first)) {
      clauses.push(p);
    } else if (/\d/.test(p) && /\d/.test(prev)) {
      // "set the kitchen to 30 percent and the bedroom to 50": a new clause with the same verb.
      clauses.push(`${prev.split(' ')[0]} ${p}`);
    } else {
      clauses[clauses.length - 1] = `${prev} and ${p}`;
    }
  }
  return clauses.filter(Boolean);
}

export function parseCommands(text: string, corrector: Corrector, names?: ReadonlySet<string>): ParseResult {
  const prepared = prepare(text, corrector, names);
  if (!prepared) return { ok: false, reason: 'empty', clause: '' };
  const commands: Command[] = [];
  for (const clause of splitClauses(prepared)) {
    const c = parseClause(clause);
    if (!c) return { ok: false, reason: 'unrecognized', clause };
    commands.push(c);
  }
  return { ok: true, commands };
}

const words = (s: string) => s.split(' ').filter(Boolean);
const strip = (s: string, re: RegExp) => s.replace(re, ' ').replace(/\s+/g, ' ').trim();
const mentionsTemperature = (s: string) => words(s).some((w) => TEMPERATURE_WORDS.has(w));

function parseClause(c: string): Command | null {
  const first = words(c)[0];
  const feeling = c.match(/^(?:i am|it is|we are)(?: a bit| a little| too| so| very| really| quite)? (cold|chilly|freezing|hot|warm|boiling)(?: in here)?$/);
  if (feeling) return { kind: 'temperature', delta: /cold|chilly|freezing/.test(feeling[1]) ? 1 : -1, target: '' };
  const light = c.match(/^(?:it is|the (.+?) is)(?: a bit| a little| too| so| very| really| quite)* (dark|dim|bright)(?: in (?:here|the (.+)))?$/);
  if (light) return { kind: 'brightness', delta: light[2] === 'bright' ? -25 : 25, target: light[1] ?? light[3] ?? '' };
  if (QUESTION_WORDS.includes(first)) return parseQuestion(c);

  // Volume before levels: "set the tv volume to 30 percent", "turn the volume up on the tv".
  const volume = parseVolume(c, first);
  if (volume) return volume;

  // Levels first: a number with a unit decides what is meant whatever the verb.
  const percent = c.match(/\b(\d+(?:\.\d+)?) percent\b/) ?? c.match(/\b(full|half|max|maximum|min|minimum) brightness\b/);
  if (percent) {
    const p = { full: 100, max: 100, maximum: 100, half: 50, min: 1, minimum: 1 }[percent[1]] ?? Number(percent[1]);
    const target = strip(c, /\b(?:set|dim|brighten|turn|make|change|adjust|put|switch|bring|up|down|to|at|by|the brightness of|brightness|of|on|\d+(?:\.\d+)? percent|full|half|max|maximum|min|minimum)\b/g);
    if (/\bby\b/.test(c)) return { kind: 'brightness', delta: /\b(dim|down|lower|decrease|darker)\b/.test(c) ? -p : p, target };
    return { kind: 'brightness', percent: p, target };
  }
  const degrees = c.match(/\b(\d+(?:\.\d+)?)(?: degrees?| celsius| fahrenheit)\b/) ?? (mentionsTemperature(c) || /^(?:make|set) it\b/.test(c) ? c.match(/\bto (\d+(?:\.\d+)?)\b/) : null);
  if (degrees) {
    const n = Number(degrees[1]);
    const target = strip(c, /\b(?:set|make|turn|heat|cool|change|adjust|put|bump|raise|lower|increase|decrease|it|up|down|the|to|by|\d+(?:\.\d+)?|degrees?|celsius|fahrenheit)\b/g);
    if (/\bby\b/.test(c) || (/\b(?:up|down)\b/.test(c) && !/\bto\b/.test(c)))
      return { kind: 'temperature', delta: /\b(down|lower|decrease|cool|cooler|colder)\b/.test(c) ? -n : n, target };
    return { kind: 'temperature', degrees: n, target };
  }

  // "set the kitchen lights to 30": a bare level on something that is not the thermostat is brightness.
  const bare = c.match(/^(?:set|dim|brighten|turn|bring|put) (.+?) (?:to|at) (\d+)$/);
  if (bare) return { kind: 'brightness', percent: Number(bare[2]), target: strip(bare[1], /\b(?:the brightness of|brightness|of|up|down)\b/g) };

  if (first in MEDIA_VERBS) return { kind: 'media', action: MEDIA_VERBS[first], target: strip(c, /^\w+\b|\b(?:the next|next|previous|this|that|a|some|song|songs|track|tracks|to|on|in)\b/g) };
  if (first in COVER_VERBS || (first === 'shut' && !/\b(?:on|off|down)\b/.test(c))) return { kind: 'cover', action: COVER_VERBS[first] ?? 'close', target: strip(c, /^\w+\b|\bup\b/g) };
  if (UNLOCK_VERBS.includes(first)) return { kind: 'lock', action: 'unlock', target: strip(c, /^\w+\b|\bup\b/g) };
  if (LOCK_VERBS.includes(first)) return { kind: 'lock', action: 'lock', target: strip(c, /^\w+\b|\bup\b/g) };
  if (first === 'toggle') return { kind: 'power', action: 'toggle', target: strip(c, /^toggle\b/) };
  if (ON_VERBS.includes(first)) return { kind: 'power', action: 'on', target: strip(c, /^\w+\b|\bup\b/g) };
  if (OFF_VERBS.includes(first)) return { kind: 'power', action: 'off', target: strip(c, /^\w+\b/) };

  // Relative changes: warmer/cooler go to the thermostat, brighter/dimmer to lights.
  const up = /\b(?:up|raise|increase|bump|brighten|brighter|lighter|warmer|hotter)\b/.test(c);
  const down = /\b(?:down|lower|decrease|dim|dimmer|darker|cooler|colder)\b/.test(c);
  if ((up || down) && first !== 'shut' && first !== 'power' && !/\b(?:on|off)\b/.test(c.replace(/^(?:turn|switch|put) (?:on|off)\b/, ''))) {
    const rest = strip(c, /\b(?:turn|make|set|raise|lower|increase|decrease|bump|brighten|dim|cool|heat|warm|up|down|a bit|a little|little|bit|more|brighter|dimmer|darker|lighter|warmer|cooler|colder|hotter|it|in here|the)\b/g);
    const isTemp = mentionsTemperature(c) || /\b(?:warmer|cooler|colder|hotter)\b/.test(c) || (!rest && /\bit\b/.test(c) && !/\b(brighter|dimmer|darker|lighter)\b/.test(c));
    if (isTemp) return { kind: 'temperature', delta: up ? 1 : -1, target: rest };
    return { kind: 'brightness', delta: up ? 25 : -25, target: rest };
  }

  // "turn on X", "turn X off", "X on", "lights off in the kitchen", "shut down X".
  const particle = c.match(/\b(on|off|down)\b/);
  if (particle && (POWER_VERBS.includes(first) || particle[1] !== 'down')) {
    const action = particle[1] === 'on' ? 'on' : 'off';
    if (particle[1] === 'down' && first !== 'shut' && first !== 'power') return null;
    const target = strip(c.slice(0, particle.index) + c.slice((particle.index ?? 0) + particle[1].length), POWER_VERBS.includes(first) ? /^\w+\b/ : /^$/);
    return { kind: 'power', action, target };
  }
  if (first === 'set' && /\bscene\b/.test(c)) return { kind: 'power', action: 'on', target: strip(c, /^set\b/) };
  if (first === 'set' || first === 'make' || POWER_VERBS.includes(first)) return null;
  // No verb at all: only a scene name ("movie night") can be meant.
  return { kind: 'power', action: 'on', target: c, implicit: true };
}

const VOLUME_WORDS = /\b(?:volume|louder|quieter|softer)\b/;

/** "mute the tv", "turn the volume up on the tv", "set the tv volume to 30 percent", "make the radio louder". */
function parseVolume(c: string, first: string): Command | null {
  if (MUTE_VERBS.includes(first)) return { kind: 'volume', mute: first !== 'unmute', target: strip(c, /^\w+\b|\b(?:the sound|sound|on|in)\b/g) };
  if (!VOLUME_WORDS.test(c)) return null;
  const target = strip(c, /\b(?:set|turn|make|change|adjust|put|bring|raise|lower|increase|decrease|reduce|bump|crank|up|down|to|by|at|of|on|for|in|the|volume|louder|quieter|softer|a bit|a little|little|bit|\d+(?:\.\d+)? percent|\d+(?:\.\d+)?)\b/g);
  const n = c.match(/\b(\d+(?:\.\d+)?)(?: percent)?\b/);
  const down = /\b(?:down|lower|decrease|reduce|quieter|softer)\b/.test(c);
  if (n && /\bby\b/.test(c)) return { kind: 'volume', delta: down ? -Number(n[1]) : Number(n[1]), target };
  if (n) return { kind: 'volume', percent: Number(n[1]), target };
  if (down || /\b(?:up|raise|increase|bump|crank|louder)\b/.test(c)) return { kind: 'volume', step: down ? 'down' : 'up', target };
  return null;
}

function parseQuestion(q: string): Command | null {
  // "did I leave the coffee maker on", "did someone leave the garage open", "did I lock the back door".
  const left = q.match(/^(?:did|have) (?:i|we|you|someone|somebody|anyone|anybody) (?:leave|left) (.+?) (on|off|open|unlocked|locked|closed)$/);
  if (left) return parseQuestion(`is ${left[1]} ${left[2]}`);
  const did = q.match(/^(?:did|have) (?:i|we|you|someone|somebody|anyone|anybody) (lock|locked|unlock|unlocked|close|closed|open|opened|turn off|turned off|switch off|switched off|turn on|turned on|switch on|switched on) (.+)$/);
  if (did) {
    const expect = /^lock/.test(did[1]) ? 'locked' : /^unlock/.test(did[1]) ? 'unlocked' : /^close/.test(did[1]) ? 'closed' : /^open/.test(did[1]) ? 'open' : /off$/.test(did[1]) ? 'off' : 'on';
    return { kind: 'query', ask: 'state', expect, target: strip(did[2], /\b(?:the)\b/g) };
  }
  // "do" opens a question only as "do I/we have ..."; otherwise it is a vague request ("do the thing").
  if (/^(?:do|does|did) /.test(q) && !/^(?:do|does|did) (?:i|we|you) (?:have|got)\b/.test(q)) return null;
  let c = q.replace(/^(?:tell me|check|can you check|do you know|let me know)\s+/, '').replace(/^(?:if|whether)\s+/, '');
  // "tell me if the front door is locked" → "is the front door locked".
  const inverted = c.match(/^(?!is |are |which |what |how |do |does )(.+?) (is|are) (on|off|locked|unlocked|open|closed|playing|paused)$/);
  if (inverted) c = `${inverted[2]} ${inverted[1]} ${inverted[3]}`;
  // "what is playing in the living room", "what song is playing on the kitchen speaker".
  const playing = c.match(/^what(?: song| music| track| show)? is playing(?: (?:on|in) (.+))?$/);
  if (playing) return { kind: 'query', ask: 'playing', target: strip(playing[1] ?? '', /\b(?:the)\b/g) };

  if (/\bhow bright\b|\bbrightness\b/.test(c))
    return { kind: 'query', ask: 'brightness', target: strip(c, /\b(?:how|bright|is|are|what|the|brightness|of|level|set to|set|at)\b/g) };
  if (/\b(?:temperature|thermostat|how (?:warm|cold|hot)|degrees|heating|heat)\b/.test(c))
    return { kind: 'query', ask: 'temperature', target: '' };

  const stateMatch = c.match(/\b(on|off|locked|unlocked|open|opened|closed|shut|lit|running|playing|paused)\b/);
  const expect = stateMatch
    ? (
        {
          on: 'on', lit: 'on', running: 'on', off: 'off', locked: 'locked', unlocked: 'unlocked', open: 'open', opened: 'open', closed: 'closed',
          shut: 'closed', playing: 'playing', paused: 'paused',
        } as const
      )[stateMatch[1] as 'on']
    : undefined;
  const rest = stateMatch ? strip(c, new RegExp(`\\b${stateMatch[1]}\\b`)) : c;

  const which = rest.match(/^(?:which|what) (.*?)\s*(?:is|are)?(?: still| currently)?$/);
  if (which && expect) return { kind: 'query', ask: 'which', expect, target: strip(which[1], /\b(?:is|are)\b/g) || 'everything' };
  if (/^what is (?:the )?(?:status|state) of /.test(rest) || /^how is /.test(rest) || /^what about /.test(rest))
    return { kind: 'query', ask: 'state', target: strip(rest, /^(?:what is (?:the )?(?:status|state) of|how is|what about)\b/) };

  const yesNo = rest.match(/^(?:is|are|was|were|do|does)(?: there)?(?: still| currently)?\s*(.*)$/);
  if (yesNo) {
    let target = strip(yesNo[1], /^(?:i|we|you) (?:have|got)\b/);
    let quantifier: 'any' | 'all' | undefined;
    const qm = target.match(/^(any|anything|all|every|everything|some)\b/);
    if (qm) quantifier = qm[1] === 'all' || qm[1] === 'every' || qm[1] === 'everything' ? 'all' : 'any';
    if (qm && (qm[1] === 'any' || qm[1] === 'all' || qm[1] === 'some' || qm[1] === 'every')) target = strip(target, /^\w+\b/);
    target = strip(target, /\b(?:still|currently|the)\b/g);
    if (expect) return { kind: 'query', ask: 'state', expect, quantifier, target: target || 'everything' };
    if (target) return { kind: 'query', ask: 'state', target };
  }
  if (/^any /.test(rest) && expect) return { kind: 'query', ask: 'state', expect, quantifier: 'any', target: strip(rest, /^any\b/) };
  // "check the front door": whatever is left names the thing to report on.
  const named = strip(rest, /^(?:what|which|how|is|are|do|does|did|was|were|any)\b|\b(?:the|is|are)\b/g);
  return named ? { kind: 'query', ask: 'state', expect, target: named } : null;
}
