import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createActionAgent } from '../../src/agents/action.js';
import { createHomeControl } from '../../src/agents/home-control.js';
import { createSimulatedHome, type HomeBackend } from '../../src/agents/home/index.js';
import { interceptFor, runAction, SCOPE } from './action-run.js';

const fresh = () => {
  const home = createSimulatedHome();
  return { home, agent: createActionAgent({ control: createHomeControl(home) }) };
};
const stateOf = async (home: HomeBackend, id: string) => (await home.listEntities()).find((e) => e.entity_id === id)!;
const L = (s: string) => `light.${s}`;

/** [utterance, service calls expected (any order), what the answer must say]. From the default home state. */
const COMMANDS: [string, string[], RegExp][] = [
  ['turn on the kitchen lights', ['light.turn_on light.kitchen_ceiling', 'light.turn_on light.kitchen_counter'], /^Okay, I turned on the kitchen lights\.$/],
  ['Turn off the kitchn lihgts', ['light.turn_off light.kitchen_ceiling', 'light.turn_off light.kitchen_counter'], /turned off the kitchen lights/],
  ['trun on the porch light', ['light.turn_on light.porch'], /turned on the porch light/],
  ['could you please switch the hallway light on', ['light.turn_on light.hallway'], /hallway light/],
  ['Hey Barnabee, turn the porch light off, thanks', ['light.turn_off light.porch'], /turned off the porch light/],
  ['kitchen lights off', ['light.turn_off light.kitchen_ceiling', 'light.turn_off light.kitchen_counter'], /kitchen lights/],
  ['turn on the lights in the bedroom', ['light.turn_on light.bedroom_ceiling', 'light.turn_on light.bedside_lamp'], /the bedroom lights/],
  ['turn on all the bedrom lihgts', ['light.turn_on light.bedroom_ceiling', 'light.turn_on light.bedside_lamp'], /the bedroom lights/],
  ['turn off everything in the office', ['light.turn_off light.office_ceiling', 'light.turn_off light.desk_lamp', 'switch.turn_off switch.office_fan'], /everything in the office/],
  ['turn off all the lights', ['kitchen_ceiling', 'kitchen_counter', 'living_room_lamp', 'living_room_ceiling', 'bedroom_ceiling', 'bedside_lamp', 'office_ceiling', 'desk_lamp', 'hallway', 'porch'].map((l) => `light.turn_off ${L(l)}`), /10 lights/],
  ['turn on the coffee machine', ['switch.turn_on switch.coffee_maker'], /coffee maker/],
  ['swich on the fan', ['fan.turn_on fan.bedroom_ceiling_fan'], /^Okay, I turned on the bedroom ceiling fan\.$/],
  ['turn on the fan in the office', ['switch.turn_on switch.office_fan'], /office fan/],
  ['switch on the reading light', ['light.turn_on light.bedside_lamp'], /bedside lamp/],
  ['set the kitchen lights to 30%', ['light.turn_on light.kitchen_ceiling', 'light.turn_on light.kitchen_counter'], /set the kitchen lights to 30 percent/],
  ['dim the living room lamp to twenty percent', ['light.turn_on light.living_room_lamp'], /living room lamp to 20 percent/],
  ['set the desk lamp brightness to 45', ['light.turn_on light.desk_lamp'], /desk lamp to 45 percent/],
  ['put the kitchen lights at half brightness', ['light.turn_on light.kitchen_ceiling', 'light.turn_on light.kitchen_counter'], /50 percent/],
  ['dim the living room lamp', ['light.turn_on light.living_room_lamp'], /dimmed the living room lamp to 25 percent/],
  ['brighten the living room lamp', ['light.turn_on light.living_room_lamp'], /brightened the living room lamp to 75 percent/],
  ['set the living room lamp to 0%', ['light.turn_off light.living_room_lamp'], /turned off/],
  ['toggle the desk lamp', ['light.toggle light.desk_lamp'], /toggled the desk lamp/],
  ['set the thermostat to 22 degrees', ['climate.set_temperature climate.thermostat'], /thermostat to 22 degrees/],
  ['set the temprature to twenty three', ['climate.set_temperature climate.thermostat'], /23 degrees/],
  ['make it warmer', ['climate.set_temperature climate.thermostat'], /22 degrees/],
  ["I'm cold", ['climate.set_temperature climate.thermostat'], /22 degrees/],
  ['turn the heat down', ['climate.set_temperature climate.thermostat'], /20 degrees/],
  ['turn off the heating', ['climate.turn_off climate.thermostat'], /turned off the thermostat/],
  ['lock the front and back doors', ['lock.lock lock.front_door', 'lock.lock lock.back_door'], /locked the front door and the back door/],
  ['lock up', ['lock.lock lock.front_door', 'lock.lock lock.back_door'], /locked the front door and the back door/],
  ['lock the garage', ['cover.close_cover cover.garage_door'], /^Okay, I closed the garage door\.$/],
  ['activate movie night', ['scene.turn_on scene.movie_night'], /started the movie night scene/],
  ['movie night', ['scene.turn_on scene.movie_night'], /movie night/],
  ['start the good morning scene', ['scene.turn_on scene.good_morning'], /good morning scene/],
  ['turn off the kitchen lights and lock the front door', ['light.turn_off light.kitchen_ceiling', 'light.turn_off light.kitchen_counter', 'lock.lock lock.front_door'], /turned off the kitchen lights and locked the front door/],
  ['turn on the porch light, the hallway light and the desk lamp', ['light.turn_on light.porch', 'light.turn_on light.hallway', 'light.turn_on light.desk_lamp'], /porch light, the hallway light and the desk lamp/],
  ['turn off the kitchen and living room lights', ['light.turn_off light.kitchen_ceiling', 'light.turn_off light.kitchen_counter', 'light.turn_off light.living_room_lamp', 'light.turn_off light.living_room_ceiling'], /turned off/],
  ['set the kitchen to 30 percent and the bedroom to 50 percent', ['light.turn_on light.kitchen_ceiling', 'light.turn_on light.kitchen_counter', 'light.turn_on light.bedroom_ceiling', 'light.turn_on light.bedside_lamp'], /kitchen lights to 30 percent and set the bedroom lights to 50 percent/],
  ['turn on the coffee maker and then start movie night', ['switch.turn_on switch.coffee_maker', 'scene.turn_on scene.movie_night'], /coffee maker and started the movie night scene/],
  ['turn off the bathroom light', [], /I can't find a bathroom light\./],
  ['turn the heat up to 21,5 degrees', ['climate.set_temperature climate.thermostat'], /thermostat to 21\.5 degrees/],
  ['look at the front door', [], /couldn't work out/],

  ['set the heat to 70 degrees', ['climate.set_temperature climate.thermostat'], /thermostat to 21 degrees, which is 70 Fahrenheit/],
  ['set the heat to 95 degrees', [], /can be set from 10 to 30 degrees, so I left it at 21 degrees/],
  ['turn down the porch light', [], /porch light is already off/],
  // Fans, covers and media players.
  ['set the fan to 50 percent', ['fan.set_percentage fan.bedroom_ceiling_fan'], /^Okay, I set the bedroom ceiling fan to 50 percent\.$/],
  ['turn the ceiling fan to 0 percent', ['fan.turn_off fan.bedroom_ceiling_fan'], /turned off the bedroom ceiling fan/],
  ['turn off everything in the bedroom', ['light.turn_off light.bedroom_ceiling', 'light.turn_off light.bedside_lamp', 'fan.turn_off fan.bedroom_ceiling_fan'], /everything in the bedroom/],
  ['close the blinds', ['cover.close_cover cover.living_room_blinds'], /^Okay, I closed the living room blinds\.$/],
  ['open the blinds', ['cover.open_cover cover.living_room_blinds'], /^Okay, I opened the living room blinds\.$/],
  ['lower the blinds', ['cover.close_cover cover.living_room_blinds'], /closed the living room blinds/],
  ['set the blinds to 30 percent', ['cover.set_cover_position cover.living_room_blinds'], /^Okay, I set the living room blinds to 30 percent\.$/],
  ['close the garage door', ['cover.close_cover cover.garage_door'], /^Okay, I closed the garage door\.$/],
  ['set the garage door to 50 percent', [], /^I can only open or close the garage door\.$/],
  ['turn on the TV', ['media_player.turn_on media_player.living_room_tv'], /^Okay, I turned on the living room TV\.$/],
  ['play the music in the kitchen', ['media_player.media_play media_player.kitchen_speaker'], /^Okay, I pressed play on the kitchen speaker\.$/],
  ['play some music', ['media_player.media_play media_player.kitchen_speaker'], /kitchen speaker/],
  ['turn the volume up on the kitchen speaker', ['media_player.volume_up media_player.kitchen_speaker'], /^Okay, I turned up the volume on the kitchen speaker\.$/],
  ['set the kitchen speaker volume to 30 percent', ['media_player.volume_set media_player.kitchen_speaker'], /^Okay, I set the volume on the kitchen speaker to 30 percent\.$/],
  ['mute the kitchen speaker', ['media_player.volume_mute media_player.kitchen_speaker'], /^Okay, I muted the kitchen speaker\.$/],
  ['mute the TV', [], /^The living room TV is off\.$/],
  ['pause the TV', [], /^The living room TV is off\.$/],
  ['pause', [], /^Nothing is playing right now\.$/],
  ['stop the fan', ['fan.turn_off fan.bedroom_ceiling_fan'], /turned off the bedroom ceiling fan/],
  ['toggle the front door', [], /^That isn't something I can do with the front door\.$/],
];

const QUESTIONS: [string, RegExp][] = [
  ['is the front door locked?', /^Yes, the front door is locked\.$/],
  ['is the back door unlocked', /^No, the back door is locked\.$/],
  ['tell me if the back door is locked', /^Yes, the back door is locked/],
  ['is the garage door open?', /^No, the garage door is closed\.$/],
  ['did someone leave the garage open', /^No, the garage door is closed\.$/],
  ['are the blinds closed?', /^No, the living room blinds are open\.$/],
  ['which doors are open', /^No doors are open right now\.$/],
  ['is the TV on?', /^No, the living room TV is off\.$/],
  ['is the fan on', /^No, the bedroom ceiling fan is off\.$/],
  ["what's playing in the living room?", /^Nothing is playing in the living room: the living room TV is off\.$/],
  ['are all the doors locked?', /^Yes, both doors are locked\.$/],
  ['is everything locked', /^Yes, both doors are locked/],
  ['do I have any doors unlocked', /^No, none of the doors are unlocked/],
  ['are any lights on?', /^Yes, the living room lamp is on\.$/],
  ['which lights are on', /^The living room lamp is on\.$/],
  ['are the kitchen lights on', /^No, /],
  ['is the coffee maker on', /^No, the coffee maker is off\.$/],
  ["what's the temperature inside?", /20\.5 degrees inside, and the thermostat is set to 21\./],
  ['how warm is it in here', /20\.5 degrees/],
  ['what is the thermostat set to', /set to 21/],
  ['how bright is the living room lamp', /living room lamp is at 50 percent/],
  ["what's the status of the garage door", /^The garage door is closed\.$/],
  // A speaker that is idle is on.
  ["what's on in the kitchen", /^The kitchen speaker is on\.$/],
];

describe('action agent: commands', () => {
  for (const [text, expected, says] of COMMANDS)
    it(text, async () => {
      const { agent } = fresh();
      const r = await runAction(agent, text);
      assert.deepEqual([...r.calls].sort(), [...expected].sort(), r.text);
      assert.equal(r.actions.length, expected.length, 'one action part per service call');
      assert.deepEqual(r.errors, []);
      assert.match(r.text, says);
    });

  it('carries the level through to the device', async () => {
    const { home, agent } = fresh();
    await runAction(agent, 'set the kitchen lights to 30%');
    assert.equal((await stateOf(home, L('kitchen_counter'))).attributes.brightness, 77);
    const r = await runAction(agent, 'dim the kitchen counter lights');
    assert.equal(r.actions[0].detail, 'on at 5 percent');
    await runAction(agent, 'set the thermostat to 19.5');
    assert.equal((await stateOf(home, 'climate.thermostat')).attributes.temperature, 19.5);
  });
});

describe('action agent: state questions', () => {
  for (const [text, says] of QUESTIONS)
    it(text, async () => {
      const { agent } = fresh();
      const r = await runAction(agent, text);
      assert.deepEqual(r.actions, [], 'a question changes nothing');
      assert.match(r.text, says);
    });

  it('answers from the current state', async () => {
    const { agent } = fresh();
    await runAction(agent, 'turn on the porch light');
    assert.match((await runAction(agent, 'are any lights on')).text, /^Yes, the living room lamp and the porch light are on\.$/);
    await runAction(agent, 'turn off all the lights');
    assert.match((await runAction(agent, 'are any lights on')).text, /^No, none of the lights are on\.$/);
  });
});

describe('action agent: confirmation before unlocking', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('asks first, then unlocks on yes', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    const ask = await runAction(agent, 'unlock the front door');
    assert.deepEqual(ask.actions, []);
    assert.match(ask.text, /^Are you sure you want me to unlock the front door\?$/);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'locked');
    assert.equal(interceptFor(agent, 'yes', 'another-conversation'), null, 'only the asking conversation');
    const yes = await runAction(agent, 'Yes please, go ahead.');
    assert.equal(yes.intent, 'home.confirm');
    assert.deepEqual(yes.calls, ['lock.unlock lock.front_door']);
    assert.match(yes.text, /unlocked the front door/);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'unlocked');
    assert.equal(interceptFor(agent, 'yes', 'conv-1'), null, 'answered questions are gone');
  });

  it('no leaves it locked', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    // "Open" on a lock is unlocking, asked like any unlock.
    const ask = await runAction(agent, 'open the front door');
    assert.match(ask.text, /^Are you sure you want me to unlock the front door\?$/);
    const no = await runAction(agent, 'no, leave it');
    assert.equal(no.intent, 'home.confirm');
    assert.deepEqual(no.actions, []);
    assert.match(no.text, /^Okay, I'll leave the front door locked\.$/);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'locked');
  });

  it('opening the garage door is asked like unlocking: a yes from the same client opens it, from another does not', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    const ask = await runAction(agent, 'open the garage');
    assert.deepEqual(ask.actions, []);
    assert.match(ask.text, /^Are you sure you want me to open the garage door\?$/);
    assert.equal((await stateOf(home, 'cover.garage_door')).state, 'closed');
    assert.equal(interceptFor(agent, 'yes', 'conv-1', 'ws:someone-else'), null);
    const foreign = await runAction(agent, 'yes', { scope: 'ws:someone-else' });
    assert.deepEqual(foreign.actions, []);
    assert.equal((await stateOf(home, 'cover.garage_door')).state, 'closed');
    const yes = await runAction(agent, 'yes');
    assert.equal(yes.intent, 'home.confirm');
    assert.deepEqual(yes.calls, ['cover.open_cover cover.garage_door']);
    assert.match(yes.text, /^Okay, I opened the garage door\.$/);
    assert.equal((await stateOf(home, 'cover.garage_door')).state, 'open');
    // Closing it again is not asked.
    assert.deepEqual((await runAction(agent, 'close the garage door')).calls, ['cover.close_cover cover.garage_door']);
  });

  it('no to the garage leaves it closed; without a scope it is not opened', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    await runAction(agent, 'open the garage door');
    assert.match((await runAction(agent, 'no')).text, /^Okay, I'll leave the garage door closed\.$/);
    const unscoped = await runAction(agent, 'open the garage', { scope: null });
    assert.deepEqual(unscoped.actions, []);
    assert.match(unscoped.text, /^I can't open the garage door from here: .* so I left the garage door closed\.$/);
    assert.equal((await stateOf(home, 'cover.garage_door')).state, 'closed');
  });

  it('one question for an unlock and a garage door, one yes for both; "turn off" a lock is unlocking too', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    const ask = await runAction(agent, 'unlock the front door and open the garage');
    assert.match(ask.text, /^Are you sure you want me to unlock the front door and open the garage door\?$/);
    const yes = await runAction(agent, 'yes');
    assert.deepEqual([...yes.calls].sort(), ['cover.open_cover cover.garage_door', 'lock.unlock lock.front_door']);
    assert.match(yes.text, /^Okay, I unlocked the front door and opened the garage door\.$/);
    const off = await runAction(agent, 'turn off the back door');
    assert.deepEqual(off.actions, []);
    assert.match(off.text, /^Are you sure you want me to unlock the back door\?$/);
  });

  it('expires after 30 s', async () => {
    const c = clock();
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home, { now: c.now }) });
    await runAction(agent, 'unlock the back door');
    c.advance(29_000);
    assert.deepEqual(interceptFor(agent, 'yes', 'conv-1'), { agent: 'action', intent: 'home.confirm', confidence: 1 });
    c.advance(1_000);
    assert.equal(interceptFor(agent, 'yes', 'conv-1'), null);
    // If the runner still routes a late yes here, nothing is unlocked.
    const late = await runAction(agent, 'yes');
    assert.deepEqual(late.actions, []);
    assert.equal((await stateOf(home, 'lock.back_door')).state, 'locked');
  });

  it('only the client that was asked can answer; anyone else\'s yes is a new request', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    await runAction(agent, 'unlock the front door');
    assert.equal(interceptFor(agent, 'yes', 'conv-1', 'ws:someone-else'), null);
    assert.equal(interceptFor(agent, 'yes', 'conv-1', null), null, 'a turn without a scope never confirms');
    const foreign = await runAction(agent, 'yes', { scope: 'ws:someone-else' });
    assert.notEqual(foreign.intent, 'home.confirm');
    assert.deepEqual(foreign.actions, []);
    const unscoped = await runAction(agent, 'yes', { scope: null });
    assert.deepEqual(unscoped.actions, []);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'locked');
    // A stranger's other request does not abandon the owner's question either.
    await runAction(agent, 'turn on the porch light', { scope: 'ws:someone-else' });
    const mine = await runAction(agent, 'yes', { scope: SCOPE });
    assert.deepEqual(mine.calls, ['lock.unlock lock.front_door']);
  });

  it('a turn without a scope is not asked and unlocks nothing', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    const r = await runAction(agent, 'unlock the front door', { scope: null });
    assert.deepEqual(r.actions, []);
    assert.match(r.text, /can't unlock the front door/);
    assert.equal(interceptFor(agent, 'yes', 'conv-1', null), null);
    assert.equal(interceptFor(agent, 'yes', 'conv-1'), null);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'locked');
  });

  it('another request abandons the question, so a later yes unlocks nothing', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    await runAction(agent, 'unlock the front door');
    const other = await runAction(agent, 'turn on the porch light');
    assert.equal(other.intent, 'home.command');
    assert.equal(interceptFor(agent, 'yes', 'conv-1'), null);
    assert.equal(interceptFor(agent, 'yes turn on the lights', 'conv-1'), null);
    assert.equal((await stateOf(home, 'lock.front_door')).state, 'locked');
  });

  it('a compound carries out the rest now and asks about the unlock', async () => {
    const home = createSimulatedHome();
    const agent = createActionAgent({ control: createHomeControl(home) });
    const r = await runAction(agent, 'turn on the porch light and unlock the back door');
    assert.deepEqual(r.calls, ['light.turn_on light.porch']);
    assert.match(r.text, /^Okay, I turned on the porch light\. Are you sure you want me to unlock the back door\?$/);
    const yes = await runAction(agent, 'sure');
    assert.deepEqual(yes.calls, ['lock.unlock lock.back_door']);
  });
});

