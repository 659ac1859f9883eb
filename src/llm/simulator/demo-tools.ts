/**
 * How the demo model uses tools: which offered tool the user's words name, the arguments it fills
 * in from those words (by the tool's JSON-schema property names: `name`, `area`, `domain`, a
 * number for `brightness` or `temperature`, a colour, any enum value), what it says before the
 * calls ("Sure, turning on the porch light."), and the one sentence it answers with once the tool
 * results are in. Pure: text and schemas in, calls and sentences out.
 *
 * Built for tools shaped like Home Assistant's Assist API (`HassTurnOn`, `HassLightSet`, …) but
 * nothing here names them: a tool is found by the words of its name, its arguments by its schema.
 */
import { wordsToNumbers } from '../../numbers.js';
import type { SimToolCall } from './types.js';

interface PropSchema {
  type?: unknown;
  enum?: unknown;
  items?: { type?: unknown; enum?: unknown } | null;
}

export interface OfferedTool {
  name: string;
  /** The name's words, lower case, without a `Hass` prefix: `HassTurnOn` → turn, on. */
  words: string[];
  props: Record<string, PropSchema>;
}

/** A call the demo model makes, with what the user said for it (to speak it back). */
export interface DemoCall extends SimToolCall {
  /** What it acts on, as said: "porch light", "bedroom lights". */
  target: string;
  /** The value, as said: "to 40 percent". */
  value: string;
}

/** The offered tools, read leniently: anything without a function name is skipped. */
export function toolsOffered(tools: unknown): OfferedTool[] {
  if (!Array.isArray(tools)) return [];
  const out: OfferedTool[] = [];
  for (const t of tools as Array<{ function?: { name?: unknown; parameters?: { properties?: unknown } } } | null>) {
    const name = t?.function?.name;
    if (typeof name !== 'string' || !name) continue;
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .split(/[\s_.-]+/)
      .map((w) => w.toLowerCase())
      .filter((w) => w && w !== 'hass');
    const props = t?.function?.parameters?.properties;
    if (words.length) out.push({ name, words, props: props && typeof props === 'object' ? (props as Record<string, PropSchema>) : {} });
  }
  return out;
}

/** Other words a speaker uses for a word in a tool's name (demo vocabulary, not a parser). */
const SAID_AS: Record<string, readonly string[]> = {
  turn: ['switch', 'put'],
  set: ['dim', 'brighten', 'change', 'make', 'adjust', 'put'],
  light: ['lamp', 'brightness', 'bright'],
  climate: ['thermostat', 'heating', 'heat', 'ac', 'degree', 'warmer', 'cooler'],
  temperature: ['degree', 'thermostat', 'warmer', 'cooler'],
  get: ['what', 'which', 'check', 'show'],
  state: ['status'],
};

/** Plural device words that mean "every one in the area" (as Home Assistant reads them) → domain. */
const CLASS_DOMAINS: Record<string, string> = {
  light: 'light', lamp: 'light', switch: 'switch', plug: 'switch', fan: 'fan',
  blind: 'cover', shade: 'cover', curtain: 'cover', cover: 'cover', lock: 'lock', speaker: 'media_player',
};

const ROOMS = new Set([
  'kitchen', 'bedroom', 'living room', 'lounge', 'office', 'hallway', 'hall', 'bathroom', 'garage', 'porch', 'garden', 'dining room',
  'basement', 'attic', 'nursery', 'study', 'den', 'patio', 'yard', 'upstairs', 'downstairs', 'guest room', 'laundry', 'landing', 'entrance',
]);

const COLOURS = ['warm white', 'cool white', 'white', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'cyan', 'magenta'];

/** Words around a target that are not part of it ("please turn on THE porch light"). */
const FILLER = new Set(['please', 'can', 'could', 'would', 'will', 'you', 'kindly', 'just', 'now', 'hey', 'for', 'me', 'i', 'want', 'need', 'the', 'a', 'an', 'my', 'our', 'all', 'of', 'is', 'are', 's', 'also', 'too']);
/** Words that name the device itself: they stay in the target even when they also named the tool ("light" in `HassLightSet`). */
const DEVICE_WORDS = new Set([...Object.keys(CLASS_DOMAINS), 'thermostat', 'heating', 'heater', 'ac']);

const trimFiller = (words: string[]) => {
  let a = 0;
  let b = words.length;
  while (a < b && FILLER.has(words[a]!)) a++;
  while (b > a && FILLER.has(words[b - 1]!)) b--;
  return words.slice(a, b);
};

