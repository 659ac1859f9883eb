/**
 * Every fault the simulator can inject ends in complete text or a typed error within its timeout.
 * Retries are off here (maxRetries 0) so each fault is seen as it is; retry.test.ts covers policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLlmClient, startSimulator, type LlmClientOptions, type SimScript, type TextGathering } from '../../src/llm/index.js';
import { ask, clientOptions, collect, rig, type Rig } from '../support/llm-sim.js';

const TEXT = 'One two three four five six seven eight.';
// Long enough that a loaded machine answering slowly is not mistaken for a fault; the cases that
// stall wait these out, so they are not longer still.
const FIRST_TOKEN_MS = 1500;
const IDLE_MS = 1500;
const TOTAL_MS = 5000;
/** Slack for a loaded shared machine: a timeout must fire by its bound plus this. */
const SLACK_MS = 1000;

interface Case {
  name: string;
  script: SimScript;
  code: string | null;
  status?: number | null;
  retryable?: boolean;
  /** Text deltas expected before the error (or the whole text on success). */
  text?: string;
  /** A timeout case: must not fire early. */
  atLeastMs?: number;
  /** When it must be over (default: the first-token timeout). */
  boundMs?: number;
  client?: Partial<LlmClientOptions>;
}

const statusCases: Case[] = [
  { status: 400, code: 'bad_request', retryable: false },
  { status: 401, code: 'unauthorized', retryable: false },
  { status: 402, code: 'payment_required', retryable: false },
  { status: 403, code: 'forbidden', retryable: false },
  { status: 404, code: 'not_found', retryable: false },
  { status: 408, code: 'timeout', retryable: true },
  { status: 429, code: 'rate_limited', retryable: true },
  { status: 500, code: 'upstream_error', retryable: true },
  { status: 502, code: 'upstream_error', retryable: true },
  { status: 503, code: 'upstream_error', retryable: true },
].map((c) => ({ name: `HTTP ${c.status}`, script: { fault: { kind: 'status', status: c.status } }, ...c }));

const streamCases: Case[] = [
  { name: 'connection refused on arrival (no response)', script: { fault: { kind: 'refuse' } }, code: 'connection_reset', text: '' },
  { name: 'connection reset before the first token', script: { fault: { kind: 'reset', afterTokens: 0 } }, code: 'connection_reset', text: '' },
  { name: 'connection reset after three tokens', script: { fault: { kind: 'reset', afterTokens: 3 } }, code: 'connection_reset', text: 'One two three' },
  { name: 'in-band error chunk as the first and only event', script: { fault: { kind: 'error-chunk', afterTokens: 0 } }, code: 'upstream_error', status: 502, text: '' },
  { name: 'in-band error chunk mid-stream', script: { fault: { kind: 'error-chunk', afterTokens: 2, status: 429 } }, code: 'rate_limited', status: 429, text: 'One two' },
  { name: 'one malformed event is skipped (policy: warn and go on)', script: { fault: { kind: 'malformed', afterTokens: 2 } }, code: null, text: TEXT },
  { name: 'a run of malformed events fails', script: { fault: { kind: 'malformed', afterTokens: 2, count: 6 } }, code: 'malformed_event', text: 'One two' },
  { name: 'in-band error after the last token (never treated as success)', script: { fault: { kind: 'error-chunk', afterTokens: 9 } }, code: 'upstream_error', text: TEXT },
  { name: 'connection reset after the last token, before the finish', script: { fault: { kind: 'reset', afterTokens: 9 } }, code: 'connection_reset', text: TEXT },
  { name: 'a malformed event after the last token is skipped', script: { fault: { kind: 'malformed', afterTokens: 9 } }, code: null, text: TEXT },
  { name: 'end without [DONE] or finish, before any token', script: { fault: { kind: 'truncate', afterTokens: 0 } }, code: 'stream_truncated', text: '' },
  { name: 'end without [DONE] or finish, mid-answer', script: { fault: { kind: 'truncate', afterTokens: 4 } }, code: 'stream_truncated', text: 'One two three four' },
  { name: 'end without [DONE] or finish, after the last token', script: { fault: { kind: 'truncate', afterTokens: 9 } }, code: 'stream_truncated', text: TEXT },
  {
    name: 'stall with keepalives only: keepalives do not reset the first-token timer',
    script: { keepaliveEveryMs: 50, fault: { kind: 'stall', afterTokens: 0 } },
    code: 'first_token_timeout',
    text: '',
    atLeastMs: FIRST_TOKEN_MS,
  },
  { name: 'stall with nothing at all', script: { fault: { kind: 'stall', afterTokens: 0 } }, code: 'first_token_timeout', text: '', atLeastMs: FIRST_TOKEN_MS },
  {
    name: 'stall mid-answer with keepalives: keepalives are not progress',
    script: { keepaliveEveryMs: 50, fault: { kind: 'stall', afterTokens: 3 } },
    code: 'idle_timeout',
    text: 'One two three',
    atLeastMs: IDLE_MS,
    boundMs: IDLE_MS + 200,
  },
  {
    name: 'slow answer past the total timeout',
    script: { tokensPerSecond: 4, ttftMs: 0 },
    code: 'total_timeout',
    atLeastMs: 1200,
    boundMs: 1200,
    client: { totalTimeoutMs: 1200 },
  },
  { name: 'a split, slow, keepalive-laden answer still completes', script: { split: 'lines', tokensPerSecond: 200, keepaliveEveryMs: 5 }, code: null, text: TEXT },
];

