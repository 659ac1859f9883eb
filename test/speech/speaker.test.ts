import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { chunkText, createFliteEngine, createSpeechStage } from '../../src/speech/index.js';
import type { AgentPart } from '../../src/turn/agent.js';
import type { TurnPart } from '../../src/turn/events.js';
import { pacedEngine } from '../support/tts-paced.js';
import { collect, sleep, streamText, type Timed } from '../support/tts-parts.js';
import { afterImmediate, gate, PROMPT_MS, waitUntil } from '../support/wait.js';

const flite = createFliteEngine({ workers: 3 });
after(() => flite.close());

const ANSWER =
  'Good morning, and welcome back to the show. Today the sky is clear over most of the country. ' +
  'Tomorrow a cold front moves in from the west. Expect rain by the evening, so keep an umbrella close. ' +
  'That is all for now.';

type Out = AgentPart | TurnPart;
const ofType = <T extends Out['type']>(timed: Timed[], type: T) =>
  timed.map((t) => t.part).filter((p): p is Extract<Out, { type: T }> => p.type === type);

/** Checks the speech protocol: per segment start, audio…, end, in segment order, nothing interleaved. */
function assertSpeechOrder(timed: Timed[], expectedTexts: string[]): void {
  const speech = timed.map((t) => t.part).filter((p) => p.type === 'speech.start' || p.type === 'audio' || p.type === 'speech.end');
  let seg = -1;
  let open = false;
  let ms = 0;
  for (const p of speech) {
    if (p.type === 'speech.start') {
      assert.equal(open, false, 'speech.start while a segment is open');
      assert.equal(p.segment, seg + 1, 'segments in order');
      assert.equal(p.text, expectedTexts[p.segment]);
      seg = p.segment;
      open = true;
      ms = 0;
    } else if (p.type === 'audio') {
      assert.equal(open, true);
      assert.equal(p.segment, seg);
      assert.equal(p.encoding, 'pcm_s16le');
      assert.equal(p.channels, 1);
      assert.equal(p.pcm.length % 2, 0);
      ms += (p.pcm.length / 2 / p.sample_rate) * 1000;
    } else {
      assert.equal(open, true);
      assert.equal(p.segment, seg);
      assert.ok(Math.abs(p.duration_ms - ms) <= 1, `duration_ms ${p.duration_ms} matches the audio sent (${ms})`);
      assert.ok(p.duration_ms > 200, 'a real segment has real audio');
      open = false;
    }
  }
  assert.equal(open, false);
  assert.equal(seg, expectedTexts.length - 1, 'every segment spoken');
}

