import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { createSimulatedHome } from '../../src/agents/home/index.js';
import { createRouter } from '../../src/agents/router.js';
import { homeVocabulary } from '../../src/agents/router-vocabulary.js';
import { CORPUS, type Labelled } from './router-corpus.js';

// The corpus speaks of the default simulated house: its lights, rooms, coffee maker and scenes.
const house = homeVocabulary(await createSimulatedHome().listEntities());
const router = createRouter({ vocabulary: () => house });

function misses(pick: (c: Labelled) => boolean, check: (c: Labelled) => boolean): Labelled[] {
  return CORPUS.filter(pick).filter((c) => !check(c));
}

describe('router corpus', () => {
  it('has at least 300 varied utterances covering every agent', () => {
    assert.ok(CORPUS.length >= 300, `corpus has ${CORPUS.length}`);
    assert.equal(new Set(CORPUS.map((c) => c.text.toLowerCase())).size, CORPUS.length, 'no duplicates');
    for (const agent of ['instant', 'action', 'interaction'] as const) {
      assert.ok(CORPUS.filter((c) => c.agent === agent).length >= 60, `${agent} is well represented`);
    }
  });

  it('routes at least 95% of the corpus to the right agent', () => {
    const wrong = misses(() => true, (c) => router.classify(c.text).agent === c.agent);
    for (const c of wrong) {
      const d = router.classify(c.text);
      console.log(`  misrouted: ${JSON.stringify(c.text)} → ${d.agent} ${d.intent} ${d.confidence} (want ${c.agent})`);
    }
    const accuracy = 1 - wrong.length / CORPUS.length;
    console.log(`  agent accuracy ${(accuracy * 100).toFixed(1)}% over ${CORPUS.length} utterances`);
    assert.ok(accuracy >= 0.95, `agent accuracy ${accuracy}`);
  });

  it('names the expected intent for at least 95% of labelled utterances', () => {
    const labelled = CORPUS.filter((c) => c.intent);
    const wrong = misses((c) => !!c.intent, (c) => router.classify(c.text).intent === c.intent);
    for (const c of wrong) console.log(`  wrong intent: ${JSON.stringify(c.text)} → ${router.classify(c.text).intent} (want ${c.intent})`);
    assert.ok(1 - wrong.length / labelled.length >= 0.95, `${wrong.length} of ${labelled.length} wrong`);
  });
});

describe('router rules', () => {
  const route = (text: string) => router.classify(text);

  it('sends compound home commands to the action agent', () => {
    assert.equal(route('turn off the kitchen lights and lock the front door').agent, 'action');
    assert.equal(route('turn off the kitchen lights and lock the front door').intent, 'home.command');
  });

  it('sends two things an instant agent cannot do at once to the interaction agent', () => {
    assert.deepEqual(
      { agent: route('what time is it and tell me a joke').agent, intent: route('what time is it and tell me a joke').intent },
      { agent: 'interaction', intent: 'chat' },
    );
    assert.equal(route('what time is it').agent, 'instant');
    assert.equal(route('tell me a joke').agent, 'interaction');
  });

  it('tells questions about commands from commands', () => {
    for (const text of ['how do I turn on a light in Minecraft', 'what does turn on mean', 'tell me about the lock screen']) {
      assert.equal(route(text).agent, 'interaction', text);
    }
    for (const text of ['can you turn on the light', 'could you please lock the front door?', 'is the front door locked?']) {
      assert.equal(route(text).agent, 'action', text);
    }
    assert.equal(route('is the front door locked?').intent, 'home.query');
  });

  it('sends fans, covers and media players to the action agent, but talk about music to the model', () => {
    const commands = [
      'turn on the fan', 'set the fan to 50 percent', 'open the blinds', 'close the blinds', 'set the blinds to 30 percent', 'open the garage',
      'close the garage door', 'pause the TV', 'play the music in the kitchen', 'turn the volume up on the TV', 'set the TV volume to 30 percent',
      'mute the TV', 'skip this song', 'stop the music', 'make the tv louder',
    ];
    for (const text of commands) assert.deepEqual([route(text).agent, route(text).intent], ['action', 'home.command'], text);
    for (const text of ['is the garage door open?', 'are the blinds closed?', 'is the TV on?', "what's playing in the living room?", 'is the kitchen speaker playing'])
      assert.deepEqual([route(text).agent, route(text).intent], ['action', 'home.query'], text);
    for (const text of ['play some jazz', 'sing me a song', 'do you like music', 'what is the volume of a sphere', 'play a song by the beatles'])
      assert.equal(route(text).agent, 'interaction', text);
  });

  it('forgives typos, and is a little less sure about them', () => {
    const clean = route('turn on the kitchen lights');
    const typo = route('trun on the kitchen lihgts');
    assert.equal(typo.agent, 'action');
    assert.equal(typo.intent, 'home.command');
    assert.ok(typo.confidence < clean.confidence, `${typo.confidence} < ${clean.confidence}`);
    assert.equal(route('turn of the lights').intent, 'home.command');
    // A real "of" stays: "the power of" is arithmetic, not "power off".
    assert.equal(route('what is 2 to the power of 8').intent, 'math.evaluate');
  });

  it('keeps ordinary words that look like typos of keywords', () => {
    assert.equal(route('i got burned by the stove').agent, 'interaction');
    assert.equal(route('what are the nights like in iceland').agent, 'interaction');
  });

  it('answers the names it is given', () => {
    const named = createRouter({ assistantName: 'Jarvis' });
    assert.equal(named.classify('Jarvis, turn on the porch light').intent, 'home.command');
    assert.equal(named.classify('hey jarvis').intent, 'greeting');
  });

  it('gives every decision a known agent, a dotted intent and a confidence in 0..1', () => {
    const odd = ['', '   ', '?!', 'and and and', ', , ,', '🙂', 'a'.repeat(4000), 'turn', 'lock', '1 +', '((((', 'what is', '0/0'];
    for (const text of [...odd, ...CORPUS.map((c) => c.text)]) {
      const d = route(text);
      assert.ok(['instant', 'action', 'interaction'].includes(d.agent), text);
      assert.match(d.intent, /^[a-z]+(?:\.[a-z_]+)*$/, text);
      assert.ok(d.confidence >= 0 && d.confidence <= 1, `${text}: ${d.confidence}`);
    }
    assert.equal(route('').agent, 'interaction');
    assert.ok(route('').confidence < 0.6, 'an empty utterance is a guess');
  });

  it('is unsure (below the refine threshold) about commands for things it does not know', () => {
    assert.ok(route('turn on the jacuzzi bubbles').confidence < 0.6);
  });

  // How fast: bench/router.ts ("classify, 4000 chars").
  it('classifies a long utterance', () => {
    const long = `${'please tell me more about the history of the world '.repeat(80)}`.slice(0, 4000);
    const d = route(long);
    assert.equal(d.agent, 'interaction');
    assert.ok(d.confidence >= 0 && d.confidence <= 1);
  });

  it('has no refine without a model', () => {
    assert.equal(router.refine, undefined);
  });
});