describe('action agent: media players', () => {
  it('plays, pauses, skips and sets the volume of the TV, and answers what is playing', async () => {
    const { home, agent } = fresh();
    const tv = 'media_player.living_room_tv';
    assert.deepEqual((await runAction(agent, 'turn on the TV')).calls, [`media_player.turn_on ${tv}`]);
    assert.deepEqual((await runAction(agent, 'play the TV')).calls, [`media_player.media_play ${tv}`]);
    assert.match((await runAction(agent, "what's playing in the living room?")).text, /^The living room TV is playing Planet Earth\.$/);
    const pause = await runAction(agent, 'pause the TV');
    assert.deepEqual(pause.calls, [`media_player.media_pause ${tv}`]);
    assert.match(pause.text, /^Okay, I paused the living room TV\.$/);
    assert.match((await runAction(agent, 'is the TV on?')).text, /^Yes, the living room TV is paused on Planet Earth\.$/);
    assert.deepEqual((await runAction(agent, 'skip this song')).calls, [`media_player.media_next_track ${tv}`]);
    assert.deepEqual((await runAction(agent, 'turn the volume up on the TV')).calls, [`media_player.volume_up ${tv}`]);
    assert.equal((await stateOf(home, tv)).attributes.volume_level, 0.4);
    const set = await runAction(agent, 'set the TV volume to 25 percent');
    assert.match(set.text, /^Okay, I set the volume on the living room TV to 25 percent\.$/);
    assert.deepEqual((await runAction(agent, 'mute the TV')).calls, [`media_player.volume_mute ${tv}`]);
    const after = await stateOf(home, tv);
    assert.deepEqual([after.state, after.attributes.volume_level, after.attributes.is_volume_muted, after.attributes.media_title], ['paused', 0.25, true, 'The Great British Bake Off']);
    // "play" with nothing named resumes what is paused; "stop the music" stops what plays.
    assert.deepEqual((await runAction(agent, 'resume')).calls, [`media_player.media_play ${tv}`]);
    assert.deepEqual((await runAction(agent, 'stop the music')).calls.sort(), [`media_player.media_stop ${tv}`]);
    assert.equal((await stateOf(home, tv)).state, 'idle');
  });
});

