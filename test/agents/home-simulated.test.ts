import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createSimulatedHome, domainOf, HomeError, homeFromConfig, type KeyValue } from '../../src/agents/home/index.js';

const memoryKv = (): KeyValue & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
};

describe('simulated home', () => {
  it('has rooms of lights, switches, a thermostat, locks and scenes, shaped like Home Assistant states', async () => {
    const home = createSimulatedHome();
    assert.equal(home.name, 'simulated');
    const all = await home.listEntities();
    const byDomain = (d: string) => all.filter((e) => domainOf(e.entity_id) === d);
    const areas = new Set(byDomain('light').map((e) => e.attributes.area));
    for (const room of ['kitchen', 'living room', 'bedroom', 'office', 'hallway', 'porch']) assert.ok(areas.has(room), room);
    assert.deepEqual(byDomain('switch').map((e) => e.attributes.friendly_name).sort(), ['Coffee Maker', 'Office Fan']);
    assert.deepEqual(byDomain('lock').map((e) => e.entity_id).sort(), ['lock.back_door', 'lock.front_door', 'lock.garage_door']);
    assert.deepEqual(byDomain('scene').map((e) => e.attributes.friendly_name).sort(), ['Good Morning', 'Good Night', 'Movie Night']);
    const [thermostat] = byDomain('climate');
    assert.equal(typeof thermostat.attributes.current_temperature, 'number');
    assert.equal(typeof thermostat.attributes.temperature, 'number');
    for (const e of all) {
      assert.match(e.entity_id, /^[a-z]+\.[a-z_]+$/);
      assert.equal(typeof e.attributes.friendly_name, 'string');
      assert.equal(typeof e.last_updated, 'string');
    }
  });

  it('dims lights on Home Assistant brightness semantics (0..255, null when off)', async () => {
    const home = createSimulatedHome();
    const changed = await home.callService('light', 'turn_on', { entity_id: 'light.kitchen_ceiling', brightness_pct: 30 });
    assert.deepEqual(changed.map((e) => [e.entity_id, e.state, e.attributes.brightness]), [['light.kitchen_ceiling', 'on', 77]]);
    await home.callService('light', 'turn_off', { entity_id: ['light.kitchen_ceiling'] });
    const off = (await home.listEntities()).find((e) => e.entity_id === 'light.kitchen_ceiling')!;
    assert.equal(off.state, 'off');
    assert.equal(off.attributes.brightness, null);
    await home.callService('light', 'toggle', { entity_id: 'light.kitchen_ceiling' });
    const on = (await home.listEntities()).find((e) => e.entity_id === 'light.kitchen_ceiling')!;
    assert.equal(on.state, 'on');
    // Off clears the level (as Home Assistant does), so toggling back on is full brightness.
    assert.equal(on.attributes.brightness, 255);
  });

  it('rejects bad services, unknown entities and out-of-range temperatures without changing state', async () => {
    const home = createSimulatedHome();
    await assert.rejects(home.callService('light', 'explode', { entity_id: 'light.porch' }), (e: unknown) => e instanceof HomeError && e.code === 'unknown_service');
    await assert.rejects(home.callService('light', 'turn_on', { entity_id: 'light.nope' }), (e: unknown) => e instanceof HomeError && e.code === 'unknown_entity');
    await assert.rejects(home.callService('lock', 'lock', { entity_id: 'light.porch' }), (e: unknown) => e instanceof HomeError && e.code === 'unknown_service');
    await assert.rejects(
      home.callService('climate', 'set_temperature', { entity_id: 'climate.thermostat', temperature: 72 }),
      (e: unknown) => e instanceof HomeError && e.code === 'invalid_value' && /10 to 30 degrees/.test(e.message),
    );
    const t = (await home.listEntities()).find((e) => e.entity_id === 'climate.thermostat')!;
    assert.equal(t.attributes.temperature, 21);
  });

  it('locks, unlocks and runs scenes that change several devices', async () => {
    const home = createSimulatedHome();
    await home.callService('lock', 'unlock', { entity_id: 'lock.front_door' });
    await home.callService('switch', 'turn_on', { entity_id: 'switch.coffee_maker' });
    const changed = await home.callService('scene', 'turn_on', { entity_id: 'scene.good_night' });
    const ids = changed.map((e) => e.entity_id);
    for (const id of ['scene.good_night', 'lock.front_door', 'switch.coffee_maker', 'light.living_room_lamp']) assert.ok(ids.includes(id), id);
    const states = new Map((await home.listEntities()).map((e) => [e.entity_id, e]));
    assert.equal(states.get('lock.front_door')!.state, 'locked');
    assert.equal(states.get('switch.coffee_maker')!.state, 'off');
    assert.equal(states.get('light.porch')!.attributes.brightness, 26);
    await home.callService('scene', 'turn_on', { entity_id: 'scene.movie_night' });
    const lamp = (await home.listEntities()).find((e) => e.entity_id === 'light.living_room_lamp')!;
    assert.deepEqual([lamp.state, lamp.attributes.brightness], ['on', 51]);
  });

  it('hands out copies: mutating a listed entity does not change the home', async () => {
    const home = createSimulatedHome();
    const [first] = await home.listEntities();
    first.state = 'tampered';
    first.attributes.friendly_name = 'x';
    const [again] = await home.listEntities();
    assert.notEqual(again.state, 'tampered');
    assert.notEqual(again.attributes.friendly_name, 'x');
  });

  it('persists state through the key-value store across instances', async () => {
    const kv = memoryKv();
    const a = createSimulatedHome({ persist: kv });
    await a.callService('light', 'turn_on', { entity_id: 'light.porch', brightness_pct: 40 });
    await a.callService('lock', 'unlock', { entity_id: 'lock.back_door' });
    await a.callService('climate', 'set_temperature', { entity_id: 'climate.thermostat', temperature: 23.5 });
    assert.ok(kv.data.size === 1, 'one record');

    const b = new Map((await createSimulatedHome({ persist: kv }).listEntities()).map((e) => [e.entity_id, e]));
    assert.deepEqual([b.get('light.porch')!.state, b.get('light.porch')!.attributes.brightness], ['on', 102]);
    assert.equal(b.get('lock.back_door')!.state, 'unlocked');
    assert.equal(b.get('climate.thermostat')!.attributes.temperature, 23.5);
    // Names come from the code, not the record.
    assert.equal(b.get('light.porch')!.attributes.friendly_name, 'Porch Light');
  });

  it('starts from defaults when the stored record is damaged', async () => {
    const kv = memoryKv();
    await createSimulatedHome({ persist: kv }).callService('light', 'turn_on', { entity_id: 'light.porch' });
    const [key] = [...kv.data.keys()];
    for (const bad of ['{not json', '{"light.porch":{"state":5}}', '[]']) {
      kv.set(key, bad);
      const porch = (await createSimulatedHome({ persist: kv }).listEntities()).find((e) => e.entity_id === 'light.porch')!;
      assert.equal(porch.state, 'off', bad);
    }
  });

  it('homeFromConfig picks Home Assistant only with both HA_URL and HA_TOKEN', () => {
    assert.equal(homeFromConfig({ HA_URL: undefined, HA_TOKEN: undefined }).name, 'simulated');
    assert.equal(homeFromConfig({ HA_URL: 'http://127.0.0.1:8123', HA_TOKEN: 'abc' }).name, 'home-assistant');
  });
});
