/**
 * The home as tools for the model, in the OpenAI `tools` format, named and shaped like Home
 * Assistant's Assist LLM API (its intent tools and `GetLiveContext`), so prompts written for Home
 * Assistant carry over. Each tool's zod schema is both the validator of the model's arguments and,
 * through `z.toJSONSchema`, the parameters the model is shown.
 *
 * Everything goes through the same home, resolver and safety policy as the action agent: targets
 * are resolved by `resolveTarget` (an unknown device is "not found", never a guess), service calls
 * are carried out by `carryOut` (one `action` part each), and what `needsConfirmation` holds back
 * is asked about exactly as the action agent asks (home-control.ts) — the call is not made.
 */
import { z } from 'zod';
import type { AgentContext, AgentPart } from '../turn/index.js';
import type { ToolCall } from '../llm/index.js';
import { domainOf, type HomeEntity } from './home/index.js';
import { resolveTarget, type HomeIndex } from './action-resolve.js';
import { rangeWords, stepsForCalls, tempRange, type ServiceCall } from './action-plan.js';
import { normalizeWords } from './text/normalize.js';
import { capitalize, describe, percentOf, the } from './action-speech.js';
import { askFirst, carryOut, errorPart, homeName, spokenReason, type HomeControl } from './home-control.js';
import { POWER_DOMAINS, powerService } from './home-services.js';

/** One value or a list of them (Home Assistant's `cv.ensure_list`); a model writes either. */
const list = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const target = {
  name: z.string().optional(),
  area: z.string().optional(),
};

const onOff = z.object({ ...target, domain: list.optional(), device_class: list.optional() });
const lightSet = z.object({
  ...target,
  brightness: z.coerce
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('The brightness percentage of the light between 0 and 100, where 0 is off and 100 is fully lit'),
  color: z.string().optional(),
});
const climateSet = z.object({ ...target, temperature: z.coerce.number() });
const getState = z.object({ ...target, domain: list.optional(), state: list.optional() });
const liveContext = z.object({});

type Answer = {
  ok: boolean;
  /** What the model is told (as the `tool` message, JSON). */
  content: { success: boolean; result?: unknown; error?: string };
  /** A question Barnabee asks the listener itself, ending the turn (an unlock waiting for a yes). */
  ask?: string;
  /** What the service calls did, in words ("Okay, I turned on the porch light."): said if the model cannot say it. */
  done?: string;
};

interface Env {
  control: HomeControl;
  ctx: AgentContext;
  index: HomeIndex;
}

interface HomeTool<S extends z.ZodType> {
  name: string;
  description: string;
  schema: S;
  run(args: z.output<S>, env: Env): AsyncGenerator<AgentPart, Answer>;
}

const tool = <S extends z.ZodType>(t: HomeTool<S>): HomeTool<S> => t;

const TOOLS = [
  tool({
    name: 'HassTurnOn',
    description:
      "Turns on/opens/presses a device or entity. For locks, this performs a 'lock' action. Use for requests like 'turn on', 'activate', 'enable', or 'lock'.",
    schema: onOff,
    run: (args, env) => power(true, args, env),
  }),
  tool({
    name: 'HassTurnOff',
    description:
      "Turns off/closes a device or entity. For locks, this performs an 'unlock' action. Use for requests like 'turn off', 'deactivate', 'disable', or 'unlock'.",
    schema: onOff,
    run: (args, env) => power(false, args, env),
  }),
  tool({
    name: 'HassLightSet',
    description: 'Sets the brightness percentage or color of a light',
    schema: lightSet,
    run: lightSetRun,
  }),
  tool({
    name: 'HassClimateSetTemperature',
    description: 'Sets the desired temperature of a climate device or entity',
    schema: climateSet,
    run: climateRun,
  }),
  tool({
    name: 'HassGetState',
    description: 'Gets or checks the state of a device or entity',
    schema: getState,
    async *run(args, env) {
      const domains = args.domain ?? [...new Set(env.index.entries.map((e) => e.domain))].filter((d) => d !== 'scene' && d !== 'script');
      const found = find(env, args, domains, !args.name && !args.area);
      if (!found.ok) return found.answer;
      const wanted = args.state?.map((s) => s.toLowerCase());
      const result: Record<string, unknown> = { entities: found.entities.map(compact) };
      if (wanted) {
        result.matched = found.entities.filter((e) => wanted.includes(e.state)).map((e) => e.attributes.friendly_name);
        result.unmatched = found.entities.filter((e) => !wanted.includes(e.state)).map((e) => e.attributes.friendly_name);
      }
      return { ok: true, content: { success: true, result } };
    },
  }),
  tool({
    name: 'GetLiveContext',
    description:
      "Provides real-time information about the CURRENT state, value, or mode of devices, sensors, entities, or areas. Use this tool for: 1. Answering questions about current conditions (e.g., 'Is the light on?'). 2. As the first step in conditional actions.",
    schema: liveContext,
    async *run(_args, env) {
      return { ok: true, content: { success: true, result: env.index.entries.map((e) => compact(e.entity)) } };
    },
  }),
];