/** Lower-case words, numbers (with a decimal part or digit grouping) and `%`, in order; `,` and `;` too with `punctuation`. */
function wordsOf(text: string, punctuation = false): string[] {
  return text.toLowerCase().match(punctuation ? /\d+(?:[.,]\d+)*|[\p{L}\p{N}]+|%|°|[,;]/gu : /\d+(?:[.,]\d+)*|[\p{L}\p{N}]+|%|°/gu) ?? [];
}

/** A number as written: "21,5" has a decimal comma, "1,000" digit grouping (as Barnabee's own tokenizer reads them). */
const numberOf = (w: string) => Number(/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(w) ? w.replace(/,/g, '') : w.replace(',', '.'));

/** lights → light, switches → switch, batteries → battery; short words stay. */
function stem(word: string): string {
  if (word.length <= 3 || word.endsWith('ss')) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ch|sh|x)es$/.test(word)) return word.slice(0, -2);
  return word.endsWith('s') ? word.slice(0, -1) : word;
}

interface Match {
  tool: OfferedTool;
  /** Positions of the clause's words that named the tool. */
  used: Set<number>;
  span: number;
}

/** The tool every word of whose name the clause says (or says another way); the most specific, then the tightest. */
function pickTool(words: string[], tools: OfferedTool[]): Match | null {
  const stems = words.map(stem);
  const hasNumber = words.some((w) => /^\d/.test(w));
  let best: Match | null = null;
  for (const tool of tools) {
    const used = new Set<number>();
    let named = 0;
    for (const w of tool.words) {
      const said = [w, ...(SAID_AS[w] ?? [])];
      const at = stems.findIndex((s, i) => !used.has(i) && said.includes(s));
      if (at >= 0) used.add(at);
      // A word that is also a numeric property ("temperature") is said by saying the number.
      else if (!(hasNumber && isNumeric(tool.props[w]))) break;
      named++;
    }
    if (named < tool.words.length || !used.size) continue;
    const span = Math.max(...used) - Math.min(...used);
    if (!best || tool.words.length > best.tool.words.length || (tool.words.length === best.tool.words.length && span < best.span)) {
      best = { tool, used, span };
    }
  }
  return best;
}

const isNumeric = (p: PropSchema | undefined) => p?.type === 'number' || p?.type === 'integer';
const enumOf = (p: PropSchema | undefined): string[] => {
  const e = p?.enum ?? p?.items?.enum;
  return Array.isArray(e) ? e.filter((v): v is string => typeof v === 'string') : [];
};
/** A value in the shape the property wants: a list for an array property. */
const shaped = (p: PropSchema | undefined, v: string) => (p?.type === 'array' ? [v] : v);

/** Where `phrase` (words) occurs in `words`, or -1. */
function indexOfPhrase(words: string[], phrase: string[]): number {
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (stem(words[i + j]!) !== stem(phrase[j]!)) continue outer;
    return i;
  }
  return -1;
}

