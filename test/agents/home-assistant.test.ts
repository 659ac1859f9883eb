import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createHomeAssistantBackend, HomeError, MAX_HOME_LISTENERS, type HomeAssistantOptions, type HomeBackend, type HomeEntity } from '../../src/agents/home/index.js';
import { startHaServer, type HaServer } from '../support/ha-server.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { HANG_GUARD_MS, waitUntil } from '../support/wait.js';

/** waitUntil for a check that must ask the backend (a promise). */
async function eventually<T>(check: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
  const deadline = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('Home Assistant backend (WebSocket API over loopback)', () => {
  let ha: HaServer;
  const opened: HomeBackend[] = [];
  const logged: string[] = [];
  const logger = {
    info: (fields: object, message: string) => void logged.push(`${message} ${JSON.stringify(fields)}`),
    warn: (fields: object, message: string) => void logged.push(`${message} ${JSON.stringify(fields)}`),
  };
  before(async () => {
    ha = await startHaServer();
  });
  after(async () => {
    await Promise.all(opened.map((b) => b.close?.()));
    await ha.close();
  });

  const backend = (over: Partial<HomeAssistantOptions> = {}) => {
    // No heartbeat unless a test asks: an idle backend then sends nothing, so commands can be counted.
    const b = createHomeAssistantBackend({ url: ha.url, token: ha.token, timeoutMs: 10_000, reconnectMinMs: 50, reconnectMaxMs: 200, registryDebounceMs: 20, heartbeatMs: 600_000, logger, ...over });
    opened.push(b);
    return b;
  };
  const byId = (list: HomeEntity[], id: string) => list.find((e) => e.entity_id === id);
  /** Resolves with the next batch a subscriber hears that holds `id`. */
  const nextChange = (home: HomeBackend, id: string) =>
    new Promise<HomeEntity>((resolve) => {
      const off = home.subscribe!((changed) => {
        const e = byId(changed, id);
        if (e) (off(), resolve(e));
      });
    });

  /** Asserts a HomeError with this code whose message, JSON and the log hold no secret. */
  const rejectsWith = async (p: Promise<unknown>, code: string, pattern?: RegExp, secret = ha.token) => {
    let caught: unknown;
    await p.catch((e) => (caught = e));
    assert.ok(caught instanceof HomeError, `expected HomeError ${code}, got ${inspect(caught)}`);
    assert.equal(caught.code, code, caught.message);
    if (pattern) assert.match(caught.message, pattern);
    for (const shown of [caught.message, JSON.stringify(caught), inspect(caught), String(caught.stack), ...logged]) assert.ok(!shown.includes(secret), 'token leaked');
    return caught;
  };

  it('logs in with the token, reads states and registries once, and serves areas, aliases and new domains from the cache', async () => {
    const home = backend();
    const logins = ha.logins.length;
    const states = await home.listEntities();
    assert.deepEqual(ha.logins.slice(logins), [{ ok: true }]);
    const kitchen = byId(states, 'light.kitchen_ceiling')!;
    assert.equal(kitchen.state, 'on');
    assert.equal(kitchen.attributes.brightness, 255);
    // Area: the entity's own, else its device's; aliases from the entity registry.
    assert.equal(kitchen.attributes.area, 'Kitchen');
    assert.equal(byId(states, 'light.kitchen_island')!.attributes.area, 'Kitchen');
    assert.equal(byId(states, 'cover.garage_door')!.attributes.area, 'Garage');
    assert.deepEqual(byId(states, 'light.porch')!.attributes.aliases, ['front light', 'entrance light']);
    assert.equal(byId(states, 'light.porch')!.attributes.area, 'Front Yard');
    // The area's aliases come with it, from the area registry (the device's area here).
    assert.deepEqual(byId(states, 'light.living_room_floor_lamp')!.attributes.area_aliases, ['lounge']);
    assert.equal(kitchen.attributes.area_aliases, undefined, 'an area without aliases adds none');
    assert.equal(byId(states, 'sensor.outdoor_temperature')!.attributes.area, undefined);
    // Not in the registry (no unique id): kept, named after its object id, no area.
    assert.equal(byId(states, 'light.garage_strip')!.attributes.friendly_name, 'garage strip');
    // Hidden from Assist by the user: left out; undecided exposure (the scene): kept.
    assert.equal(byId(states, 'switch.server_rack'), undefined);
    assert.ok(byId(states, 'scene.movie_night'));
    // fan, cover, media_player and switch come with their attributes.
    assert.equal(byId(states, 'fan.bedroom_fan')!.attributes.percentage, 50);
    assert.deepEqual([byId(states, 'cover.garage_door')!.attributes.device_class, byId(states, 'cover.garage_door')!.attributes.current_position], ['garage', 0]);
    const tv = byId(states, 'media_player.living_room_tv')!;
    assert.deepEqual([tv.state, tv.attributes.volume_level, tv.attributes.media_title, tv.attributes.aliases], ['playing', 0.3, 'The Muppet Christmas Carol', ['telly']]);
    assert.equal(byId(states, 'switch.christmas_tree')!.state, 'off');

    // Served from the cache: no command goes out for later reads.
    const sent = ha.commands.length;
    await home.listEntities();
    await home.listEntities();
    assert.equal(ha.commands.length, sent);
    // The cache cannot be changed through what it hands out.
    assert.throws(() => ((kitchen as { state: string }).state = 'off'));
    assert.equal(byId(await home.listEntities(), 'light.kitchen_ceiling')!.state, 'on');
  });

  it('a state_changed event updates the cache without a new fetch, and subscribers hear it', async () => {
    const home = backend();
    await home.listEntities();
    const sent = ha.commands.length;
    const heard = nextChange(home, 'switch.kettle');
    ha.setState('switch.kettle', 'on');
    assert.equal((await heard).state, 'on');
    assert.equal(byId(await home.listEntities(), 'switch.kettle')!.state, 'on');
    assert.equal(ha.commands.length, sent, 'no request for the new state');
    ha.setState('switch.kettle', 'off');
    await eventually(async () => byId(await home.listEntities(), 'switch.kettle')!.state === 'off', 'the kettle off again');

    // A burst of events is heard in batches, not one call per event, and the last one wins.
    let calls = 0;
    const off = home.subscribe!(() => void calls++);
    for (let i = 1; i <= 200; i++) ha.setState('sensor.outdoor_temperature', String(i / 10));
    await eventually(async () => byId(await home.listEntities(), 'sensor.outdoor_temperature')!.state === '20', 'the last reading');
    off();
    assert.ok(calls >= 1 && calls < 200, `${calls} listener calls for 200 events`);
    assert.equal(ha.commands.length, sent, 'still no request');
  });

  it('calls services over the socket; the changed states of the call come back', async () => {
    const home = backend();
    const changed = await home.callService('light', 'turn_on', { entity_id: 'light.kitchen_island', brightness_pct: 40 });
    const call = ha.commands.filter((c) => c.type === 'call_service').at(-1)!;
    assert.deepEqual(
      { domain: call.message.domain, service: call.message.service, service_data: call.message.service_data, target: call.message.target },
      { domain: 'light', service: 'turn_on', service_data: { brightness_pct: 40 }, target: { entity_id: 'light.kitchen_island' } },
    );
    assert.deepEqual(changed.map((e) => [e.entity_id, e.state, e.attributes.brightness, e.attributes.area]), [['light.kitchen_island', 'on', 102, 'Kitchen']]);
    assert.equal(ha.state('light.kitchen_island')!.state, 'on');
    // The cache already holds the new state.
    assert.equal(byId(await home.listEntities(), 'light.kitchen_island')!.attributes.brightness, 102);
    await home.callService('lock', 'lock', { entity_id: ['lock.back_door'] });
    assert.equal(ha.state('lock.back_door')!.state, 'locked');
    // A scene reports every state it changed.
    const scene = await home.callService('scene', 'turn_on', { entity_id: 'scene.movie_night' });
    assert.deepEqual(scene.map((e) => e.entity_id), ['scene.movie_night']);
    // The new domains' services reach Home Assistant.
    const fan = await home.callService('fan', 'set_percentage', { entity_id: 'fan.bedroom_fan', percentage: 75 });
    assert.equal(fan[0].attributes.percentage, 75);
    const tv = await home.callService('media_player', 'volume_set', { entity_id: 'media_player.living_room_tv', volume_level: 0.5 });
    assert.equal(tv[0].attributes.volume_level, 0.5);
  });

  it('"already so" answers at once with nothing; a late change is waited for and returned; a silent device is an empty result', async () => {
    const home = backend({ settleMs: 60_000 });
    await home.listEntities();
    // The front door is locked: locking it changes nothing, and the call does not wait for a change.
    const quick = await Promise.race([home.callService('lock', 'lock', { entity_id: 'lock.front_door' }), new Promise((r) => setTimeout(r, 5000, 'waited'))]);
    assert.deepEqual(quick, []);

    // A garage door that reports its new state later, in a context of its own.
    ha.late('cover.garage_door', 150);
    const opened = await home.callService('cover', 'open_cover', { entity_id: 'cover.garage_door' });
    assert.deepEqual(opened.map((e) => [e.entity_id, e.state, e.attributes.current_position]), [['cover.garage_door', 'open', 100]]);

    // A device that never reports: an empty result after the (short) settle time.
    ha.late('switch.christmas_tree', 60_000);
    const short = backend({ settleMs: 150 });
    assert.deepEqual(await short.callService('switch', 'turn_on', { entity_id: 'switch.christmas_tree' }), []);

    // Cancelling during the wait surfaces as the cancel.
    ha.late('switch.kettle', 60_000);
    const ac = new AbortController();
    const sent = ha.commands.length;
    const pending = home.callService('switch', 'toggle', { entity_id: 'switch.kettle' }, ac.signal).catch((e: unknown) => e);
    // Once the call has reached Home Assistant, the backend is waiting for the late change.
    await waitUntil(() => ha.commands.slice(sent).some((c) => c.type === 'call_service' && c.message.service === 'toggle'), 'the toggle to reach Home Assistant');
    ac.abort(new Error('barge-in'));
    assert.match(String(await pending), /barge-in/);
  });

  it('registry updates rename: aliases and areas change in the cache and subscribers hear it', async () => {
    const home = backend();
    await home.listEntities();
    const heard = nextChange(home, 'switch.kettle');
    ha.updateEntity('switch.kettle', { aliases: ['tea maker'] });
    assert.deepEqual((await heard).attributes.aliases, ['tea maker']);
    assert.deepEqual(byId(await home.listEntities(), 'switch.kettle')!.attributes.aliases, ['tea maker']);

    // Renaming an area renames it for entities placed there directly and through their device.
    const renamed = nextChange(home, 'light.kitchen_ceiling');
    ha.updateArea('kitchen', 'Cookhouse');
    assert.equal((await renamed).attributes.area, 'Cookhouse');
    const now = await home.listEntities();
    assert.deepEqual([byId(now, 'light.kitchen_island')!.attributes.area, byId(now, 'switch.kettle')!.attributes.area], ['Cookhouse', 'Cookhouse']);

    // Hiding an entity from Assist removes it; a call for it is refused.
    const gone = new Promise<void>((resolve) => {
      const off = home.subscribe!(async () => {
        if (!byId(await home.listEntities(), 'switch.christmas_tree')) (off(), resolve());
      });
    });
    ha.updateEntity('switch.christmas_tree', { options: { conversation: { should_expose: false } } });
    await gone;
    await rejectsWith(home.callService('switch', 'turn_on', { entity_id: 'switch.christmas_tree' }), 'unknown_entity', /not exposed/);
    ha.updateEntity('switch.christmas_tree', { options: { conversation: { should_expose: true } } });
    ha.updateArea('kitchen', 'Kitchen');
    await eventually(async () => byId(await home.listEntities(), 'switch.christmas_tree') && byId(await home.listEntities(), 'switch.kettle')!.attributes.area === 'Kitchen', 'the tree back');
  });

  it('Home Assistant restarts: calls fail clearly meanwhile, then the backend reconnects and reloads', async () => {
    const home = backend();
    await home.listEntities();
    const logins = ha.logins.length;
    await ha.stop();
    // While it is down: a clear, retryable error, never the old cache.
    const e = await eventually(() => home.listEntities().then(() => null, (err: unknown) => err), 'the backend to notice');
    assert.ok(e instanceof HomeError && e.retryable && /unreachable|closed/.test(e.message), inspect(e));
    await rejectsWith(home.callService('light', 'turn_on', { entity_id: 'light.porch' }), 'unreachable');
    ha.setState('light.porch', 'on'); // changed while Barnabee could not see it
    const heard = nextChange(home, 'light.porch');
    await ha.start();
    assert.equal((await heard).state, 'on');
    assert.equal(byId(await home.listEntities(), 'light.porch')!.state, 'on');
    assert.ok(ha.logins.length > logins);
    assert.ok(logged.some((l) => l.startsWith('home-assistant: reconnected')));
    ha.setState('light.porch', 'off');
  });

  it('a Home Assistant that stops answering (half-open socket) is dropped and reconnected', async () => {
    const home = backend({ heartbeatMs: 100, timeoutMs: 300 });
    await home.listEntities();
    ha.freeze();
    await eventually(() => home.listEntities().then(() => false, () => true), 'the heartbeat to drop the silent socket');
    ha.freeze(false);
    await eventually(() => home.listEntities().then(() => true, () => false), 'the reconnect');
  });

  it('a wrong token is a clear unauthorized error, tried once, never shown', async () => {
    const wrong = 'wrong-token-0123456789-SECRET-abc';
    const home = backend({ token: wrong });
    const logins = ha.logins.length;
    await rejectsWith(home.listEntities(), 'unauthorized', /rejected the access token.*HA_TOKEN/, wrong);
    await rejectsWith(home.callService('light', 'turn_on', { entity_id: 'light.porch' }), 'unauthorized', undefined, wrong);
    // Home Assistant bans addresses after failed logins: no retry on its own.
    assert.equal(ha.logins.slice(logins).filter((l) => !l.ok).length, 1);
    assert.ok(!inspect(home, { depth: 5, showHidden: true }).includes(wrong));
  });

  it('service errors: unknown service, invalid data, and a failing integration', async () => {
    const home = backend();
    await rejectsWith(home.callService('light', 'explode', { entity_id: 'light.porch' }), 'unknown_service', /no service light\.explode/);
    await rejectsWith(home.callService('light/../x', 'turn_on', { entity_id: 'light.porch' }), 'unknown_service');
    await rejectsWith(home.callService('climate', 'set_temperature', { entity_id: 'climate.hallway' }), 'bad_request', /temperature/);
    ha.commandFault({ type: 'call_service', kind: 'error', code: 'home_assistant_error', message: 'Failed to connect to device' });
    const e = await rejectsWith(home.callService('light', 'turn_on', { entity_id: 'light.porch' }), 'upstream', /failed to carry out light\.turn_on: Failed to connect/);
    assert.equal(e.retryable, false);
  });

  it('connection failures: wrong path, 5xx, dropped, closed port, timeouts; the caller’s abort stays an abort', async () => {
    /** A fresh backend's first read fails so; it is closed at once, so its retries take no other test's fault. */
    const failsWith = async (over: Partial<HomeAssistantOptions>, code: string, pattern?: RegExp) => {
      const home = backend(over);
      try {
        return await rejectsWith(home.listEntities(), code, pattern);
      } finally {
        await home.close!();
      }
    };
    await failsWith({ url: `${ha.url}/hass` }, 'not_found', /HTTP 404.*HA_URL/);
    ha.fault({ kind: 'status', status: 502 });
    const e = await failsWith({}, 'upstream', /HTTP 502/);
    assert.equal(e.retryable, true);
    ha.fault({ kind: 'drop' });
    await failsWith({}, 'unreachable');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await failsWith({ url: `http://127.0.0.1:${port}` }, 'unreachable', /ECONNREFUSED/);
    ha.fault({ kind: 'delay', ms: 1500 });
    await failsWith({ timeoutMs: 150 }, 'timeout', /within 150 ms/);
    ha.commandFault({ type: 'get_states', kind: 'silent' });
    await failsWith({ timeoutMs: 300 }, 'timeout', /get_states within 300 ms/);

    ha.fault({ kind: 'delay', ms: 800 });
    const ac = new AbortController();
    const asked = ha.requests.length;
    const home = backend();
    const refused = assert.rejects(home.listEntities(ac.signal), /barge-in/);
    // Cancelled while the held connection waits, not before it was made.
    await waitUntil(() => ha.requests.length > asked, 'the held upgrade');
    ac.abort(new Error('barge-in'));
    await refused;
    await home.close!();
  });

  it('bounded: listeners are capped, close() closes the socket and ends every call', async (t) => {
    // A Home Assistant of its own: the other tests' backends reconnect to the shared one.
    const own = await startHaServer();
    t.after(() => own.close());
    const home = backend({ url: own.url, token: own.token });
    await home.listEntities();
    assert.equal(own.clients, 1);
    const offs = Array.from({ length: MAX_HOME_LISTENERS }, () => home.subscribe!(() => {}));
    assert.throws(() => home.subscribe!(() => {}), /listeners/);
    offs[0]();
    offs[0] = home.subscribe!(() => {});
    for (const off of offs) off();
    await home.close!();
    await waitUntil(() => own.clients === 0, 'the socket to close');
    await rejectsWith(home.listEntities(), 'unreachable', /closed/);
    await home.close!(); // idempotent
  });

  it('keeps the token out of the backend object itself', () => {
    const home = backend();
    assert.ok(!inspect(home, { depth: 5, showHidden: true }).includes(ha.token));
    assert.ok(!JSON.stringify(home).includes(ha.token));
    assert.throws(() => createHomeAssistantBackend({ url: 'not a url', token: 'x' }), HomeError);
    assert.throws(() => createHomeAssistantBackend({ url: 'ftp://host', token: 'x' }), HomeError);
  });
});