const BY_NAME: ReadonlyMap<string, HomeTool<z.ZodType>> = new Map(TOOLS.map((t) => [t.name, t as unknown as HomeTool<z.ZodType>]));

/** The tools as the model is offered them (OpenAI function tools). Built once: they never change. */
export const HOME_TOOLS: readonly { type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }[] = TOOLS.map((t) => {
  // The input side of each schema: what the model may write (a domain as one string or a list).
  const { $schema: _drop, ...parameters } = z.toJSONSchema(t.schema, { io: 'input' }) as Record<string, unknown>;
  return { type: 'function', function: { name: t.name, description: t.description, parameters } };
});

/** A model's tool message content is bounded: a home with thousands of entities must not fill the context. */
export const MAX_TOOL_RESULT_CHARS = 16_000;

export interface ToolRun {
  call: ToolCall;
  ok: boolean;
  /** The `tool` message's content. */
  content: string;
}

export interface RoundOutcome {
  runs: ToolRun[];
  /** Spoken by Barnabee to end the turn: what was done, then the question (an unlock waiting for a yes). */
  ask?: string;
  /** What this round's service calls did, in words, one entry per call that made any. */
  done: string[];
  aborted: boolean;
}

/**
 * Run one round's calls, in the order the model made them (a scene before the light changed after
 * it). Yields each call's `action` parts, then its `tool_result`. The home is read once per round.
 */
export async function* runHomeTools(calls: ToolCall[], control: HomeControl, ctx: AgentContext): AsyncGenerator<AgentPart, RoundOutcome> {
  const runs: ToolRun[] = [];
  const asks: string[] = [];
  const done: string[] = [];
  let index: HomeIndex | null = null;
  let unreachable: string | null = null;
  for (const call of calls) {
    if (ctx.signal.aborted) return { runs, done, aborted: true };
    let answer: Answer;
    const tool = BY_NAME.get(call.name);
    const parsed = tool && !call.error ? tool.schema.safeParse(call.arguments) : undefined;
    if (call.error) answer = failure(`The call was malformed (${call.error}). Call the tool again with a JSON object as its arguments.`);
    else if (!tool) answer = failure(`There is no tool called ${JSON.stringify(call.name)}. The tools are: ${TOOLS.map((t) => t.name).join(', ')}.`);
    else if (!parsed?.success) answer = failure(`Invalid arguments: ${parsed ? z.prettifyError(parsed.error).replace(/\s*\n\s*/g, '; ') : ''}`);
    else {
      if (!index && !unreachable) {
        try {
          index = await control.read(ctx.signal);
        } catch (err) {
          if (ctx.signal.aborted) return { runs, done, aborted: true };
          unreachable = `I can't reach ${homeName(control.home)} right now: ${spokenReason(err)}.`;
          // The turn says why, as the action agent's does (the model only hears the spoken reason).
          yield errorPart(err);
        }
      }
      if (ctx.signal.aborted) return { runs, done, aborted: true };
      answer = index ? yield* tool.run(parsed.data, { control, ctx, index }) : failure(unreachable!);
    }
    if (ctx.signal.aborted) return { runs, done, aborted: true };
    const content = bounded(JSON.stringify(answer.content));
    runs.push({ call, ok: answer.ok, content });
    if (answer.ask) asks.push(answer.ask);
    if (answer.done) done.push(answer.done);
    yield { type: 'tool_result', id: call.id, name: call.name, arguments: call.arguments, ok: answer.ok, content };
  }
  return { runs, done, aborted: false, ...(asks.length ? { ask: asks.join(' ') } : {}) };
}

