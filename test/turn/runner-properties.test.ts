/**
 * Protocol invariants under arbitrary agent behaviour: whatever an agent yields, throws or blocks
 * on, and whenever the turn is aborted, the stream is numbered without gaps, starts with
 * `turn.start`, closes its text, and ends with exactly one `turn.end` whose text is the chunks'.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runTurn, type EventOf, type TurnEvent } from '../../src/turn/index.js';
import { agentsWith, assertWellFormed, fixedRouter, scriptedAgent, textSpeech, type Step } from '../support/turn-fixtures.js';

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('chunk' as const), text: fc.string({ maxLength: 6 }), done: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ type: 'usage' as const, model: 'm', prompt_tokens: 1, completion_tokens: 1, cost_usd: null }) },
  { weight: 1, arbitrary: fc.constant({ type: 'error' as const, code: 'x', message: 'x', retryable: false }) },
  { weight: 1, arbitrary: fc.constant({ type: 'model.timing' as const, model: 'm', ttft_ms: 1, tokens_per_s: 2 }) },
  { weight: 1, arbitrary: fc.constant({ type: 'action' as const, service: 'light.turn_on', target: 'light.a', ok: true, detail: '' }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((wait) => ({ wait })) },
  { weight: 1, arbitrary: fc.constant({ throw: new Error('agent broke') }) },
  { weight: 1, arbitrary: fc.constant({ block: true as const }) },
);

describe('runTurn properties', () => {
  it('every turn is well formed, whatever the agent does and whenever it is aborted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 12 }),
        fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
        fc.boolean(),
        fc.boolean(),
        async (steps, abortAfter, ignoreAbort, speak) => {
          const agent = scriptedAgent('interaction', steps, { ignoreAbort });
          const controller = new AbortController();
          // A blocked agent with no abort coming would hang the turn (the caller's choice, not a
          // case), so a turn whose agent may block is also aborted by a timer.
          const timer = steps.some((s) => 'block' in s) ? setTimeout(() => controller.abort(), 3) : undefined;
          const abortAt = abortAfter;
          const events: TurnEvent[] = [];
          for await (const e of runTurn({ text: 'go', speak }, controller.signal, {
            router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 1 }),
            agents: agentsWith(agent),
            speech: textSpeech(),
            history: () => [],
          })) {
            events.push(e);
            if (abortAt !== null && events.length - 1 >= abortAt) controller.abort();
          }
          clearTimeout(timer);
          assertWellFormed(events);
          const end = events.at(-1) as EventOf<'turn.end'>;
          const chunkText = events.map((e) => (e.type === 'chunk' ? e.text : '')).join('');
          assert.equal(end.text, chunkText);
          assert.ok(!events.some((e) => (e.type as string) === 'model.timing'));
          if (end.status === 'completed') assert.ok(!events.some((e) => e.type === 'error'));
          if (!controller.signal.aborted && steps.some((s) => 'throw' in s)) {
            const before = steps.slice(0, steps.findIndex((s) => 'throw' in s));
            if (!before.some((s) => 'block' in s)) assert.equal(end.status, 'failed');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
