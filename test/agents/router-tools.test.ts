/** The router with a client that brings its own tools (docs/protocol.md, "Client tools"). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRouter } from '../../src/agents/router.js';
import { CORPUS } from './router-corpus.js';
import type { ClientTool, TurnRequest } from '../../src/turn/index.js';

const tools: ClientTool[] = [{ type: 'function', function: { name: 'HassTurnOn' } }];
const withTools = (text: string): TurnRequest => ({ text, tools });

describe('router: client tools', () => {
  const simulated = createRouter();
  const real = createRouter({ realHome: true });

  it('sends every home command and question to the model when the client brings tools and the home is simulated', () => {
    const home = CORPUS.filter((c) => c.agent === 'action').filter((c) => simulated.classify(c.text).agent === 'action');
    assert.ok(home.length >= 60);
    for (const c of home) {
      const d = simulated.classify(c.text, withTools(c.text));
      assert.equal(d.agent, 'interaction', c.text);
      assert.equal(d.intent, simulated.classify(c.text).intent, 'the intent is kept for the dashboard');
    }
  });

  it('leaves instant answers and conversation where they were', () => {
    for (const c of CORPUS.filter((x) => x.agent !== 'action')) {
      assert.deepEqual(simulated.classify(c.text, withTools(c.text)), simulated.classify(c.text), c.text);
    }
  });

  it('an empty tools list is no tools; a real home keeps its commands with the action agent', () => {
    assert.equal(simulated.classify('turn on the kitchen lights', { text: 'turn on the kitchen lights', tools: [] }).agent, 'action');
    assert.equal(real.classify('turn on the kitchen lights', withTools('turn on the kitchen lights')).agent, 'action');
  });

  it('a request that comes back with tool results is the model\'s to finish, whatever it says', () => {
    const request: TurnRequest = {
      text: 'what time is it',
      tools,
      continuation: [
        { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'HassTurnOn', arguments: '{}' } }] },
        { role: 'tool', content: 'ok', tool_call_id: 'c1' },
      ],
    };
    for (const r of [simulated, real]) assert.deepEqual(r.classify(request.text, request), { agent: 'interaction', intent: 'tool.result', confidence: 1 });
  });
});