describe('speech stage', () => {
  it('passes every part through in order and speaks each segment in order', async () => {
    const usage: AgentPart = { type: 'usage', model: 'sim', prompt_tokens: 5, completion_tokens: 40, cost_usd: null };
    const parts = streamText(ANSWER, { deltaChars: 7, intervalMs: 2, after: [usage] });
    const timed = await collect(createSpeechStage({ engine: flite })(parts, { signal: new AbortController().signal }));

    const passed = timed.map((t) => t.part).filter((p) => p.type === 'chunk' || p.type === 'usage');
    assert.equal(ofType(timed, 'chunk').map((c) => c.text).join(''), ANSWER);
    assert.equal(passed.at(-1)?.type, 'usage');
    assert.equal(ofType(timed, 'chunk').at(-1)?.done, true);

    const expected = chunkText(ANSWER);
    assert.ok(expected.length >= 5);
    assertSpeechOrder(timed, expected);

    // A segment is announced only after the text that completes it has passed through.
    const types = timed.map((t) => t.part);
    for (const start of ofType(timed, 'speech.start')) {
      const textBefore = types
        .slice(0, types.indexOf(start))
        .filter((p): p is Extract<Out, { type: 'chunk' }> => p.type === 'chunk')
        .map((c) => c.text)
        .join('');
      const words = start.text.split(/\s+/);
      assert.ok(textBefore.includes(words[words.length - 1]), `text of segment ${start.segment} came first`);
    }
  });

  it('cuts audio into parts of 100-200 ms (a segment may end with a shorter one)', async () => {
    const timed = await collect(createSpeechStage({ engine: flite })(streamText(ANSWER), { signal: new AbortController().signal }));
    const audio = ofType(timed, 'audio');
    audio.forEach((a, i) => {
      const ms = (a.pcm.length / 2 / a.sample_rate) * 1000;
      const lastOfSegment = audio[i + 1]?.segment !== a.segment;
      assert.ok(ms <= 200.5, `part ${i} is ${ms} ms`);
      if (!lastOfSegment) assert.ok(ms >= 99.5, `part ${i} is ${ms} ms`);
    });
  });

  // Playback gaps and the time parallel synthesis saves are performance: bench/speech.ts measures
  // them (Flite, and the paced engines below next to a serial baseline). Here: what is spoken,
  // in which order, and how many syntheses run at once.
  it('speaks a long answer whole with a fast engine (Flite)', async () => {
    const parts = streamText(ANSWER, { deltaChars: 5, intervalMs: 5 }); // ≈ a fast model
    const timed = await collect(createSpeechStage({ engine: flite })(parts, { signal: new AbortController().signal }));
    assertSpeechOrder(timed, chunkText(ANSWER));
  });

  it('with an engine at half real time, synthesizes `parallelism` segments ahead', async () => {
    const engine = pacedEngine(flite, { realTimeFactor: 0.5 });
    const text = 'The first one is here. Then comes a second one. A third follows it. And a fourth ends it.';
    const timed = await collect(createSpeechStage({ engine, parallelism: 2 })(streamText(text, { deltaChars: 200 }), { signal: new AbortController().signal }));
    assertSpeechOrder(timed, chunkText(text));
    assert.equal(engine.maxConcurrent, 2, 'two segments in synthesis at once, never more');
    // Segment k+1 was already in synthesis when segment k began to be spoken (from segment 1 on:
    // segment 0 is announced before anything has been synthesized).
    const startsAt = timed.filter((t) => t.part.type === 'speech.start').map((t) => t.at);
    assert.equal(engine.calls.length, startsAt.length);
    for (let k = 1; k + 1 < engine.calls.length; k++) {
      assert.ok(engine.calls[k + 1].startedAt <= startsAt[k]!, `segment ${k + 1} synthesized ahead`);
    }
  });

  it('keeps order with an engine slower than real time, serial or in parallel', async () => {
    const text = 'Red fox. Blue bird. Green frog.';
    for (const parallelism of [1, 3]) {
      const engine = pacedEngine(flite, { realTimeFactor: 1.25 });
      const timed = await collect(createSpeechStage({ engine, parallelism })(streamText(text, { deltaChars: 200 }), { signal: new AbortController().signal }));
      assertSpeechOrder(timed, chunkText(text));
      assert.equal(engine.maxConcurrent, parallelism);
    }
  });

  it('barge-in mid-segment: ends at once, cut segment gets no speech.end, synthesis and upstream are stopped', async () => {
    const engine = pacedEngine(flite, { realTimeFactor: 1 });
    const ac = new AbortController();
    let upstreamClosedAt: number | null = null;
    // The model is still writing when the user interrupts.
    const parts = streamText('Sure thing. ' + ANSWER, {
      deltaChars: 6,
      intervalMs: 30,
      signal: ac.signal,
      onClose: () => (upstreamClosedAt = performance.now()),
    });
    let abortedAt = 0;
    const timed = await collect(createSpeechStage({ engine, parallelism: 2 })(parts, { signal: ac.signal }), (t) => {
      if (!abortedAt && t.part.type === 'audio' && t.part.segment === 1) {
        abortedAt = performance.now();
        ac.abort();
      }
    });
    const endedAt = performance.now();
    assert.ok(abortedAt > 0, 'reached segment 1');
    assert.ok(endedAt - abortedAt < PROMPT_MS, `stage ended ${(endedAt - abortedAt).toFixed(0)} ms after the abort`);
    assert.equal(timed.at(-1)!.part.type, 'audio', 'nothing after the abort');
    const ends = ofType(timed, 'speech.end').map((e) => e.segment);
    assert.deepEqual(ends, [0], 'segment 0 complete, segment 1 cut');
    // Every engine call that was running was told to stop, promptly.
    await waitUntil(() => engine.calls.every((c) => c.outcome !== 'running') && upstreamClosedAt !== null, 'synthesis and the agent stream to stop');
    const cut = engine.calls.filter((c) => c.outcome !== 'completed');
    assert.ok(cut.length >= 1, 'segment 1 was still being synthesized');
    for (const c of cut) {
      assert.equal(c.outcome, 'aborted');
      assert.ok(c.endedAt! - abortedAt < PROMPT_MS, `synthesis stopped ${(c.endedAt! - abortedAt).toFixed(0)} ms after the abort`);
    }
    assert.ok(upstreamClosedAt! - abortedAt < PROMPT_MS, 'the agent stream was closed');
  });

  it('aborts Flite mid-synthesis by stopping its helper process', async () => {
    const engine = createFliteEngine({ workers: 1 });
    try {
      const ac = new AbortController();
      // One very long segment keeps the helper busy long enough to be interrupted.
      const long = 'This sentence goes on and on without any end in sight because it keeps adding words, '.repeat(40);
      // Abort once the synthesis has been handed to the helper (not while it is still queued).
      const handedOver = gate();
      const watched: typeof engine = Object.create(engine, {
        synthesize: {
          value: async function* (text: string, opts: Parameters<typeof engine.synthesize>[1]) {
            handedOver.open();
            yield* engine.synthesize(text, opts);
          },
        },
      });
      const stage = createSpeechStage({ engine: watched, chunker: { firstMinWords: Infinity, firstMaxChars: 10_000, maxChars: 10_000 } });
      const run = collect(stage(streamText(long + '.', { deltaChars: 10_000 }), { signal: ac.signal }));
      await handedOver.promise;
      await afterImmediate(); // the call has reached the pool
      ac.abort();
      const timed = await run;
      assert.equal(ofType(timed, 'speech.end').length, 0);
      assert.equal(ofType(timed, 'audio').length, 0);
      assert.equal(engine.abortedRuns, 1, 'the running synthesis was killed');
    } finally {
      await engine.close();
    }
  });

  it('turns an engine failure into a tts_failed error part; the text and later segments still flow', async () => {
    const engine = pacedEngine(flite, { realTimeFactor: 0.05, failWhen: (t) => t.includes('second') });
    const text = 'This is the first sentence. This is the second sentence. This is the third sentence.';
    const timed = await collect(createSpeechStage({ engine })(streamText(text), { signal: new AbortController().signal }));
    assert.equal(ofType(timed, 'chunk').map((c) => c.text).join(''), text);
    const errors = ofType(timed, 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'tts_failed');
    assert.match(errors[0].message, /segment 1: voice model crashed/);
    assert.deepEqual(ofType(timed, 'speech.end').map((e) => e.segment), [0, 2]);
  });

  it('gives up speaking after repeated failures but still delivers all text', async () => {
    const engine = pacedEngine(flite, { realTimeFactor: 0.05, failWhen: () => true });
    const text = 'One here. Two here. Three here. Four here. Five here. Six here.';
    const timed = await collect(createSpeechStage({ engine, maxFailures: 2 })(streamText(text), { signal: new AbortController().signal }));
    assert.equal(ofType(timed, 'chunk').map((c) => c.text).join(''), text);
    assert.equal(ofType(timed, 'error').length, 2);
    assert.match(ofType(timed, 'error')[1].message, /no more speech/);
    assert.equal(ofType(timed, 'speech.end').length, 0);
    assert.ok(engine.calls.length <= 3, `engine called ${engine.calls.length} times`);
    assert.ok(engine.calls.every((c) => c.outcome !== 'running'));
  });

  it('rethrows an upstream failure after the parts before it, and stops synthesis', async () => {
    const engine = pacedEngine(flite, { realTimeFactor: 1 });
    async function* failing(): AsyncGenerator<AgentPart> {
      yield { type: 'chunk', text: 'A sentence that starts speaking. And then', done: false };
      await sleep(30);
      throw new Error('agent blew up');
    }
    const seen: Out[] = [];
    await assert.rejects(async () => {
      for await (const p of createSpeechStage({ engine })(failing(), { signal: new AbortController().signal })) seen.push(p);
    }, /agent blew up/);
    assert.equal(seen[0].type, 'chunk');
    await waitUntil(() => engine.calls.every((c) => c.outcome !== 'running'), 'no synthesis left running');
    assert.ok(engine.calls.every((c) => c.outcome === 'aborted'), 'stopped, not left to finish');
  });

  it('stops synthesis when the consumer stops reading', async () => {
    const engine = pacedEngine(flite, { realTimeFactor: 1 });
    let closed = false;
    const parts = streamText(ANSWER, { intervalMs: 5, onClose: () => (closed = true) });
    for await (const p of createSpeechStage({ engine })(parts, { signal: new AbortController().signal })) {
      if (p.type === 'audio') break;
    }
    await waitUntil(() => engine.calls.every((c) => c.outcome !== 'running') && closed, 'synthesis and the agent stream to stop');
    assert.ok(engine.calls.length >= 1);
    assert.ok(engine.calls.every((c) => c.outcome === 'aborted'), JSON.stringify(engine.calls.map((c) => c.outcome)));
    assert.equal(closed, true);
  });

  it('rejects bad chunker options when the stage is made, not mid-turn', () => {
    assert.throws(() => createSpeechStage({ engine: flite, chunker: { maxChars: 3 } }), /maxChars/);
  });

  it('ends at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const timed = await collect(createSpeechStage({ engine: flite })(streamText(ANSWER), { signal: ac.signal }));
    assert.equal(timed.length, 0);
  });
});
