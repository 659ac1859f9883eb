/**
 * `turn.end.expects_reply`: a satellite reopens its microphone when the answer asks something —
 * the action agent's confirmation, a model answer ending in a question — and not otherwise.
 * Against the real runtime in demo mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postJson, readNdjson } from '../support/server-clients.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

describe('turn.end expects_reply', () => {
  let h: RealHarness;
  before(async () => {
    h = await startRealHarness();
  });
  after(() => h.close());

  const end = async (text: string) => {
    const events = await readNdjson(await postJson(`${h.url}/api/v1/chat/events`, { text }));
    const last = events.at(-1)!;
    assert.equal(last.type, 'turn.end');
    return last;
  };

  it('is true for the action agent asking to confirm an unlock', async () => {
    const e = await end('unlock the front door');
    assert.match(e.text, /\?$/);
    assert.equal(e.expects_reply, true);
  });

  it('is true for a model answer that ends in a question, quotes and emphasis aside', async () => {
    h.simulator.enqueue({ text: 'I can help with that. Would you like the **short version?**', ttftMs: 1, tokensPerSecond: 5000 });
    assert.equal((await end('tell me about the history of tea')).expects_reply, true);
  });

  it('is false for a statement, and for a question mid-answer', async () => {
    assert.equal((await end('what is 2 plus 2')).expects_reply, false);
    h.simulator.enqueue({ text: 'Why do cats purr? Nobody is quite sure.', ttftMs: 1, tokensPerSecond: 5000 });
    assert.equal((await end('tell me about cats')).expects_reply, false);
  });
});
