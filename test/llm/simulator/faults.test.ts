/** The fault language: specs in model names and headers become scripts; bad ones are refused, not guessed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseScriptHeader, parseSpec, scriptFromModelName, THINKING } from '../../../src/llm/simulator/faults.js';
import { startSimulator, type Simulator } from '../../../src/llm/index.js';

describe('simulator fault language', () => {
  it('reads modes, faults and tool-call terms, joined by +', () => {
    assert.deepEqual(parseSpec('echo'), { mode: 'echo' });
    assert.deepEqual(parseSpec('think'), { mode: 'demo', reasoning: THINKING });
    assert.deepEqual(parseSpec('status:503'), { fault: { kind: 'status', status: 503 } });
    assert.deepEqual(parseSpec('tool-split:20+tool-text'), { toolArgumentDeltas: 20, toolText: true });
    assert.deepEqual(parseSpec('tool-parallel'), { toolParallel: 2 });
    assert.deepEqual(parseSpec('tool-parallel:3+tool-index0+tool-silent'), { toolParallel: 3, toolIndexes: 'zero', toolText: false });
    assert.deepEqual(parseSpec('tool-malformed+tool-loop+reset:4'), { toolMalformed: true, toolLoop: true, fault: { kind: 'reset', afterTokens: 4 } });
    assert.deepEqual(scriptFromModelName('sim/tool-loop'), { toolLoop: true });
  });

  it('an unreadable term makes the whole spec unreadable; other models are not specs', () => {
    for (const bad of ['nonsense', 'tool-split:0', 'tool-split:x', 'echo+nonsense', 'status:999', '']) assert.equal(parseSpec(bad), null, bad);
    assert.equal(scriptFromModelName('openai/gpt-4o-mini'), null);
  });

  it('x-sim-script is checked field by field, and can never name a file to replay', () => {
    assert.deepEqual(parseScriptHeader('{"text":"hi","toolArgumentDeltas":20}'), { text: 'hi', toolArgumentDeltas: 20 });
    assert.throws(() => parseScriptHeader('{nope'), /not JSON/);
    assert.throws(() => parseScriptHeader('{"ttftMs":"slow"}'), /ttftMs/);
    assert.throws(() => parseScriptHeader('{"replay":"/etc/passwd"}'), /replay|Unrecognized/i);
    assert.throws(() => parseScriptHeader('{"fault":{"kind":"status","status":42}}'), /fault/);
  });

  describe('over HTTP', () => {
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ ttftMs: 0, tokensPerSecond: 0 });
    });
    after(() => sim.close());
    const post = (headers: Record<string, string>) =>
      fetch(`${sim.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      });

    it('a bad x-sim-fault or x-sim-script header is a 400 that says what is wrong', async () => {
      const fault = await post({ 'x-sim-fault': 'tool-splat:3' });
      assert.equal(fault.status, 400);
      assert.match(((await fault.json()) as { error: { message: string } }).error.message, /x-sim-fault.*tool-splat/);
      const script = await post({ 'x-sim-script': '{"replay":"/etc/passwd"}' });
      assert.equal(script.status, 400);
      assert.match(((await script.json()) as { error: { message: string } }).error.message, /x-sim-script/);
      assert.equal((await post({ 'x-sim-fault': 'echo' })).status, 200);
    });
  });
});
