/**
 * A confirmation ("unlock the front door?" → "yes") belongs to the client that was asked: the same
 * WebSocket, or for request-per-turn transports the same address (and conversation). A "yes" from
 * anywhere else is a new turn and unlocks nothing. Real runtime in demo mode: real router, action
 * agent and simulated home behind a real server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request as httpRequest } from 'node:http';
import { postJson, WsClient } from '../support/server-clients.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

describe('confirmation binding', () => {
  let h: RealHarness;
  before(async () => {
    h = await startRealHarness();
  });
  after(() => h.close());

  const door = async () => (await h.runtime.home.listEntities()).find((e) => e.entity_id === 'lock.front_door')!.state;
  const lock = () => h.runtime.home.callService('lock', 'lock', { entity_id: 'lock.front_door' });

  async function wsTurn(ws: WsClient, text: string, conversation_id: string) {
    const before = ws.events.filter((e) => e.type === 'turn.end').length;
    ws.send({ type: 'turn.create', text, conversation_id });
    const events = await ws.waitFor((ev) => ev.filter((e) => e.type === 'turn.end').length > before);
    const start = events.findLastIndex((e) => e.type === 'turn.start');
    return events.slice(start);
  }
  const routeOf = (events: Record<string, any>[]) => events.find((e) => e.type === 'route')!;

  it('WebSocket: "yes" on the socket that was asked unlocks; on another socket with the same conversation it is a new turn', async () => {
    await lock();
    const asked = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const other = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const q = await wsTurn(asked, 'unlock the front door', 'c-ws');
    assert.match(q.at(-1)!.text, /Are you sure you want me to unlock the front door\?/);

    const foreign = await wsTurn(other, 'yes', 'c-ws');
    assert.notEqual(routeOf(foreign).intent, 'home.confirm', 'another socket cannot answer');
    assert.deepEqual(foreign.filter((e) => e.type === 'action'), []);
    assert.equal(foreign.at(-1)!.type, 'turn.end');
    assert.equal(await door(), 'locked');

    const mine = await wsTurn(asked, 'yes', 'c-ws');
    assert.equal(routeOf(mine).intent, 'home.confirm');
    assert.deepEqual(
      mine.filter((e) => e.type === 'action').map((e) => [e.service, e.target, e.ok]),
      [['lock.unlock', 'lock.front_door', true]],
    );
    assert.equal(await door(), 'unlocked');
    asked.close();
    other.close();
  });

  it('WebSocket: a socket that reconnects is another client; its "yes" unlocks nothing', async () => {
    await lock();
    const first = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    await wsTurn(first, 'unlock the front door', 'c-reconnect');
    first.close();
    const again = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const yes = await wsTurn(again, 'yes', 'c-reconnect');
    assert.notEqual(routeOf(yes).intent, 'home.confirm');
    assert.equal(await door(), 'locked');
    again.close();
  });

  it('HTTP: the same address and conversation confirms; another address, another conversation or the WebSocket does not', async () => {
    await lock();
    // node:http, whose `localAddress` picks the source address: another loopback address is another
    // client (127.0.0.2 reaches a server on 127.0.0.1 on Linux).
    const chat = (text: string, conversation_id: string, localAddress = '127.0.0.1') =>
      new Promise<{ response: string; intent: string }>((resolve, reject) => {
        const req = httpRequest(`${h.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, localAddress }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => (body += c));
          res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ text, conversation_id }));
      });
    assert.match((await chat('unlock the front door', 'c-http')).response, /Are you sure/);

    assert.notEqual((await chat('yes', 'c-http', '127.0.0.2')).intent, 'home.confirm');
    assert.notEqual((await chat('yes', 'c-other')).intent, 'home.confirm');
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    assert.notEqual(routeOf(await wsTurn(ws, 'yes', 'c-http')).intent, 'home.confirm');
    ws.close();
    assert.equal(await door(), 'locked');

    const yes = await chat('yes', 'c-http');
    assert.equal(yes.intent, 'home.confirm');
    assert.match(yes.response, /unlocked the front door/);
    assert.equal(await door(), 'unlocked');
  });

  it('the GET form of a route confirms only like its POST form (same address), and an answered question is gone', async () => {
    await lock();
    assert.match(((await (await postJson(`${h.url}/api/v1/chat`, { text: 'unlock the front door', conversation_id: 'c-get' })).json()) as { response: string }).response, /Are you sure/);
    const yes = (await (await fetch(`${h.url}/api/v1/chat?text=yes&conversation_id=c-get`)).json()) as { intent: string };
    assert.equal(yes.intent, 'home.confirm');
    assert.equal(await door(), 'unlocked');
    await lock();
    const again = (await (await fetch(`${h.url}/api/v1/chat?text=yes&conversation_id=c-get`)).json()) as { intent: string };
    assert.notEqual(again.intent, 'home.confirm');
    assert.equal(await door(), 'locked');
  });
});