/** One clause ("set the bedroom lights to 40 percent") → arguments for `tool`. */
function fillArguments(tool: OfferedTool, words: string[], used: Set<number>): { args: Record<string, unknown>; target: string; value: string } {
  const args: Record<string, unknown> = {};
  const props = tool.props;
  const taken = new Set([...used].filter((i) => !DEVICE_WORDS.has(stem(words[i]!))));
  const valueWords: string[] = [];

  // Numbers, with their unit and the "to"/"at"/"by" before them: "to 40 percent", "21 degrees".
  const numericProps = Object.keys(props).filter((k) => isNumeric(props[k]));
  for (let i = 0; i < words.length; i++) {
    if (taken.has(i) || !/^\d/.test(words[i]!)) continue;
    const n = numberOf(words[i]!);
    const unit = words[i + 1] ?? '';
    const pct = unit === '%' || unit === 'percent';
    const deg = /^(degree|degrees|°|celsius|fahrenheit)$/.test(unit);
    const from = ['to', 'at', 'by'].includes(words[i - 1] ?? '') ? i - 1 : i;
    const to = pct || deg ? i + 1 : i;
    for (let k = from; k <= to; k++) taken.add(k);
    valueWords.push(...words.slice(from, to + 1).map((w) => (w === '%' ? 'percent' : w === '°' ? 'degrees' : w)));
    const open = numericProps.filter((k) => !(k in args));
    const key =
      (pct && open.find((k) => /bright|percent|level|position|volume/i.test(k))) || (deg && open.find((k) => /temp/i.test(k))) || open[0];
    if (key) args[key] = props[key]!.type === 'integer' ? Math.round(n) : n;
  }

  // Enum values said anywhere (a domain, a device class): they stay part of the target ("porch
  // LIGHT"), so which to keep is decided below. A colour for a colour property is a value.
  const enumSaid = new Map<string, string>();
  for (const [key, p] of Object.entries(props)) {
    const colour = !enumOf(p).length && /colou?r/i.test(key);
    for (const choice of [...(colour ? COLOURS : enumOf(p))].sort((a, b) => b.length - a.length)) {
      const phrase = wordsOf(choice.replace(/_/g, ' '));
      const at = phrase.length ? indexOfPhrase(words, phrase) : -1;
      if (at < 0 || taken.has(at)) continue;
      if (!colour) {
        enumSaid.set(key, choice);
        break;
      }
      args[key] = shaped(p, choice);
      const from = words[at - 1] === 'to' ? at - 1 : at;
      for (let k = from; k < at + phrase.length; k++) taken.add(k);
      valueWords.push(...words.slice(from, at + phrase.length));
      break;
    }
  }

  // What is left says what to act on: "porch light", "bedroom lights", "lights in the kitchen".
  let rest = words.filter((_, i) => !taken.has(i));
  let area: string | null = null;
  const inAt = rest.lastIndexOf('in');
  if (inAt >= 0 && inAt < rest.length - 1) {
    area = trimFiller(rest.slice(inAt + 1)).join(' ') || null;
    rest = rest.slice(0, inAt);
  }
  const phrase = trimFiller(rest);
  const target = [...phrase, ...(area ? ['in', 'the', area] : [])].join(' ');
  const last = phrase.at(-1);
  const domain = last ? CLASS_DOMAINS[stem(last)] : undefined;
  let name: string | null = phrase.join(' ') || null;
  if (name && ROOMS.has(name)) {
    // "turn off the bedroom": the whole room.
    area ??= name;
    name = null;
  }
  if (domain && (last !== stem(last!) || phrase.length === 1)) {
    // "the bedroom lights", "the lights": every light there, not one called that.
    const room = phrase.slice(0, -1).join(' ');
    if (!room || ROOMS.has(room) || ROOMS.has(phrase.at(-2)!)) {
      if (room) area ??= room;
      name = null;
      if ('domain' in props && !('domain' in args) && (!enumOf(props.domain).length || enumOf(props.domain).includes(domain))) {
        args.domain = shaped(props.domain, domain);
      }
    }
  }
  for (const [key, choice] of enumSaid) {
    if (key in args) continue;
    // The target is just the kind ("the tv"): that is the argument. A named device keeps only its domain.
    if (name === wordsOf(choice.replace(/_/g, ' ')).join(' ')) name = null;
    else if (name && key !== 'domain') continue;
    args[key] = shaped(props[key], choice);
  }
  const strings = Object.keys(props).filter((k) => !(k in args) && !isNumeric(props[k]) && !enumOf(props[k]).length);
  if (area && strings.includes('area')) args.area = area;
  else if (area) name = name ? `${name} in the ${area}` : area;
  const nameKey = strings.includes('name') ? 'name' : strings.find((k) => k !== 'area' && k !== 'domain' && k !== 'device_class');
  if (name && nameKey) args[nameKey] = name;
  return { args, target, value: valueWords.join(' ') };
}

/**
 * The calls the user's words ask for: one per command, commands joined by "and" or "then" made
 * as parallel calls ("turn on the porch light and the hallway light" → two `HassTurnOn`). A clause
 * that names no tool does what the one before it did; nothing is called unless a tool is named.
 */
export function demoToolCalls(text: string, tools: OfferedTool[]): DemoCall[] {
  const calls: DemoCall[] = [];
  let previous: Match | null = null;
  // Number words become digits first ("forty percent" → 40), by the one number reader, and before
  // "and" splits the clauses ("one hundred and five"); a comma inside a number ("21,5") splits nothing.
  const said = wordsToNumbers(wordsOf(text, true).join(' '));
  for (const clause of said.split(/(?:^| )(?:[,;]|and then|and|then)(?= |$)/)) {
    const words = clause.split(' ').filter(Boolean);
    if (!words.length) continue;
    const match = pickTool(words, tools);
    // "… and the hallway light": a clause that starts with its target does what the one before did.
    const tool = match?.tool ?? (FILLER.has(words[0]!) ? previous?.tool : undefined);
    if (!tool) continue;
    const { args, target, value } = fillArguments(tool, words, match?.used ?? new Set());
    if (!match && !target && !value) continue;
    previous = match ?? previous;
    calls.push({ name: tool.name, arguments: args, target, value });
  }
  return calls;
}