describe('llm client: every fault ends in text or a typed error within its timeout', () => {
  let r: Rig;
  before(async () => {
    r = await rig(
      { text: TEXT },
      { maxRetries: 0, firstTokenTimeoutMs: FIRST_TOKEN_MS, idleTimeoutMs: IDLE_MS, totalTimeoutMs: TOTAL_MS },
    );
    // One answer first (a few tries): the cases measure fault handling, not the first connection and
    // a cold JIT, which on a loaded 2-core machine can take longer than the first-token timeout itself.
    for (let i = 0; i < 5 && (await collect(r.client.stream(ask('warm up')))).error; i++);
  });
  after(() => r.close());

  const check = (c: Case, gather?: TextGathering) => async () => {
    r.sim.enqueue(c.script);
    const client = c.client ? createLlmClient(clientOptions(r.sim, { maxRetries: 0, ...c.client })) : r.client;
    const result = await collect(client.stream(ask('go'), { gather }));
    if (client !== r.client) await client.close();
    const bound = (c.boundMs ?? FIRST_TOKEN_MS) + SLACK_MS;
    assert.ok(result.elapsedMs < bound, `took ${result.elapsedMs.toFixed(0)} ms (bound ${bound})`);
    if (c.atLeastMs) assert.ok(result.elapsedMs >= c.atLeastMs - 5, `fired early: ${result.elapsedMs.toFixed(0)} ms`);
    if (c.code === null) {
      assert.equal(result.error, null, String(result.error));
      assert.equal(result.parts.at(-1)?.type, 'finish');
    } else {
      assert.ok(result.error, `expected ${c.code}, got success with ${JSON.stringify(result.text)}`);
      assert.equal(result.error.code, c.code, result.error.message);
      assert.equal(result.error.model, 'test-model');
      if (c.status !== undefined) assert.equal(result.error.status, c.status);
      if (c.retryable !== undefined) assert.equal(result.error.retryable, c.retryable);
      assert.ok(!result.parts.some((p) => p.type === 'finish'), 'an error is never followed or preceded by a finish');
    }
    if (c.text !== undefined) assert.equal(result.text, c.text);
    if (gather && result.text) assert.equal(result.parts.filter((p) => p.type === 'text-delta').length, 1, 'all the text, held to the end');
  };
  for (const c of [...statusCases, ...streamCases]) it(c.name, check(c));
  // Holding text back changes how it is cut into deltas, never what arrives or how a stream ends:
  // text held when a stream fails is passed on before the error.
  const holdAll: TextGathering = { ms: 60_000, urgent: () => false };
  for (const c of streamCases.filter((c) => c.text)) it(`${c.name}, with all text held back`, check(c, holdAll));

  it('HTTP errors carry the upstream message', async () => {
    r.sim.enqueue({ fault: { kind: 'status', status: 402, message: 'Insufficient credits' } });
    const { error } = await collect(r.client.stream(ask('go')));
    assert.match(error!.message, /HTTP 402 .*Insufficient credits/);
  });

  it('429 carries Retry-After', async () => {
    r.sim.enqueue({ fault: { kind: 'status', status: 429, retryAfterS: 7 } });
    const { error } = await collect(r.client.stream(ask('go')));
    assert.equal(error!.retryAfterMs, 7000);
  });

  it('the skipped malformed event is logged as a warning', async () => {
    r.sim.enqueue({ fault: { kind: 'malformed', afterTokens: 1 } });
    await collect(r.client.stream(ask('go')));
    assert.match(r.logs(), /"level":40.*skipped a malformed stream event/);
  });

  it('an unreachable server is connection_failed, promptly', async () => {
    const closed = await startSimulator();
    const url = closed.url;
    await closed.close();
    const client = createLlmClient({ ...clientOptions(r.sim, { maxRetries: 0 }), baseUrl: url });
    const { error, elapsedMs } = await collect(client.stream(ask('go')));
    await client.close();
    assert.equal(error?.code, 'connection_failed');
    assert.ok(elapsedMs < 1000);
  });
});
