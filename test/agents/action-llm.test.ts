import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createActionAgent } from '../../src/agents/action.js';
import { planPrompt } from '../../src/agents/action-llm.js';
import { createHomeControl } from '../../src/agents/home-control.js';
import { createSimulatedHome, type HomeBackend } from '../../src/agents/home/index.js';
import { createLlmClient, startSimulator, type LlmClient, type Simulator } from '../../src/llm/index.js';
import { runAction } from './action-run.js';

const KEY = 'sk-test-action-agent-0123456789-SECRET';

describe('action agent: model fallback (simulated OpenAI-compatible server)', () => {
  let sim: Simulator;
  let llm: LlmClient;
  before(async () => {
    sim = await startSimulator({ ttftMs: 0, tokensPerSecond: 0, usage: 'always', apiKey: KEY });
    llm = createLlmClient({
      provider: 'openai-compatible',
      baseUrl: sim.url,
      apiKey: KEY,
      model: 'chat-model',
      fallbacks: [],
      temperature: 0.7,
      maxTokens: 400,
      firstTokenTimeoutMs: 3000,
      idleTimeoutMs: 3000,
      totalTimeoutMs: 8000,
      maxRetries: 0,
      retryBaseMs: 10,
    });
  });
  after(async () => {
    await llm.close();
    await sim.close();
  });

  const setup = () => {
    const home = createSimulatedHome();
    return { home, agent: createActionAgent({ control: createHomeControl(home), llm, model: 'action-model' }) };
  };
  const stateOf = async (home: HomeBackend, id: string) => (await home.listEntities()).find((e) => e.entity_id === id)!;
  const plan = (actions: unknown[]) => ({ text: JSON.stringify({ actions }) });

  it('asks once, through complete(), for JSON, and carries out the validated plan', async () => {
    const { home, agent } = setup();
    const before = sim.records.length;
    sim.enqueue(plan([{ service: 'light.turn_on', entity_id: 'light.bedside_lamp', brightness_pct: 60 }, { service: 'switch.turn_off', entity_id: 'switch.office_fan' }]));
    const r = await runAction(agent, 'make the bedroom cosy for reading');
    assert.equal(sim.records.length, before + 1, 'exactly one model call');
    const rec = sim.records.at(-1)!;
    // One complete() call; the client may read it as a stream (timeouts apply per token), which is its business.
    assert.equal(rec.path.endsWith('/chat/completions'), true);
    assert.equal(rec.model, 'action-model');
    const body = rec.body as { response_format?: unknown; messages: { role: string; content: string }[] };
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.match(body.messages[0].content, /light\.bedside_lamp: Bedside Lamp/);
    assert.equal(body.messages[1].content, 'make the bedroom cosy for reading');

    assert.deepEqual(r.calls, ['light.turn_on light.bedside_lamp', 'switch.turn_off switch.office_fan']);
    assert.match(r.text, /set the bedside lamp to 60 percent and turned off the office fan/);
    assert.equal((await stateOf(home, 'light.bedside_lamp')).attributes.brightness, 153);
    const usage = r.parts.find((p) => p.type === 'usage');
    assert.ok(usage && usage.type === 'usage' && usage.model === 'action-model' && usage.completion_tokens > 0);
    assert.ok(r.parts.some((p) => p.type === 'model.timing'));
  });

  it('accepts JSON inside a code fence', async () => {
    const { agent } = setup();
    sim.enqueue({ text: '```json\n{"actions":[{"service":"scene.turn_on","entity_id":"scene.movie_night"}]}\n```' });
    const r = await runAction(agent, 'we are about to watch a film');
    assert.deepEqual(r.calls, ['scene.turn_on scene.movie_night']);
  });

  const INVALID: [string, { text: string }][] = [
    ['prose instead of JSON', { text: 'Sure! I have turned on the lights for you.' }],
    ['an unknown device', plan([{ service: 'light.turn_on', entity_id: 'light.bathroom' }])],
    ['a service from another domain', plan([{ service: 'lock.lock', entity_id: 'light.porch' }])],
    ['a service not on the list', plan([{ service: 'homeassistant.restart', entity_id: 'light.porch' }])],
    ['a brightness out of range', plan([{ service: 'light.turn_on', entity_id: 'light.porch', brightness_pct: 400 }])],
    ['a temperature outside the thermostat range', plan([{ service: 'climate.set_temperature', entity_id: 'climate.thermostat', temperature: 72 }])],
    ['one bad action among good ones', plan([{ service: 'light.turn_on', entity_id: 'light.porch' }, { service: 'light.turn_on', entity_id: 'nope' }])],
    ['nothing to do', plan([])],
  ];
  for (const [name, script] of INVALID)
    it(`validates before acting: ${name} → no action`, async () => {
      const { home, agent } = setup();
      const states = JSON.stringify((await home.listEntities()).map((e) => [e.entity_id, e.state]));
      sim.enqueue(script);
      const calls = sim.records.length;
      const r = await runAction(agent, 'do the thing with the stuff');
      assert.equal(sim.records.length, calls + 1, 'the model was asked');
      assert.deepEqual(r.actions, []);
      assert.match(r.text, /^Sorry, I couldn't work out/);
      assert.equal(JSON.stringify((await home.listEntities()).map((e) => [e.entity_id, e.state])), states);
    });

  it('an unlock planned by the model still waits for a yes', async () => {
    const { home, agent } = setup();
    sim.enqueue(plan([{ service: 'lock.unlock', entity_id: 'lock.front_door' }]));
    const calls = sim.records.length;
    const r = await runAction(agent, 'let the dog walker in');
    assert.equal(sim.records.length, calls + 1, 'the model was asked');
    assert.deepEqual(r.actions, []);
    assert.match(r.text, /Are you sure you want me to unlock the front door\?/);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'locked');
    assert.deepEqual((await runAction(agent, 'yes')).calls, ['lock.unlock lock.front_door']);
  });

  it('the model plans for fans, covers and media players too, with their levels; opening the garage still waits for a yes', async () => {
    const { home, agent } = setup();
    sim.enqueue(
      plan([
        { service: 'fan.set_percentage', entity_id: 'fan.bedroom_ceiling_fan', percentage: 50 },
        { service: 'cover.set_cover_position', entity_id: 'cover.living_room_blinds', position: 30 },
        { service: 'media_player.volume_set', entity_id: 'media_player.kitchen_speaker', volume_level: 0.25 },
        { service: 'cover.open_cover', entity_id: 'cover.garage_door' },
      ]),
    );
    const r = await runAction(agent, 'get the place ready for the film club');
    assert.deepEqual(r.calls, [
      'fan.set_percentage fan.bedroom_ceiling_fan',
      'cover.set_cover_position cover.living_room_blinds',
      'media_player.volume_set media_player.kitchen_speaker',
    ]);
    assert.match(r.text, /bedroom ceiling fan to 50 percent/i);
    assert.match(r.text, /living room blinds to 30 percent/i);
    assert.match(r.text, /volume on the kitchen speaker to 25 percent/i);
    assert.match(r.text, /Are you sure you want me to open the garage door\?/);
    assert.equal((await stateOf(home, 'fan.bedroom_ceiling_fan')).attributes.percentage, 50);
    assert.equal((await stateOf(home, 'cover.garage_door')).state, 'closed');
    assert.deepEqual((await runAction(agent, 'yes')).calls, ['cover.open_cover cover.garage_door']);
  });

  it('a level service without its level is refused before anything runs', async () => {
    const { home, agent } = setup();
    sim.enqueue(plan([{ service: 'fan.set_percentage', entity_id: 'fan.bedroom_ceiling_fan' }]));
    const r = await runAction(agent, 'do the thing with the fan speed');
    assert.deepEqual(r.actions, []);
    assert.match(r.text, /^Sorry, I couldn't work out/);
    assert.equal((await stateOf(home, 'fan.bedroom_ceiling_fan')).state, 'off');
  });

  it('a model failure is an error part and a short apology, never a throw', async () => {
    const { agent } = setup();
    sim.enqueue({ fault: { kind: 'status', status: 500, message: 'upstream exploded' } });
    const calls = sim.records.length;
    const r = await runAction(agent, 'make it feel like a spa in here');
    assert.equal(sim.records.length, calls + 1, 'the model was asked');
    assert.deepEqual(r.actions, []);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].code, /^llm_/);
    assert.ok(!JSON.stringify(r.parts).includes(KEY), 'no key in parts');
    assert.match(r.text, /^Sorry/);
  });

  it('does not call the model when the rules understand the request', async () => {
    const { agent } = setup();
    const before = sim.records.length;
    const r = await runAction(agent, 'turn off the kitchen lights and is the front door locked');
    assert.equal(sim.records.length, before);
    assert.equal(r.calls.length, 2);
    assert.match(r.text, /front door is locked/);
  });

  it('a cancelled turn stops quietly: no throw, nothing carried out', async () => {
    const { home, agent } = setup();
    sim.enqueue({ ...plan([{ service: 'light.turn_on', entity_id: 'light.porch' }]), ttftMs: 2000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await runAction(agent, 'brighten up the front of the house', { signal: ac.signal, expectAnswer: false });
    assert.deepEqual(r.actions, []);
    assert.equal((await stateOf(home, 'light.porch')).state, 'off');
    await sim.settled();
  });
});

describe("action agent: the model fallback's prompt", () => {
  it("lists each entity with its aliases and its area's aliases", () => {
    const [system] = planPrompt(
      [{ entity_id: 'light.sofa', state: 'off', attributes: { friendly_name: 'Sofa Lamp', aliases: ['reading lamp'], area: 'Living Room', area_aliases: ['lounge'] } }],
      'lamp on in the lounge',
    );
    assert.match(system!.content as string, /- light\.sofa: Sofa Lamp \(also: reading lamp\), in the Living Room \(also: lounge\); off/);
  });
});
