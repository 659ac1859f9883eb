/**
 * The home as the model's tools, end to end: the real model client against the simulator over real
 * HTTP, the real simulated home, the action agent sharing the same home control, the turn runner,
 * a real SQLite store for the history and the real speech stage (Flite) where speech is tested.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { join } from 'node:path';
import { createActionAgent } from '../../src/agents/action.js';
import { createHomeControl } from '../../src/agents/home-control.js';
import { HOME_TOOLS, runHomeTools } from '../../src/agents/home-tools.js';
import { createInteractionAgent, MAX_MODEL_ROUNDS } from '../../src/agents/interaction.js';
import { createSimulatedHome, type HomeBackend } from '../../src/agents/home/index.js';
import { createAssistant } from '../../src/assistant.js';
import type { SimScript } from '../../src/llm/index.js';
import { createFliteEngine, createSpeechStage } from '../../src/speech/index.js';
import { openStore, type AgentContext, type AgentPart, type EventOf, type Store, type TurnEvent, type TurnRequest } from '../../src/turn/index.js';
import { recorded, rig, type Rig } from '../support/llm-sim.js';
import { assertWellFormed, collect, fixedRouter, scriptedAgent } from '../support/turn-fixtures.js';
import { tempDir } from '../support/turn-store.js';

let r: Rig;
const flite = createFliteEngine();
before(async () => {
  r = await rig({}, { maxRetries: 0 });
});
after(async () => {
  await r.close();
  await flite.close?.();
});

/** The simulated home, counting the service calls made on it (and able to hold one until the turn is cancelled). */
function countedHome(hold?: (signal: AbortSignal | undefined) => Promise<void>): HomeBackend & { calls: string[] } {
  const home = createSimulatedHome();
  const calls: string[] = [];
  return {
    name: home.name,
    calls,
    listEntities: (signal) => home.listEntities(signal),
    async callService(domain, service, data, signal) {
      calls.push(`${domain}.${service} ${String(data.entity_id)}`);
      if (hold) await hold(signal);
      return home.callService(domain, service, data, signal);
    },
  };
}

interface Setup {
  home: ReturnType<typeof countedHome>;
  store: Store;
  run(text: string, extra?: Partial<TurnRequest>, signal?: AbortSignal): Promise<TurnEvent[]>;
}

function setup(t: TestContext, options: { speak?: boolean; hold?: (signal: AbortSignal | undefined) => Promise<void> } = {}): Setup {
  const home = countedHome(options.hold);
  const control = createHomeControl(home);
  const store = openStore(join(tempDir(t), 'tools.db'));
  t.after(() => store.close());
  const assistant = createAssistant({
    // The rules did not catch these: the model answers, with the home as its tools.
    router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 0.5 }),
    agents: {
      instant: scriptedAgent('instant', [{ type: 'chunk', text: '(instant)', done: true }]),
      action: createActionAgent({ control }),
      interaction: createInteractionAgent({ llm: r.client, timeZone: 'UTC', control }),
    },
    store,
    speech: options.speak ? createSpeechStage({ engine: flite }) : undefined,
    historyTurns: 10,
  });
  return {
    home,
    store,
    run: async (text, extra = {}, signal = new AbortController().signal) => {
      const events = await collect(assistant.run({ text, conversation_id: 'c1', confirm_scope: 'ws:1', speak: options.speak, ...extra }, signal));
      assertWellFormed(events);
      return events;
    },
  };
}

const end = (events: TurnEvent[]) => events.at(-1) as EventOf<'turn.end'>;
const of = <T extends TurnEvent['type']>(events: TurnEvent[], type: T) => events.filter((e) => e.type === type) as EventOf<T>[];
const requestBodies = (from: number) => r.sim.records.slice(from).map((x) => x.body as { messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[]; tools?: { function: { name: string } }[] });
const script = (...s: SimScript[]) => r.sim.enqueue(...s);

