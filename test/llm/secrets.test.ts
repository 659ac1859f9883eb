/** The API key appears in no output: errors, logs, parts, simulator records — even when the server echoes it. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { LlmError } from '../../src/llm/index.js';
import { ask, collect, rig, TEST_KEY, type Rig } from '../support/llm-sim.js';

describe('llm client: the key never leaks', () => {
  let r: Rig;
  const outputs: string[] = [];
  before(async () => {
    r = await rig({ text: 'fine' }, { maxRetries: 1, retryBaseMs: 5, fallbacks: ['b/other'] });
  });
  after(() => r.close());

  const record = (value: unknown) => {
    outputs.push(typeof value === 'string' ? value : JSON.stringify(value));
    if (value instanceof Error) outputs.push(String(value), value.stack ?? '', inspect(value, { depth: 5 }));
  };

  it('errors whose upstream body echoes the key are redacted', async () => {
    r.sim.enqueue(
      { fault: { kind: 'status', status: 401, message: `Incorrect API key provided: ${TEST_KEY}` } },
    );
    const { error, parts } = await collect(r.client.stream(ask('x')));
    assert.ok(error instanceof LlmError);
    assert.match(error.message, /\[redacted\]/);
    record(error);
    record(parts);
  });

  it('in-band errors and malformed events quoting the key are redacted, retries logged without it', async () => {
    r.sim.enqueue(
      { fault: { kind: 'status', status: 503, message: `upstream saw Bearer ${TEST_KEY}` } },
      { fault: { kind: 'status', status: 503, message: `key=${TEST_KEY}` } },
      { fault: { kind: 'error-chunk', afterTokens: 0, message: `bad key ${TEST_KEY}` } },
      { fault: { kind: 'error-chunk', afterTokens: 0, message: `bad key ${TEST_KEY}` } },
    );
    const { error } = await collect(r.client.stream(ask('x')));
    assert.ok(error instanceof LlmError);
    record(error);
    r.sim.enqueue({ text: TEST_KEY.slice(0, 5), fault: { kind: 'malformed', afterTokens: 0 } });
    record(await collect(r.client.stream(ask('x'))));
  });

  it('a connection failure message does not carry the key', async () => {
    r.sim.enqueue({ fault: { kind: 'refuse' } }, { fault: { kind: 'refuse' } }, { fault: { kind: 'refuse' } }, { fault: { kind: 'refuse' } });
    const { error } = await collect(r.client.stream(ask('x')));
    assert.equal(error?.code, 'connection_reset');
    record(error);
  });

  it('the key reached the server (so the checks above are meaningful) but not its records', () => {
    assert.ok(r.sim.records.some((rec) => rec.status === 200), 'the simulator requires and accepted the key');
    record(r.sim.records);
  });

  it('nothing captured contains the key: errors, stacks, inspect output, parts, logs, records', () => {
    outputs.push(r.logs());
    assert.ok(r.logs().length > 100, 'the logger captured something');
    const all = outputs.join('\n');
    assert.ok(all.length > 1000);
    assert.ok(!all.includes(TEST_KEY), 'the full key leaked');
    assert.ok(!all.includes(TEST_KEY.slice(-12)), 'the tail of the key leaked');
  });
});
