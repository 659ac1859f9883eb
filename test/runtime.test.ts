import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startRuntime, type Runtime } from '../src/runtime.js';
import { StoreError, type EventOf, type TurnEvent } from '../src/turn/index.js';
import { assertWellFormed, collect } from './support/turn-fixtures.js';
import { tempDir } from './support/turn-store.js';
import { startHaServer } from './support/ha-server.js';
import { waitUntil } from './support/wait.js';

/** Demo mode (the built-in simulator over real HTTP), fast, with a real database file. */
function demoConfig(db: string, env: Record<string, string> = {}) {
  return loadConfig(
    { BARNABEE_DB: db, DEMO_TTFT_MS: '5', DEMO_TOKENS_PER_S: '2000', TIME_ZONE: 'Europe/London', LOG_LEVEL: 'silent', ...env },
    { envFile: false },
  );
}
const silent = pino({ level: 'silent' });
const ask = (rt: Runtime, text: string, extra: { conversation_id?: string; speak?: boolean } = {}) =>
  collect(rt.assistant.run({ text, ...extra }, new AbortController().signal));
const endOf = (events: TurnEvent[]) => events.at(-1) as EventOf<'turn.end'>;
const routeOf = (events: TurnEvent[]) => events.find((e) => e.type === 'route') as EventOf<'route'>;

describe('runtime', () => {
  it('assembles a working assistant in demo mode: router, all three agents, store, bus', async (t) => {
    const rt = await startRuntime(demoConfig(join(tempDir(t), 'b.db')), { logger: silent });
    t.after(() => rt.close());

    const status = rt.status();
    assert.equal(status.demo, true);
    assert.equal(status.provider, 'demo');
    assert.equal(status.model, 'barnabee-sim');
    assert.equal(status.home, 'simulated');
    assert.deepEqual(status.tts, { engine: 'flite', voice: 'kal16' });
    assert.match(status.version, /^\d+\.\d+\.\d+/);

    const published: TurnEvent[] = [];
    rt.bus.subscribe((e) => void published.push(e));

    const math = await ask(rt, "what's twelve times seven");
    assertWellFormed(math);
    assert.equal(routeOf(math).agent, 'instant');
    assert.match(endOf(math).text, /84|eighty[- ]four/i);

    const light = await ask(rt, 'turn on the kitchen lights');
    assertWellFormed(light);
    assert.equal(routeOf(light).agent, 'action');
    assert.ok(light.some((e) => e.type === 'action' && e.ok), 'an action event for the command carried out');

    const chat = await ask(rt, 'tell me something interesting about the ocean');
    assertWellFormed(chat);
    assert.equal(routeOf(chat).agent, 'interaction');
    assert.equal(endOf(chat).status, 'completed');
    assert.ok(endOf(chat).text.length > 0);
    assert.ok(chat.filter((e) => e.type === 'chunk').length > 2, 'the model answer streamed');
    assert.equal(rt.simulator!.records.at(-1)!.closedBy, 'completed');

    const all = math.length + light.length + chat.length;
    await waitUntil(() => published.length >= all, 'every event on the bus');
    assert.equal(published.length, all, 'every event reached the bus, once');
    assert.equal(rt.store.listTurns().length, 3);
    assert.equal(rt.store.getTurn(chat[0]!.turn_id)!.usage!.model, 'barnabee-sim');
  });

  it('speaks with real Flite audio when the request asks for speech', async (t) => {
    const rt = await startRuntime(demoConfig(join(tempDir(t), 'b.db')), { logger: silent });
    t.after(() => rt.close());
    const events = await ask(rt, "what's the capital of France", { speak: true });
    assertWellFormed(events);
    const audio = events.filter((e) => e.type === 'audio') as EventOf<'audio'>[];
    assert.ok(audio.length > 0 && audio.every((a) => a.pcm.length > 0 && a.sample_rate > 0));
    const end = endOf(events);
    assert.equal(end.status, 'completed');
    assert.ok(end.metrics.first_audio_ms !== null && end.metrics.first_audio_ms >= end.metrics.first_chunk_ms!);
    assert.ok(end.spoken_text.length > 0);
  });

  it('keeps history and the home state across a restart', async (t) => {
    const db = join(tempDir(t), 'b.db');
    const first = await startRuntime(demoConfig(db), { logger: silent });
    const turn1 = await ask(first, 'my favourite colour is green, remember that');
    const conversationId = (turn1[0] as EventOf<'turn.start'>).conversation_id;
    const answer1 = endOf(turn1).text;
    await collect(first.assistant.run({ text: 'lock the front door', conversation_id: 'house' }, new AbortController().signal));
    const before = (await first.home.listEntities()).find((e) => e.entity_id.startsWith('lock.') && /front/i.test(e.entity_id))!;
    assert.equal(before.state, 'locked');
    await first.close();

    const second = await startRuntime(demoConfig(db), { logger: silent });
    t.after(() => second.close());
    await ask(second, 'what is my favourite colour?', { conversation_id: conversationId });
    const sent = (second.simulator!.records.at(-1)!.body as { messages: { role: string; content: string }[] }).messages;
    assert.deepEqual(
      sent.slice(1).map((m) => [m.role, m.content]),
      [
        ['user', 'my favourite colour is green, remember that'],
        ['assistant', answer1],
        ['user', 'what is my favourite colour?'],
      ],
    );
    const after = (await second.home.listEntities()).find((e) => e.entity_id === before.entity_id)!;
    assert.equal(after.state, 'locked', 'the simulated home kept its state in the store');
  });

  it('an unusable database fails the start with a StoreError naming the path, leaving nothing running', async (t) => {
    const bad = join(tempDir(t), 'corrupt.db');
    writeFileSync(bad, 'definitely not sqlite '.repeat(200));
    await assert.rejects(startRuntime(demoConfig(bad), { logger: silent }), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.ok(err.message.includes(bad));
      return true;
    });
  });

  it('a bad voice fails the start clearly and closes what was opened', async (t) => {
    await assert.rejects(
      startRuntime(demoConfig(join(tempDir(t), 'b.db'), { TTS_VOICE: 'nobody' }), { logger: silent }),
      /nobody/,
    );
  });

  it('drives a real Home Assistant over its WebSocket and closes the socket on shutdown', async (t) => {
    const ha = await startHaServer();
    t.after(() => ha.close());
    const rt = await startRuntime(demoConfig(join(tempDir(t), 'b.db'), { HA_URL: ha.url, HA_TOKEN: ha.token }), { logger: silent });
    assert.equal(rt.status().home, 'home-assistant');
    const light = await ask(rt, 'turn on the porch light');
    assertWellFormed(light);
    assert.ok(light.some((e) => e.type === 'action' && e.ok && e.target === 'light.porch'));
    assert.equal(ha.state('light.porch')!.state, 'on');
    assert.equal(ha.clients, 1);
    await rt.close();
    await waitUntil(() => ha.clients === 0, 'the runtime to close its Home Assistant socket');
  });

  it('close is idempotent', async (t) => {
    const rt = await startRuntime(demoConfig(join(tempDir(t), 'b.db')), { logger: silent });
    await Promise.all([rt.close(), rt.close()]);
    await rt.close();
  });
});