describe('home tools: offered to the model', () => {
  it('HassTurnOn/Off, HassLightSet, HassClimateSetTemperature, HassGetState and GetLiveContext, with their parameters as JSON Schema', () => {
    const byName = new Map(HOME_TOOLS.map((t) => [t.function.name, t.function]));
    assert.deepEqual([...byName.keys()], ['HassTurnOn', 'HassTurnOff', 'HassLightSet', 'HassClimateSetTemperature', 'HassGetState', 'GetLiveContext']);
    const props = (name: string) => Object.keys((byName.get(name)!.parameters as { properties: object }).properties).sort();
    assert.deepEqual(props('HassTurnOn'), ['area', 'device_class', 'domain', 'name']);
    assert.deepEqual(props('HassLightSet'), ['area', 'brightness', 'color', 'name']);
    assert.deepEqual(props('HassClimateSetTemperature'), ['area', 'name', 'temperature']);
    assert.deepEqual((byName.get('HassClimateSetTemperature')!.parameters as { required: string[] }).required, ['temperature']);
    assert.deepEqual(props('HassGetState'), ['area', 'domain', 'name', 'state']);
    assert.match(byName.get('HassTurnOff')!.description, /unlock/);
  });
});

describe('home tools: the prompt says what the model can do', () => {
  it('with the home: act with the tools, never claim what no tool confirmed; without: it cannot operate devices', async () => {
    const ctx = (): AgentContext => ({ request: { text: 'hello' }, conversationId: 'p', route: { agent: 'interaction', intent: 'chat', confidence: 0.5 }, history: [], signal: new AbortController().signal, now: new Date() });
    const system = async (agent: ReturnType<typeof createInteractionAgent>) => {
      script({ text: 'Hi.' });
      for await (const _ of agent.run(ctx()));
      return requestBodies(r.sim.records.length - 1)[0]!.messages[0]!.content ?? '';
    };
    const withHome = await system(createInteractionAgent({ llm: r.client, timeZone: 'UTC', control: createHomeControl(createSimulatedHome()) }));
    assert.match(withHome, /control the devices in this home/);
    assert.match(withHome, /Never say a device was changed unless a tool result confirmed it/);
    const without = await system(createInteractionAgent({ llm: r.client, timeZone: 'UTC' }));
    assert.match(without, /You cannot operate devices in this home/);
    assert.equal(requestBodies(r.sim.records.length - 1)[0]!.tools, undefined);
  });
});