const GERUNDS: Record<string, string> = {
  turn: 'turning', set: 'setting', get: 'checking', open: 'opening', close: 'closing', lock: 'locking', unlock: 'unlocking',
  start: 'starting', stop: 'stopping', toggle: 'toggling', play: 'playing', pause: 'pausing',
};

/** What the demo model says before its calls: "Sure, turning on the porch light and setting the bedroom lights to 40 percent." */
export function sayBeforeCalls(calls: Array<SimToolCall & Partial<DemoCall>>, tools: OfferedTool[]): string {
  const said: string[] = [];
  for (const call of calls) {
    const words = tools.find((t) => t.name === call.name)?.words ?? [];
    const verb = words.find((w) => GERUNDS[w]);
    const particle = words.find((w) => w === 'on' || w === 'off');
    const args = typeof call.arguments === 'object' ? call.arguments : {};
    const target = call.target || (typeof args.name === 'string' ? args.name : typeof args.area === 'string' ? `the ${args.area}` : '');
    if (!verb || !target) continue;
    const phrase = [GERUNDS[verb], particle, /^the\b/.test(target) ? '' : 'the', target, call.value].filter(Boolean).join(' ');
    if (!said.includes(phrase)) said.push(phrase);
  }
  return said.length ? `Sure, ${said.join(' and ')}.` : 'Sure, one moment.';
}

/**
 * One short spoken sentence from the tool results the model was given: the error when one
 * failed, else what the results say changed (Home Assistant's `speech.plain.speech`, a `message`,
 * the names in `success`), else "Done."
 */
export function answerFromResults(results: string[]): string {
  const errors: string[] = [];
  const changes: string[] = [];
  for (const raw of results) {
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // plain text: said as it is
    }
    const { error, said } = readResult(value);
    if (error) errors.push(error);
    else if (said) changes.push(said);
  }
  const sentence = (s: string) => {
    const t = s.trim().replace(/[.!]+$/, '');
    return `${t.slice(0, 1).toUpperCase()}${t.slice(1)}.`;
  };
  if (errors.length) return sentence(`Sorry, that didn't work: ${lowerFirst(errors[0]!)}`);
  const unique = [...new Set(changes)];
  return unique.length ? sentence(unique.map((c, i) => (i ? lowerFirst(c) : c)).join(', and ')) : 'Done.';
}

/** "Turned on the light" → "turned on the light", but "Porch Light is on" keeps its name. */
const lowerFirst = (s: string) => (/^[A-Z][a-z]*\s+[a-z]/.test(s) ? s.slice(0, 1).toLowerCase() + s.slice(1) : s);
/** The first sentence, without its full stop: the pieces are joined into one sentence. */
const firstSentence = (s: string) => (s.trim().match(/^.*?[.!?](?=\s|$)/)?.[0] ?? s.trim()).slice(0, 200).replace(/[.!]+$/, '');

function readResult(value: unknown, depth = 0): { error?: string; said?: string } {
  if (typeof value === 'string') return value.trim() ? { said: firstSentence(value) } : {};
  if (!value || typeof value !== 'object' || depth > 3) return {};
  const v = value as Record<string, unknown>;
  const text = (x: unknown): string | undefined =>
    typeof x === 'string' && x.trim() ? firstSentence(x) : x && typeof x === 'object' && 'message' in x ? text((x as { message: unknown }).message) : undefined;
  const names = (x: unknown): string[] =>
    (Array.isArray(x) ? x : [])
      .map((e) => (typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : ''))
      .filter(Boolean);
  const error = text(v.error);
  if (error) return { error };
  const failed = names(v.failed);
  if (failed.length) return { error: `${failed.join(', ')} failed` };
  const speech = (v.speech as { plain?: { speech?: unknown } } | undefined)?.plain?.speech;
  const said = text(speech) ?? text(v.message) ?? text(v.result) ?? text(v.text) ?? text(v.summary);
  if (said) return { said };
  if (typeof v.name === 'string' && typeof v.state === 'string') return { said: `${v.name} is now ${v.state}` };
  const done = [v.success, v.changed, v.targets].map(names).find((n) => n.length);
  if (done) return { said: `done: ${done.join(', ')}` };
  // Home Assistant wraps its intent response: {"data": {…}, "error": null}.
  return v.data && typeof v.data === 'object' ? readResult(v.data, depth + 1) : {};
}
