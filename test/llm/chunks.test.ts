/** The pure chunk reader, named after the behaviours the wire protocol requires. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkReader, MAX_MALFORMED, normalizeUsage } from '../../src/llm/chunks.js';
import { LlmError, parseRetryAfter, upstreamMessage } from '../../src/llm/errors.js';
import { redact } from '../../src/redact.js';
import { backoffMs } from '../../src/llm/options.js';
import type { StreamPart } from '../../src/llm/types.js';

const chunk = (delta: object, extra: object = {}) =>
  JSON.stringify({ id: 'gen-1', model: 'm/x', choices: [{ index: 0, delta, finish_reason: null }], ...extra });

function feed(reader: ChunkReader, ...events: string[]): StreamPart[] {
  const out: StreamPart[] = [];
  for (const e of events) reader.push(e, out);
  return out;
}

describe('chunk reader', () => {
  it('turns content deltas into text parts and reports them as tokens', () => {
    const reader = new ChunkReader('m');
    const out: StreamPart[] = [];
    assert.equal(reader.push(chunk({ role: 'assistant', content: 'Hi' }), out), true);
    assert.deepEqual(out, [{ type: 'text-delta', text: 'Hi' }]);
    assert.equal(reader.generationId, 'gen-1');
    assert.equal(reader.model, 'm/x');
  });

  it('does not count an empty role-only delta as a token', () => {
    const reader = new ChunkReader('m');
    const out: StreamPart[] = [];
    assert.equal(reader.push(chunk({ role: 'assistant', content: '' }), out), false);
    assert.deepEqual(out, []);
  });

  it('keeps reasoning apart from text (reasoning and reasoning_content)', () => {
    const parts = feed(new ChunkReader('m'), chunk({ reasoning: 'think' }), chunk({ reasoning_content: 'more' }), chunk({ content: 'say' }));
    assert.deepEqual(parts, [
      { type: 'reasoning-delta', text: 'think' },
      { type: 'reasoning-delta', text: 'more' },
      { type: 'text-delta', text: 'say' },
    ]);
  });

  it('passes tool-call deltas through with their index', () => {
    const parts = feed(
      new ChunkReader('m'),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'lights', arguments: '{"on":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'true}' } }] }),
    );
    assert.deepEqual(parts, [
      { type: 'tool-call-delta', index: 0, id: 'call_1', name: 'lights', arguments: '{"on":' },
      { type: 'tool-call-delta', index: 0, arguments: 'true}' },
    ]);
  });

  it('a whole chat.completion (server ignored stream: true) reads as one delta', () => {
    const reader = new ChunkReader('m');
    const parts = feed(
      reader,
      JSON.stringify({ id: 'c1', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi all' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } }),
    );
    assert.deepEqual(parts, [{ type: 'text-delta', text: 'Hi all' }]);
    assert.equal(reader.finishReason, 'stop');
    assert.equal(reader.usage?.completion_tokens, 2);
  });

  it('a 200 JSON body with only an error is an error', () => {
    assert.throws(() => new ChunkReader('m').push('{"error":{"code":500,"message":"boom"}}', []), (e: unknown) => e instanceof LlmError && e.status === 500);
  });

  it('[DONE] ends the stream and later events are ignored', () => {
    const reader = new ChunkReader('m');
    feed(reader, chunk({ content: 'a' }), '[DONE]');
    assert.equal(reader.done, true);
    assert.deepEqual(feed(reader, chunk({ content: 'late' })), []);
  });

  it('a usage-only final chunk with empty choices is read, and emitted at the end', () => {
    const reader = new ChunkReader('m');
    feed(
      reader,
      chunk({ content: 'a' }),
      JSON.stringify({ id: 'gen-1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      JSON.stringify({
        id: 'gen-1',
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, cost: 0.00042, completion_tokens_details: { reasoning_tokens: 1 }, prompt_tokens_details: { cached_tokens: 4 } },
      }),
      '[DONE]',
    );
    const out: StreamPart[] = [];
    reader.end(out);
    assert.deepEqual(out, [
      { type: 'usage', usage: { prompt_tokens: 10, completion_tokens: 3, reasoning_tokens: 1, cached_tokens: 4, total_tokens: 13, cost_usd: 0.00042 } },
    ]);
    assert.equal(reader.finishReason, 'stop');
  });

  it('usage without cost (non-OpenRouter servers) has cost_usd null', () => {
    assert.equal(normalizeUsage({ prompt_tokens: 1, completion_tokens: 2 }).cost_usd, null);
    assert.equal(normalizeUsage({ prompt_tokens: 1, completion_tokens: 2 }).total_tokens, 3);
  });

  it("an in-band error chunk (error + finish_reason 'error') throws, even as the first and only event", () => {
    const reader = new ChunkReader('m');
    const event = JSON.stringify({
      id: 'gen-1',
      error: { code: 502, message: 'Provider disconnected' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    });
    assert.throws(
      () => reader.push(event, []),
      (e: unknown) => e instanceof LlmError && e.code === 'upstream_error' && e.status === 502 && e.retryable && /Provider disconnected/.test(e.message),
    );
  });

  it("finish_reason 'error' without an error object is still an error, never success", () => {
    assert.throws(() => new ChunkReader('m').push(JSON.stringify({ choices: [{ delta: {}, finish_reason: 'error' }] }), []), LlmError);
  });

  it('an in-band 429 maps to rate_limited', () => {
    assert.throws(
      () => new ChunkReader('m').push(JSON.stringify({ error: { code: 429, message: 'slow down' }, choices: [] }), []),
      (e: unknown) => e instanceof LlmError && e.code === 'rate_limited',
    );
  });

  it(`skips up to ${MAX_MALFORMED} malformed events with a warning, then fails`, () => {
    const warnings: number[] = [];
    const reader = new ChunkReader('m', { onMalformed: (_d, n) => warnings.push(n) });
    for (let i = 0; i < MAX_MALFORMED; i++) assert.equal(reader.push('{"broken', []), false);
    assert.deepEqual(feed(reader, chunk({ content: 'ok' })), [{ type: 'text-delta', text: 'ok' }]);
    assert.throws(() => reader.push('null', []), (e: unknown) => e instanceof LlmError && e.code === 'malformed_event');
    assert.deepEqual(warnings, [1, 2, 3, 4]);
  });

  it('a stream that ends without [DONE] or a finish reason is truncated, not silently complete', () => {
    const reader = new ChunkReader('m');
    feed(reader, chunk({ content: 'half an ans' }));
    assert.throws(() => reader.end([]), (e: unknown) => e instanceof LlmError && e.code === 'stream_truncated');
  });

  it('a finish reason without [DONE] is a complete stream (some servers omit [DONE])', () => {
    const reader = new ChunkReader('m');
    feed(reader, JSON.stringify({ choices: [{ delta: { content: 'x' }, finish_reason: 'length' }] }));
    const out: StreamPart[] = [];
    reader.end(out);
    assert.equal(reader.finishReason, 'length');
  });
});

describe('error helpers', () => {
  it('reads the message from OpenRouter and OpenAI error bodies', () => {
    assert.equal(upstreamMessage('{"error":{"code":429,"message":"Rate limit exceeded"}}'), 'Rate limit exceeded');
    assert.equal(upstreamMessage('{"error":"model not found"}'), 'model not found');
    assert.equal(upstreamMessage('<html>Bad Gateway</html>'), '<html>Bad Gateway</html>');
  });

  it('Retry-After: seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 7_000), 3000);
    assert.equal(parseRetryAfter('soon'), null);
    assert.equal(parseRetryAfter(undefined), null);
  });

  it('redacts the key and anything shaped like a bearer token', () => {
    assert.equal(redact('bad key my-secret-value here', ['my-secret-value']), 'bad key [redacted] here');
    assert.equal(redact('Incorrect API key provided: sk-abcdef123456'), 'Incorrect API key provided: [redacted]');
  });

  it('backoff grows exponentially with jitter and never undercuts Retry-After', () => {
    assert.equal(backoffMs(0, 100, null, () => 0), 50);
    assert.equal(backoffMs(0, 100, null, () => 1), 100);
    assert.equal(backoffMs(3, 100, null, () => 1), 800);
    assert.equal(backoffMs(0, 100, 2000, () => 1), 2000);
  });
});