describe('home tools: run on the home', () => {
  const ctx = (): AgentContext => ({
    request: { text: 'x', confirm_scope: 'ws:1' },
    conversationId: 'c1',
    route: { agent: 'interaction', intent: 'chat', confidence: 0.5 },
    history: [],
    signal: new AbortController().signal,
    now: new Date(),
  });
  async function run(home: HomeBackend, name: string, args: Record<string, unknown>): Promise<AgentPart[]> {
    const out: AgentPart[] = [];
    const gen = runHomeTools([{ id: 'call_1', name, arguments: args }], createHomeControl(home), ctx());
    for (let r = await gen.next(); !r.done; r = await gen.next()) out.push(r.value);
    return out;
  }

  it("'unchanged' when the device already was in that state, 'no change reported' when the home reported nothing new", async () => {
    // Home Assistant answers a service call with the states that changed, possibly none.
    const inner = createSimulatedHome();
    const quiet: HomeBackend = { name: 'home-assistant', listEntities: (s) => inner.listEntities(s), callService: async (d, sv, data, s) => (await inner.callService(d, sv, data, s), []) };
    const detail = (parts: AgentPart[]) => parts.flatMap((p) => (p.type === 'action' ? [p.detail] : []));
    assert.deepEqual(detail(await run(quiet, 'HassTurnOff', { name: 'porch light' })), ['unchanged']);
    assert.deepEqual(detail(await run(quiet, 'HassTurnOn', { name: 'porch light' })), ['no change reported']);
    assert.deepEqual(detail(await run(createSimulatedHome(), 'HassTurnOn', { name: 'porch light' })), ['on at 100 percent']);
  });

  it('a renamed device is found by its new name (the index follows names, aliases and areas)', async () => {
    const inner = createSimulatedHome();
    let name = 'Porch Light';
    const home: HomeBackend = {
      name: 'simulated',
      listEntities: async (s) => (await inner.listEntities(s)).map((e) => (e.entity_id === 'light.porch' ? { ...e, attributes: { ...e.attributes, friendly_name: name, aliases: [] } } : e)),
      callService: (d, sv, data, s) => inner.callService(d, sv, data, s),
    };
    const control = createHomeControl(home);
    const find = async (said: string) => {
      const gen = runHomeTools([{ id: 'c', name: 'HassGetState', arguments: { name: said } }], control, ctx());
      let r = await gen.next();
      while (!r.done) r = await gen.next();
      return r.value.runs[0]!.ok;
    };
    assert.equal(await find('porch light'), true);
    assert.equal(await find('christmas tree'), false);
    name = 'Christmas Tree';
    assert.equal(await find('christmas tree'), true);
  });

  it("an area named by one of its aliases is that area (Home Assistant's area registry)", async () => {
    const inner = createSimulatedHome();
    const home: HomeBackend = {
      name: 'simulated',
      listEntities: async (s) => (await inner.listEntities(s)).map((e) => (e.attributes.area === 'living room' ? { ...e, attributes: { ...e.attributes, area_aliases: ['lounge'] } } : e)),
      callService: (d, sv, data, s) => inner.callService(d, sv, data, s),
    };
    const targets = (parts: AgentPart[]) => parts.flatMap((p) => (p.type === 'action' ? [p.target] : [])).sort();
    assert.deepEqual(targets(await run(home, 'HassTurnOn', { area: 'Lounge', domain: ['light'] })), ['light.living_room_ceiling', 'light.living_room_lamp']);
    assert.deepEqual(targets(await run(home, 'HassTurnOff', { name: 'lamp', area: 'lounge' })), ['light.living_room_lamp']);
    const unknown = (await run(home, 'HassTurnOn', { area: 'snug' })).find((p) => p.type === 'tool_result');
    assert.ok(unknown?.type === 'tool_result' && !unknown.ok);
    assert.equal((JSON.parse(unknown.content) as { error: string }).error, 'There is no area called "snug" in this home.');
  });

  it('arguments that do not fit the schema are an error result naming the field; an unknown tool names the tools', async () => {
    const bad = await run(createSimulatedHome(), 'HassLightSet', { name: 'desk lamp', brightness: 150 });
    const [result] = bad.filter((p) => p.type === 'tool_result');
    assert.ok(result && result.type === 'tool_result' && !result.ok);
    assert.match(result.content, /brightness/);
    const unknown = (await run(createSimulatedHome(), 'OpenPodBayDoors', {})).find((p) => p.type === 'tool_result');
    assert.ok(unknown?.type === 'tool_result' && /HassTurnOn/.test(unknown.content));
  });
});