const failure = (error: string): Answer => ({ ok: false, content: { success: false, error } });

function bounded(text: string): string {
  return text.length <= MAX_TOOL_RESULT_CHARS ? text : `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… (cut: too long)`;
}

type Found = { ok: true; entities: HomeEntity[] } | { ok: false; answer: Answer };

/**
 * The entities a call names: by name (and area), by area, or every one of the domains. Never a
 * guess: what the resolver cannot place is "not found", with the words the model used.
 */
function find(env: Env, args: { name?: string; area?: string; domain?: string[]; device_class?: string[] }, domains: string[], emptyMeansAll: boolean): Found {
  const { index, ctx } = env;
  const allowed = args.domain ? domains.filter((d) => args.domain!.includes(d)) : domains;
  const notFound = (error: string): Found => ({ ok: false, answer: failure(error) });
  if (!allowed.length) return notFound(`This tool does not apply to the domain ${joinQuoted(args.domain ?? [])}.`);
  const name = args.name?.trim();
  const area = args.area?.trim();
  if (area && !name && !index.areaOf.has(normalizeWords(area))) return notFound(`There is no area called ${JSON.stringify(area)} in this home.`);
  if (!name && !area && !emptyMeansAll && !args.domain && !args.device_class) return notFound('Say which device (name) or area (area) you mean.');
  const r = resolveTarget(index, name || area || '', {
    domains: allowed,
    // The room the request came from narrows "the lights" only when the model named no area.
    room: area ? undefined : ctx.request.room,
    emptyMeansAll: !name && !area,
  });
  if (!r.ok) return notFound(name ? `No device called ${JSON.stringify(name)} was found${area ? ` in the ${area}` : ''}.` : 'No matching device was found.');
  let entities = r.entities;
  if (name && area) {
    const wanted = index.areaOf.get(normalizeWords(area)) ?? normalizeWords(area);
    const inArea = new Set(index.entries.filter((x) => x.area === wanted).map((x) => x.entity.entity_id));
    entities = entities.filter((e) => inArea.has(e.entity_id));
    if (!entities.length) return notFound(`No device called ${JSON.stringify(name)} was found in the ${area}.`);
  }
  if (args.device_class) {
    const classes = args.device_class.map((c) => c.toLowerCase());
    entities = entities.filter((e) => classes.includes(String(e.attributes.device_class ?? '')));
    if (!entities.length) return notFound(`No matching device has the device class ${joinQuoted(classes)}.`);
  }
  return { ok: true, entities };
}

const joinQuoted = (items: string[]) => items.map((i) => JSON.stringify(i)).join(', ');

/** The domains HassTurnOn/HassTurnOff reach, most likely first (as the action agent's rules prefer). */
const POWER_ORDER = ['light', 'switch', 'fan', 'media_player', 'cover', 'climate', 'scene', 'script', 'input_boolean', 'valve', 'lock'];
const POWER = [...POWER_ORDER.filter((d) => POWER_DOMAINS.includes(d)), ...POWER_DOMAINS.filter((d) => !POWER_ORDER.includes(d))];

/** The domains that can be turned off (a scene only runs). */
const POWER_OFF = POWER.filter((d) => powerService(d, false));

async function* power(on: boolean, args: z.output<typeof onOff>, env: Env): AsyncGenerator<AgentPart, Answer> {
  // Only domains with a service for this direction are searched, so every entity found has one.
  const found = find(env, args, on ? POWER : POWER_OFF, false);
  if (!found.ok) return found.answer;
  return yield* execute(found.entities.map((entity) => ({ service: powerService(domainOf(entity.entity_id), on)!, entity, data: {} })), env);
}

async function* lightSetRun(args: z.output<typeof lightSet>, env: Env): AsyncGenerator<AgentPart, Answer> {
  const found = find(env, args, ['light'], false);
  if (!found.ok) return found.answer;
  const { brightness, color } = args;
  if (color) {
    const plain = found.entities.filter((e) => !hasColor(e));
    if (plain.length) return failure(`${capitalize(describe(plain))} cannot change color.`);
  }
  if (brightness === 0) return yield* execute(found.entities.map((entity) => ({ service: 'light.turn_off', entity, data: {} })), env);
  const data: ServiceCall['data'] = {};
  if (brightness !== undefined) data.brightness_pct = brightness;
  if (color) data.color_name = color.toLowerCase();
  return yield* execute(found.entities.map((entity) => ({ service: 'light.turn_on', entity, data })), env);
}