describe('action agent: context', () => {
  it('"it" means the device just mentioned, in this conversation only', async () => {
    const { home, agent } = fresh();
    await runAction(agent, 'turn on the porch light');
    const r = await runAction(agent, 'turn it off');
    assert.deepEqual(r.calls, ['light.turn_off light.porch']);
    await runAction(agent, 'is the desk lamp on?');
    assert.deepEqual((await runAction(agent, 'turn it on')).calls, ['light.turn_on light.desk_lamp']);
    const elsewhere = await runAction(agent, 'turn it off', { conversationId: 'other' });
    assert.deepEqual(elsewhere.actions, []);
    assert.equal((await stateOf(home, L('desk_lamp'))).state, 'on');
  });

  it('"the lights" means the room the request came from, unless "all" is said', async () => {
    const { agent } = fresh();
    const here = await runAction(agent, 'turn on the lights', { room: 'bedroom' });
    assert.deepEqual(here.calls.sort(), ['light.turn_on light.bedroom_ceiling', 'light.turn_on light.bedside_lamp']);
    const all = await runAction(agent, 'turn on all the lights', { room: 'bedroom' });
    assert.equal(all.calls.length, 10);
  });

  it('without a model, text it cannot parse gets a clear answer and changes nothing', async () => {
    const { agent } = fresh();
    for (const text of ['make the place feel cosy', 'turn on', 'set the mood']) {
      const r = await runAction(agent, text);
      assert.deepEqual(r.actions, []);
      assert.match(r.text, /couldn't|not sure/i, text);
    }
  });
});

describe('action agent: any input', () => {
  it('never throws and always answers with exactly one done chunk (property)', async () => {
    const fc = await import('fast-check');
    const { agent } = fresh();
    const words = ['turn', 'on', 'off', 'the', 'and', 'lights', 'kitchen', 'lock', 'unlock', 'door', 'is', 'are', 'any', 'what', 'to', '30%', 'degrees', 'it', 'yes', 'no', 'set', 'dim', 'all', 'everything', 'movie', 'night', ',', '?', 'trun', 'kitchn',
      'open', 'close', 'blinds', 'garage', 'fan', 'tv', 'play', 'pause', 'stop', 'skip', 'mute', 'volume', 'up', 'playing', 'music'];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.constantFrom(...words), { maxLength: 12 }).map((w) => w.join(' '))), async (text) => {
        await runAction(agent, text, { conversationId: 'fuzz' });
      }),
      { numRuns: 300 },
    );
  });
});