describe('home tools: a turn with tool rounds', () => {
  it('a call split into 20 argument deltas is executed once; the answer and the history hold every round', async (t) => {
    const s = setup(t);
    const from = r.sim.records.length;
    script(
      { mode: 'text', text: 'Sure, turning on the porch light', toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'porch light', domain: ['light'] } }], toolArgumentDeltas: 20 },
      { text: 'The porch light is on now.' },
    );
    const events = await s.run('make it bright outside');
    assert.deepEqual(s.home.calls, ['light.turn_on light.porch']);
    const actions = of(events, 'action');
    assert.deepEqual(actions.map((a) => [a.service, a.target, a.ok, a.detail]), [['light.turn_on', 'light.porch', true, 'on at 100 percent']]);
    const [result] = of(events, 'tool_result');
    assert.equal(result!.name, 'HassTurnOn');
    assert.equal(result!.ok, true);
    assert.match(result!.content, /turned on the porch light/);
    assert.ok(events.indexOf(actions[0]!) < events.indexOf(result!), 'the action comes before the tool result');
    assert.equal(end(events).status, 'completed');
    assert.equal(end(events).text, 'Sure, turning on the porch light The porch light is on now.');

    // The second request carried the call and its result back to the model.
    const bodies = requestBodies(from);
    assert.equal(bodies.length, 2);
    assert.deepEqual(bodies[0]!.tools!.map((x) => x.function.name), HOME_TOOLS.map((x) => x.function.name));
    const second = bodies[1]!.messages.slice(-2);
    assert.equal(second[0]!.role, 'assistant');
    assert.equal(second[0]!.content, 'Sure, turning on the porch light');
    assert.equal(second[1]!.role, 'tool');

    // A follow-up sees the whole round in its history: the call, the result and both texts.
    const next = r.sim.records.length;
    script({ text: 'It is on.' });
    await s.run('is it still on?');
    const history = requestBodies(next)[0]!.messages.filter((m) => m.role !== 'system');
    assert.deepEqual(
      history.map((m) => [m.role, m.content, m.tool_calls?.length ?? 0]),
      [
        ['user', 'make it bright outside', 0],
        ['assistant', 'Sure, turning on the porch light', 1],
        ['tool', result!.content, 0],
        ['assistant', 'The porch light is on now.', 0],
        ['user', 'is it still on?', 0],
      ],
    );
  });

  it('two parallel calls are both executed, in order, one action each', async (t) => {
    const s = setup(t);
    script({ toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'desk lamp' } }, { name: 'HassLightSet', arguments: { area: 'kitchen', brightness: 30 } }] }, { text: 'Done.' });
    const events = await s.run('desk lamp on and the kitchen at thirty');
    assert.deepEqual(s.home.calls, ['light.turn_on light.desk_lamp', 'light.turn_on light.kitchen_ceiling', 'light.turn_on light.kitchen_counter']);
    assert.deepEqual(of(events, 'tool_result').map((x) => [x.name, x.ok]), [['HassTurnOn', true], ['HassLightSet', true]]);
    assert.deepEqual(of(events, 'action').map((a) => a.detail), ['on at 100 percent', 'on at 30 percent', 'on at 30 percent']);
    assert.equal(end(events).status, 'completed');
  });

  it('malformed arguments: the model gets an error result, the turn goes on and ends well; an unknown device is "not found", never a guess', async (t) => {
    const s = setup(t);
    const from = r.sim.records.length;
    script(
      { toolCalls: [{ name: 'HassTurnOn', arguments: '{"name": "porch' }, { name: 'HassTurnOff', arguments: { name: 'dishwasher' } }] },
      { text: "Sorry, I couldn't find a dishwasher." },
    );
    const events = await s.run('turn on the porch and off the dishwasher');
    assert.deepEqual(s.home.calls, [], 'nothing was guessed');
    const results = of(events, 'tool_result');
    assert.deepEqual(results.map((x) => x.ok), [false, false]);
    assert.match(results[0]!.content, /malformed/);
    assert.match(results[1]!.content, /No device called \\"dishwasher\\"/);
    assert.equal(end(events).status, 'completed');
    assert.equal(of(events, 'error').length, 0);
    const tools = requestBodies(from)[1]!.messages.filter((m) => m.role === 'tool');
    assert.deepEqual(tools.map((m) => m.content), results.map((x) => x.content));
  });

  it(`an endless tool loop stops after ${MAX_MODEL_ROUNDS} model rounds with a spoken apology`, async (t) => {
    const s = setup(t);
    const from = r.sim.records.length;
    // A model that calls again after every result, forever.
    script(...Array.from({ length: MAX_MODEL_ROUNDS }, () => ({ toolCalls: [{ name: 'HassGetState', arguments: { name: 'porch light' } }], toolLoop: true })));
    const events = await s.run('check the porch light forever');
    assert.equal(r.sim.records.length - from, MAX_MODEL_ROUNDS);
    assert.equal(of(events, 'tool_result').length, MAX_MODEL_ROUNDS - 1, 'the last round\'s calls are not run');
    assert.match(end(events).text, /^Sorry, I couldn't finish that/);
    assert.equal(end(events).status, 'completed');
  });

  it('cancel during a tool round aborts it: no further home call, no next model round, turn.end cancelled', async (t) => {
    const controller = new AbortController();
    let reached!: () => void;
    const inCall = new Promise<void>((res) => (reached = res));
    const s = setup(t, {
      hold: (signal) =>
        new Promise<void>((res) => {
          reached();
          signal?.addEventListener('abort', () => res(), { once: true });
        }),
    });
    const from = r.sim.records.length;
    script({ toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'porch light' } }, { name: 'HassTurnOn', arguments: { name: 'desk lamp' } }] });
    const running = s.run('porch and desk', {}, controller.signal);
    await inCall;
    controller.abort();
    const events = await running;
    assert.equal(end(events).status, 'cancelled');
    await r.sim.settled();
    assert.deepEqual(s.home.calls, ['light.turn_on light.porch'], 'the second call was never made');
    assert.equal(r.sim.records.length - from, 1, 'no second model round');
  });

  it('"Sure, …" before a tool call reaches the speaker before the tool runs', async (t) => {
    const s = setup(t, { speak: true });
    script({ mode: 'text', text: 'Sure, turning on the porch light', toolCalls: [{ name: 'HassTurnOn', arguments: { name: 'porch light' } }] }, { text: 'Done.' });
    const events = await s.run('porch light please');
    const action = events.findIndex((e) => e.type === 'action');
    const firstSpeech = events.findIndex((e) => e.type === 'speech.start');
    assert.ok(action > 0 && firstSpeech > 0);
    assert.match((events[firstSpeech] as EventOf<'speech.start'>).text, /^Sure, turning on the porch light/);
    assert.ok(firstSpeech < action, `speech.start at ${firstSpeech}, action at ${action}`);
    assert.equal(end(events).status, 'completed');
    assert.equal(end(events).spoken_text, 'Sure, turning on the porch light Done.');
  });

  it('an unlock by tool asks exactly like the action agent; a yes from the same scope unlocks, from another scope it does not', async (t) => {
    const s = setup(t);
    const unlock = { toolCalls: [{ name: 'HassTurnOff', arguments: { name: 'front door', domain: 'lock' } }] };
    script(unlock);
    const asked = await s.run('let the plumber in');
    assert.deepEqual(s.home.calls, [], 'nothing unlocked yet');
    assert.equal(end(asked).text, 'Are you sure you want me to unlock the front door?');
    assert.equal(end(asked).expects_reply, true);

    // The same question from the action agent's own rules, for comparison.
    const rules = await collect(
      createAssistant({
        router: fixedRouter({ agent: 'action', intent: 'home', confidence: 1 }),
        agents: { instant: scriptedAgent('instant', []), interaction: scriptedAgent('interaction', []), action: createActionAgent({ control: createHomeControl(createSimulatedHome()) }) },
        historyTurns: 0,
      }).run({ text: 'unlock the front door', conversation_id: 'x', confirm_scope: 'ws:1' }, new AbortController().signal),
    );
    assert.equal(end(rules).text, end(asked).text);

    // "yes" from another client is a new request: it goes to the model, which cannot unlock (its call would ask again).
    script({ text: 'Yes to what?' });
    const stranger = await s.run('yes', { confirm_scope: 'ws:2' });
    assert.equal(of(stranger, 'route')[0]!.agent, 'interaction');
    assert.deepEqual(s.home.calls, []);

    const yes = await s.run('yes');
    assert.equal(of(yes, 'route')[0]!.agent, 'action');
    assert.deepEqual(s.home.calls, ['lock.unlock lock.front_door']);
    assert.match(end(yes).text, /unlocked the front door/);
  });

  it('a recorded OpenRouter stream (Claude on Bedrock): "Sure, …" spoken before the call, its 20 argument deltas executed once', async (t) => {
    const s = setup(t, { speak: true });
    script({ replay: recorded('openrouter-tool-call.sse') }, { text: 'It is on.' });
    const events = await s.run('porch light please');
    assert.deepEqual(s.home.calls, ['light.turn_on light.porch']);
    const action = events.findIndex((e) => e.type === 'action');
    const firstSpeech = events.findIndex((e) => e.type === 'speech.start');
    assert.match((events[firstSpeech] as EventOf<'speech.start'>).text, /^Sure, turning on the porch light/);
    assert.ok(firstSpeech < action, `speech.start at ${firstSpeech}, action at ${action}`);
    assert.equal(end(events).text, 'Sure, turning on the porch light. It is on.');
    assert.equal(end(events).status, 'completed');
  });

  it('a recorded OpenRouter stream with two parallel calls: both executed', async (t) => {
    const s = setup(t);
    script({ replay: recorded('openrouter-parallel-tool-calls.sse') }, { text: 'Done.' });
    const events = await s.run('porch off, bedroom to forty');
    assert.deepEqual(of(events, 'tool_result').map((x) => [x.name, x.ok]), [['HassTurnOff', true], ['HassLightSet', true]]);
    assert.equal(s.home.calls[0], 'light.turn_off light.porch');
    assert.ok(s.home.calls.slice(1).length > 0 && s.home.calls.slice(1).every((c) => c.startsWith('light.turn_on light.')), s.home.calls.join(', '));
    assert.ok(of(events, 'action').slice(1).every((a) => a.detail === 'on at 40 percent'));
    assert.equal(end(events).status, 'completed');
  });
});