async function* climateRun(args: z.output<typeof climateSet>, env: Env): AsyncGenerator<AgentPart, Answer> {
  const found = find(env, args, ['climate'], true);
  if (!found.ok) return found.answer;
  for (const e of found.entities) {
    const { min, max } = tempRange(e);
    if (args.temperature < min || args.temperature > max) return failure(`${capitalize(the(e))} ${rangeWords(e)}.`);
  }
  return yield* execute(found.entities.map((entity) => ({ service: 'climate.set_temperature', entity, data: { temperature: args.temperature } })), env);
}

/**
 * Carry out the calls with the rules' words for them (`stepsForCalls`), and ask about what the
 * safety policy holds back (an unlock, a garage door opening), exactly as the action agent would.
 */
async function* execute(calls: ServiceCall[], env: Env): AsyncGenerator<AgentPart, Answer> {
  const { control, ctx } = env;
  const steps = stepsForCalls(calls);
  const later = steps.flatMap((s) => s.confirm);
  let failed = false;
  const outcome = yield* watch(carryOut(steps.map((step) => ({ step, calls: step.calls })), control.home, ctx.signal), (p) => {
    if (p.type === 'action' && !p.ok) failed = true;
  });
  control.memory.setRecent(ctx.conversationId, calls.map((c) => c.entity.entity_id));
  const done = outcome.sentences.join(' ');
  if (later.length) {
    const question = askFirst(control.memory, ctx, later);
    return {
      ok: false,
      content: {
        success: false,
        ...(done ? { result: done } : {}),
        error: question.endsWith('?') ? `Not done yet: it waits for the user's spoken yes. They have been asked: "${question}"` : `Not done: ${question}`,
      },
      ask: [done, question].filter(Boolean).join(' '),
      done,
    };
  }
  return failed ? { ok: false, content: { success: false, error: done }, done } : { ok: true, content: { success: true, result: done }, done };
}

/** Passes a generator's parts on, showing each to `see`, and returns what it returns. */
async function* watch<T>(gen: AsyncGenerator<AgentPart, T>, see: (p: AgentPart) => void): AsyncGenerator<AgentPart, T> {
  for (;;) {
    const r = await gen.next();
    if (r.done) return r.value;
    see(r.value);
    yield r.value;
  }
}

const COLOR_MODES = new Set(['hs', 'rgb', 'rgbw', 'rgbww', 'xy']);
const hasColor = (e: HomeEntity) => Array.isArray(e.attributes.supported_color_modes) && e.attributes.supported_color_modes.some((m) => COLOR_MODES.has(String(m)));

const ATTRIBUTES = ['current_temperature', 'temperature', 'device_class', 'current_position', 'percentage', 'volume_level', 'media_title', 'media_artist'];

/** An entity as the model reads it: names, domain, state, area and the few attributes worth saying (Home Assistant's live context, compact). */
function compact(e: HomeEntity): Record<string, unknown> {
  const a = e.attributes;
  const domain = domainOf(e.entity_id);
  const out: Record<string, unknown> = {
    names: [a.friendly_name, ...(Array.isArray(a.aliases) ? a.aliases : [])].join(', '),
    domain,
    // A scene's state is when it last ran: not a state to report.
    ...(domain === 'scene' ? {} : { state: e.state }),
  };
  // The area's aliases too, as its names are listed: the model may hear "the lounge" for the Living Room.
  if (a.area) out.areas = [a.area, ...(Array.isArray(a.area_aliases) ? a.area_aliases : [])].join(', ');
  const attributes: Record<string, unknown> = {};
  if (domain === 'light' && e.state === 'on' && typeof a.brightness === 'number') attributes.brightness_percent = percentOf(e);
  for (const k of ATTRIBUTES) if (a[k] !== undefined && a[k] !== null) attributes[k] = a[k];
  if (Object.keys(attributes).length) out.attributes = attributes;
  return out;
}
