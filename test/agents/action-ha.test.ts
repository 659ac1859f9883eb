import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { createActionAgent } from '../../src/agents/action.js';
import { createHomeControl } from '../../src/agents/home-control.js';
import { createHomeAssistantBackend, type HomeBackend } from '../../src/agents/home/index.js';
import { startHaServer, type HaServer } from '../support/ha-server.js';
import { runAction } from './action-run.js';

describe('action agent on Home Assistant (local WebSocket server)', () => {
  let ha: HaServer;
  const homes: HomeBackend[] = [];
  before(async () => {
    ha = await startHaServer();
  });
  after(async () => {
    await Promise.all(homes.map((h) => h.close?.()));
    await ha.close();
  });
  // settleMs: a late state change is waited for (its event ends the wait), never raced against a clock.
  const agent = (timeoutMs = 10_000) => {
    // No background reconnects: a failed backend must not take a later test's scripted fault.
    const home = createHomeAssistantBackend({ url: ha.url, token: ha.token, timeoutMs, reconnectMinMs: 600_000, settleMs: 60_000 });
    homes.push(home);
    return createActionAgent({ control: createHomeControl(home) });
  };

  it('matches names, aliases and areas, calls the services, and the server state changes', async () => {
    const a = agent();
    const r = await runAction(a, 'turn off the kitchen lights and lock the back door');
    assert.deepEqual(r.calls.sort(), ['light.turn_off light.kitchen_ceiling', 'light.turn_off light.kitchen_island', 'lock.lock lock.back_door']);
    assert.equal(ha.state('light.kitchen_ceiling')!.state, 'off');
    assert.equal(ha.state('lock.back_door')!.state, 'locked');
    const calls = ha.commands.filter((c) => c.type === 'call_service').map((c) => `${c.message.domain}.${c.message.service}`);
    assert.ok(calls.includes('lock.lock'));
    assert.ok(ha.logins.every((l) => l.ok));

    const dim = await runAction(a, 'set the floor lamp to 30 percent');
    assert.deepEqual(dim.calls, ['light.turn_on light.living_room_floor_lamp']);
    assert.equal(ha.state('light.living_room_floor_lamp')!.attributes.brightness, 77);
    assert.match((await runAction(a, 'what is the temperature inside')).text, /19\.5 degrees inside, and the hallway thermostat is set to 20/);
    assert.deepEqual((await runAction(a, 'set the heating to 21')).calls, ['climate.set_temperature climate.hallway']);
    assert.equal(ha.state('climate.hallway')!.attributes.temperature, 21);
    assert.match((await runAction(a, 'is the front door locked')).text, /^Yes, the front door is locked/);
    assert.deepEqual((await runAction(a, 'turn on the kettel')).calls, ['switch.turn_on switch.kettle']);
    // Aliases and areas come from Home Assistant's registries.
    assert.deepEqual((await runAction(a, 'turn off the reading lamp')).calls, ['light.turn_off light.living_room_floor_lamp']);
    assert.deepEqual((await runAction(a, 'turn on the lights in the front yard')).calls, ['light.turn_on light.porch']);
    // An area's alias names the area, as it does for Assist ("lounge" is the Living Room's).
    assert.deepEqual((await runAction(a, 'turn off the lights in the lounge')).calls, ['light.turn_off light.living_room_floor_lamp']);
    assert.deepEqual((await runAction(a, 'turn off the lounge tv')).calls, ['media_player.turn_off media_player.living_room_tv']);
    // A bulb that reports its new state a moment after the call: the action shows that state, not "unchanged".
    ha.late('light.porch', 150);
    const late = await runAction(a, 'turn off the porch light');
    assert.deepEqual(late.actions.map((x) => [x.target, x.ok, x.detail]), [['light.porch', true, 'off']]);
  });

  it('Home Assistant unreachable: an error part and a spoken apology, no throw, no token', async () => {
    ha.fault({ kind: 'status', status: 503 });
    const r = await runAction(agent(), 'turn on the porch light');
    assert.deepEqual(r.actions, []);
    assert.equal(r.errors[0]?.code, 'home_upstream');
    assert.equal(r.errors[0]?.retryable, true);
    assert.match(r.text, /can't reach Home Assistant/);
    assert.ok(!JSON.stringify(r.parts).includes(ha.token));
  });

  it('a failed service call is an action part with ok false, an error part and a spoken reason', async () => {
    // The states are read; the service call fails inside Home Assistant.
    ha.commandFault({ type: 'call_service', kind: 'error', code: 'home_assistant_error', message: 'Error communicating with the bulb' });
    const r = await runAction(agent(), 'turn on the porch light');
    assert.deepEqual(r.actions.map((a) => [a.service, a.target, a.ok]), [['light.turn_on', 'light.porch', false]]);
    assert.match(r.actions[0].detail, /failed to carry out light\.turn_on: Error communicating/);
    assert.equal(r.errors.length, 1);
    assert.match(r.text, /^I couldn't turn on the porch light: the home system reported an error\.$/);
  });

  it('a slow Home Assistant times out into an apology', async () => {
    ha.fault({ kind: 'delay', ms: 1500 });
    const r = await runAction(agent(150), 'turn on the porch light');
    assert.equal(r.errors[0]?.code, 'home_timeout');
    assert.match(r.text, /^Sorry/);
  });
});
