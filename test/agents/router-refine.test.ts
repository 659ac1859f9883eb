/**
 * The router's model second opinion, against the simulator over real HTTP: asked only when unsure,
 * validated before use, and never worse than the rules when the model misbehaves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRouter } from '../../src/agents/router.js';
import type { RouteDecision } from '../../src/turn/agent.js';
import { rig, type Rig } from '../support/llm-sim.js';

const UNSURE = 'turn on the jacuzzi bubbles';

describe('router refine', () => {
  let r: Rig;
  before(async () => {
    r = await rig({ mode: 'text', text: '{}' });
  });
  after(() => r.close());

  const answer = (text: string) => r.sim.enqueue({ mode: 'text', text });
  const signal = () => new AbortController().signal;

  it('asks the model when the rules are unsure, and uses its validated answer', async () => {
    const router = createRouter({ llm: r.client, model: 'router-model' });
    const rule = router.classify(UNSURE);
    assert.ok(rule.confidence < 0.6);
    const before = r.sim.records.length;
    answer('```json\n{"agent": "action", "intent": "home.command", "confidence": 0.8}\n```');
    const refined = await router.refine!(UNSURE, rule, signal());
    assert.deepEqual(refined, { agent: 'action', intent: 'home.command', confidence: 0.8 });
    const sent = r.sim.records.slice(before);
    assert.equal(sent.length, 1, 'one model call');
    assert.equal(sent[0].model, 'router-model');
    const body = sent[0].body as { messages: { role: string; content: string }[]; response_format?: unknown };
    assert.equal(body.messages.at(-1)?.content, UNSURE);
    assert.deepEqual(body.response_format, { type: 'json_object' });
  });

  it('does not ask when the rules are sure', async () => {
    const router = createRouter({ llm: r.client });
    const rule = router.classify('turn on the kitchen lights');
    const before = r.sim.records.length;
    assert.deepEqual(await router.refine!('turn on the kitchen lights', rule, signal()), rule);
    assert.equal(r.sim.records.length, before);
  });

  it('honours a custom threshold', async () => {
    const router = createRouter({ llm: r.client, refineBelow: 0.99 });
    const rule = router.classify('what time is it');
    answer('{"agent": "interaction", "intent": "chat", "confidence": 0.7}');
    assert.equal((await router.refine!('what time is it', rule, signal())).agent, 'interaction');
  });

  for (const [name, reply] of [
    ['not JSON', 'I think this is a home command.'],
    ['an unknown agent', '{"agent": "weather", "intent": "chat"}'],
    ['an intent the agent does not have', '{"agent": "instant", "intent": "home.command"}'],
    ['a confidence out of range', '{"agent": "action", "intent": "home.command", "confidence": 7}'],
    ['truncated JSON', '{"agent": "action", "intent": "home.'],
  ] as const) {
    it(`keeps the rule decision when the model answers with ${name}`, async () => {
      const router = createRouter({ llm: r.client });
      const rule = router.classify(UNSURE);
      answer(reply);
      assert.deepEqual(await router.refine!(UNSURE, rule, signal()), rule);
    });
  }

  it('keeps the rule decision when the model fails', async () => {
    const router = createRouter({ llm: r.client });
    const rule = router.classify(UNSURE);
    const before = r.sim.records.length;
    r.sim.enqueue({ fault: { kind: 'status', status: 400, message: 'bad request' } });
    assert.deepEqual(await router.refine!(UNSURE, rule, signal()), rule);
    assert.equal(r.sim.records[before].status, 400);
  });

  it('gives up on a slow model after its timeout and closes the upstream request', async () => {
    // A refine timeout long enough for the request to reach the model on a busy machine, far
    // below the model's 30 s first token (and the client's own 10 s first-token timeout).
    const router = createRouter({ llm: r.client, refineTimeoutMs: 1000 });
    const rule = router.classify(UNSURE);
    const before = r.sim.records.length;
    r.sim.enqueue({ mode: 'text', text: '{"agent":"action","intent":"home.command"}', ttftMs: 30_000 });
    const t0 = performance.now();
    const got: RouteDecision = await router.refine!(UNSURE, rule, signal());
    const waited = performance.now() - t0;
    assert.deepEqual(got, rule);
    assert.ok(waited < 6000, `returned after ${waited.toFixed(0)} ms`);
    await r.sim.settled();
    const record = r.sim.records[before];
    assert.ok(record, 'the refine request reached the model before the timeout');
    assert.equal(record.closedBy, 'client-closed');
  });

  it('returns at once when the turn is already cancelled', async () => {
    const router = createRouter({ llm: r.client });
    const rule = router.classify(UNSURE);
    const before = r.sim.records.length;
    assert.deepEqual(await router.refine!(UNSURE, rule, AbortSignal.abort()), rule);
    assert.equal(r.sim.records.length, before);
  });
});
