import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createSimulatedHome, domainOf, HomeError, homeFromConfig, type KeyValue } from '../../src/agents/home/index.js';

const memoryKv = (): KeyValue & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
};

describe('simulated home', () => {
  it('has rooms of lights, switches, a fan, covers, media players, a thermostat, locks and scenes, shaped like Home Assistant states', async () => {
    const home = createSimulatedHome();
    assert.equal(home.name, 'simulated');
    const all = await home.listEntities();
    const byDomain = (d: string) => all.filter((e) => domainOf(e.entity_id) === d);
    const areas = new Set(byDomain('light').map((e) => e.attributes.area));
    for (const room of ['kitchen', 'living room', 'bedroom', 'office', 'hallway', 'porch']) assert.ok(areas.has(room), room);
    assert.deepEqual(byDomain('switch').map((e) => e.attributes.friendly_name).sort(), ['Coffee Maker', 'Office Fan']);
    assert.deepEqual(byDomain('lock').map((e) => e.entity_id).sort(), ['lock.back_door', 'lock.front_door']);
    assert.deepEqual(byDomain('fan').map((e) => [e.entity_id, e.state, e.attributes.percentage]), [['fan.bedroom_ceiling_fan', 'off', 0]]);
    assert.deepEqual(
      byDomain('cover').map((e) => [e.entity_id, e.state, e.attributes.device_class, e.attributes.current_position]).sort(),
      [['cover.garage_door', 'closed', 'garage', undefined], ['cover.living_room_blinds', 'open', 'blind', 100]],
    );
    const players = new Map(byDomain('media_player').map((e) => [e.entity_id, e]));
    // Home Assistant reports no media attributes for a player that is off.
    assert.deepEqual(Object.keys(players.get('media_player.living_room_tv')!.attributes).filter((k) => /volume|media/.test(k)), []);
    const speaker = players.get('media_player.kitchen_speaker')!;
    assert.deepEqual([speaker.state, speaker.attributes.volume_level, speaker.attributes.is_volume_muted, speaker.attributes.media_title], ['idle', 0.4, false, undefined]);
    assert.deepEqual(byDomain('scene').map((e) => e.attributes.friendly_name).sort(), ['Good Morning', 'Good Night', 'Movie Night']);
    const [thermostat] = byDomain('climate');
    assert.equal(typeof thermostat.attributes.current_temperature, 'number');
    assert.equal(typeof thermostat.attributes.temperature, 'number');
    for (const e of all) {
      assert.match(e.entity_id, /^[a-z_]+\.[a-z_]+$/);
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

  it('fans: on, off, speed and toggle as Home Assistant has them; speed 0 is off and on again resumes the last speed', async () => {
    const home = createSimulatedHome();
    const fan = 'fan.bedroom_ceiling_fan';
    const get = async () => (await home.listEntities()).find((e) => e.entity_id === fan)!;
    await home.callService('fan', 'turn_on', { entity_id: fan });
    assert.deepEqual([(await get()).state, (await get()).attributes.percentage], ['on', 100]);
    await home.callService('fan', 'set_percentage', { entity_id: fan, percentage: 40 });
    await home.callService('fan', 'increase_speed', { entity_id: fan, percentage_step: 10 });
    assert.equal((await get()).attributes.percentage, 50);
    await home.callService('fan', 'set_percentage', { entity_id: fan, percentage: 0 });
    assert.deepEqual([(await get()).state, (await get()).attributes.percentage], ['off', 0]);
    await home.callService('fan', 'toggle', { entity_id: fan });
    assert.deepEqual([(await get()).state, (await get()).attributes.percentage], ['on', 50]);
    await home.callService('fan', 'turn_off', { entity_id: fan });
    assert.equal((await get()).state, 'off');
    await assert.rejects(home.callService('fan', 'set_percentage', { entity_id: fan, percentage: 120 }), (e: unknown) => e instanceof HomeError && e.code === 'invalid_value');
    await assert.rejects(home.callService('fan', 'turn_on', { entity_id: 'switch.office_fan' }), (e: unknown) => e instanceof HomeError && e.code === 'unknown_service');
  });

  it('covers: open, close, position and stop; a garage door without SET_POSITION refuses a position', async () => {
    const home = createSimulatedHome();
    const get = async (id: string) => (await home.listEntities()).find((e) => e.entity_id === id)!;
    const blinds = 'cover.living_room_blinds';
    await home.callService('cover', 'set_cover_position', { entity_id: blinds, position: 30 });
    assert.deepEqual([(await get(blinds)).state, (await get(blinds)).attributes.current_position], ['open', 30]);
    await home.callService('cover', 'close_cover', { entity_id: blinds });
    assert.deepEqual([(await get(blinds)).state, (await get(blinds)).attributes.current_position], ['closed', 0]);
    await home.callService('cover', 'toggle', { entity_id: blinds });
    assert.deepEqual([(await get(blinds)).state, (await get(blinds)).attributes.current_position], ['open', 100]);
    await home.callService('cover', 'stop_cover', { entity_id: blinds });
    assert.equal((await get(blinds)).state, 'open');
    await home.callService('cover', 'open_cover', { entity_id: 'cover.garage_door' });
    assert.equal((await get('cover.garage_door')).state, 'open');
    await assert.rejects(
      home.callService('cover', 'set_cover_position', { entity_id: 'cover.garage_door', position: 50 }),
      (e: unknown) => e instanceof HomeError && e.code === 'unknown_service' && /does not support/.test(e.message),
    );
    await assert.rejects(home.callService('cover', 'set_cover_position', { entity_id: blinds, position: -1 }), (e: unknown) => e instanceof HomeError && e.code === 'invalid_value');
    assert.equal((await get('cover.garage_door')).attributes.current_position, undefined);
  });

  it('media players: power, play, pause, stop, next track, volume and mute, with media attributes only while on', async () => {
    const home = createSimulatedHome();
    const tv = 'media_player.living_room_tv';
    const get = async () => (await home.listEntities()).find((e) => e.entity_id === tv)!;
    await home.callService('media_player', 'volume_set', { entity_id: tv, volume_level: 0.2 });
    assert.equal((await get()).attributes.volume_level, undefined, 'hidden while off');
    await home.callService('media_player', 'turn_on', { entity_id: tv });
    assert.deepEqual([(await get()).state, (await get()).attributes.volume_level, (await get()).attributes.media_title], ['on', 0.2, undefined]);
    await home.callService('media_player', 'media_play', { entity_id: tv });
    assert.deepEqual([(await get()).state, (await get()).attributes.media_title], ['playing', 'Planet Earth']);
    await home.callService('media_player', 'media_next_track', { entity_id: tv });
    await home.callService('media_player', 'media_pause', { entity_id: tv });
    assert.deepEqual([(await get()).state, (await get()).attributes.media_title], ['paused', 'The Great British Bake Off']);
    await home.callService('media_player', 'volume_up', { entity_id: tv });
    await home.callService('media_player', 'volume_mute', { entity_id: tv, is_volume_muted: true });
    assert.deepEqual([(await get()).attributes.volume_level, (await get()).attributes.is_volume_muted], [0.3, true]);
    await home.callService('media_player', 'volume_down', { entity_id: tv });
    assert.equal((await get()).attributes.volume_level, 0.2);
    await home.callService('media_player', 'media_stop', { entity_id: tv });
    assert.deepEqual([(await get()).state, (await get()).attributes.media_title], ['idle', undefined]);
    await home.callService('media_player', 'turn_off', { entity_id: tv });
    assert.equal((await get()).state, 'off');
    await assert.rejects(home.callService('media_player', 'volume_set', { entity_id: tv, volume_level: 2 }), (e: unknown) => e instanceof HomeError && e.code === 'invalid_value');
    await assert.rejects(home.callService('media_player', 'volume_mute', { entity_id: tv }), (e: unknown) => e instanceof HomeError && e.code === 'invalid_value');
    await assert.rejects(home.callService('media_player', 'explode', { entity_id: tv }), (e: unknown) => e instanceof HomeError && e.code === 'unknown_service');
  });

  it('scenes set fans, covers and media players too', async () => {
    const home = createSimulatedHome();
    await home.callService('cover', 'open_cover', { entity_id: 'cover.garage_door' });
    await home.callService('fan', 'turn_on', { entity_id: 'fan.bedroom_ceiling_fan' });
    await home.callService('scene', 'turn_on', { entity_id: 'scene.movie_night' });
    let states = new Map((await home.listEntities()).map((e) => [e.entity_id, e.state]));
    assert.deepEqual([states.get('cover.living_room_blinds'), states.get('media_player.living_room_tv')], ['closed', 'on']);
    await home.callService('scene', 'turn_on', { entity_id: 'scene.good_night' });
    states = new Map((await home.listEntities()).map((e) => [e.entity_id, e.state]));
    for (const [id, state] of [['cover.garage_door', 'closed'], ['fan.bedroom_ceiling_fan', 'off'], ['media_player.living_room_tv', 'off'], ['media_player.kitchen_speaker', 'off']])
      assert.equal(states.get(id), state, id);
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
    await a.callService('fan', 'set_percentage', { entity_id: 'fan.bedroom_ceiling_fan', percentage: 60 });
    await a.callService('fan', 'turn_off', { entity_id: 'fan.bedroom_ceiling_fan' });
    await a.callService('cover', 'set_cover_position', { entity_id: 'cover.living_room_blinds', position: 35 });
    await a.callService('cover', 'open_cover', { entity_id: 'cover.garage_door' });
    for (const [service, data] of [['media_play', {}], ['media_next_track', {}], ['volume_set', { volume_level: 0.15 }], ['volume_mute', { is_volume_muted: true }]] as const)
      await a.callService('media_player', service, { entity_id: 'media_player.kitchen_speaker', ...data });
    await a.callService('media_player', 'volume_set', { entity_id: 'media_player.living_room_tv', volume_level: 0.7 });
    assert.ok(kv.data.size === 1, 'one record');

    const b = new Map((await createSimulatedHome({ persist: kv }).listEntities()).map((e) => [e.entity_id, e]));
    assert.deepEqual([b.get('light.porch')!.state, b.get('light.porch')!.attributes.brightness], ['on', 102]);
    assert.equal(b.get('lock.back_door')!.state, 'unlocked');
    assert.equal(b.get('climate.thermostat')!.attributes.temperature, 23.5);
    assert.deepEqual([b.get('cover.living_room_blinds')!.state, b.get('cover.living_room_blinds')!.attributes.current_position], ['open', 35]);
    assert.equal(b.get('cover.garage_door')!.state, 'open');
    const speaker = b.get('media_player.kitchen_speaker')!;
    assert.deepEqual([speaker.state, speaker.attributes.media_title, speaker.attributes.volume_level, speaker.attributes.is_volume_muted], ['playing', 'So What', 0.15, true]);
    // What a player keeps while off, and a fan's last speed, survive too.
    const home = createSimulatedHome({ persist: kv });
    await home.callService('media_player', 'turn_on', { entity_id: 'media_player.living_room_tv' });
    await home.callService('fan', 'turn_on', { entity_id: 'fan.bedroom_ceiling_fan' });
    const c = new Map((await home.listEntities()).map((e) => [e.entity_id, e]));
    assert.equal(c.get('media_player.living_room_tv')!.attributes.volume_level, 0.7);
    assert.equal(c.get('fan.bedroom_ceiling_fan')!.attributes.percentage, 60);
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
