/**
 * A speech engine that breaks mid-answer: the turn still completes with its whole text, a
 * `tts_failed` error says speech stopped, `spoken_text` holds only what was spoken, and every
 * `speech.start` is closed by its `speech.end` or named by the error.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createFliteEngine, createSpeechStage } from '../../src/speech/index.js';
import type { TtsEngine } from '../../src/speech/types.js';
import { runTurn, type EventOf, type TurnEvent } from '../../src/turn/index.js';
import { agentsWith, assertWellFormed, collect, fixedRouter, scriptedAgent } from '../support/turn-fixtures.js';

const flite = createFliteEngine({ workers: 1 });
after(() => flite.close());

/** Flite, except that the segment containing `word` fails after its first piece of audio. */
function breaksOn(word: string): TtsEngine {
  return {
    name: 'breaking flite',
    voice: flite.voice,
    async *synthesize(text, opts) {
      let pieces = 0;
      for await (const chunk of flite.synthesize(text, opts)) {
        if (text.includes(word) && pieces++ > 0) throw new Error('the voice server went away');
        yield chunk;
      }
      if (text.includes(word)) throw new Error('the voice server went away');
    },
  };
}

const ofType = <T extends TurnEvent['type']>(events: TurnEvent[], type: T) => events.filter((e) => e.type === type) as EventOf<T>[];

describe('runTurn with speech that fails mid-answer', () => {
  const answer = 'The first sentence is spoken well. The second one breaks the voice. The third is never spoken at all.';
  const run = (engine: TtsEngine, maxFailures: number) => {
    const agent = scriptedAgent('interaction', [
      ...answer.split(/(?<= )/).map((text) => ({ type: 'chunk' as const, text, done: false })),
      { type: 'chunk' as const, text: '', done: true },
    ]);
    const deps = {
      router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 0.9 } as const),
      agents: agentsWith(agent),
      history: () => [],
      speech: createSpeechStage({ engine, maxFailures }),
    };
    return collect(runTurn({ text: 'talk', speak: true }, new AbortController().signal, deps));
  };

  it('completes with the whole text, says speech stopped, and counts only what was spoken', async () => {
    const events = await run(breaksOn('breaks'), 1);
    assertWellFormed(events);
    const end = events.at(-1) as EventOf<'turn.end'>;
    assert.equal(end.status, 'completed');
    assert.equal(end.text, answer);
    const errors = ofType(events, 'error');
    assert.deepEqual(errors.map((e) => e.code), ['tts_failed']);
    assert.match(errors[0].message, /segment 1/);
    assert.equal(end.spoken_text, 'The first sentence is spoken well.');
    // Every started segment is ended, or is the one the error names.
    const ended = new Set(ofType(events, 'speech.end').map((e) => e.segment));
    for (const s of ofType(events, 'speech.start')) assert.ok(ended.has(s.segment) || errors[0].message.includes(`segment ${s.segment}`), `segment ${s.segment} dangles`);
    assert.ok(!ofType(events, 'speech.start').some((s) => s.segment === 2), 'no speech after giving up');
  });
});
