import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { actionCorrector, parseCommands, prepare, splitClauses, type Command } from '../../src/agents/action-parse.js';
import { yesNo } from '../../src/agents/action-memory.js';
import { normalizeWords as normalize } from '../../src/agents/text/normalize.js';
import { wordsToNumbers } from '../../src/numbers.js';
import { closest, editDistance } from '../../src/agents/text/typos.js';
import { assistantNames } from '../../src/agents/text/names.js';

const vocab = actionCorrector(['kitchen', 'porch', 'front', 'door', 'bedroom', 'living', 'room', 'lamp', 'desk', 'coffee', 'maker', 'movie', 'night']);
const parse = (t: string): Command[] => {
  const r = parseCommands(t, vocab);
  assert.ok(r.ok, `${t}: ${JSON.stringify(r)}`);
  return r.commands;
};

describe('text helpers', () => {
  it('normalize: case, contractions, percent and degree signs, punctuation', () => {
    assert.equal(normalize("What's the Kitchen at? 30%!"), 'what is the kitchen at 30 percent');
    assert.equal(normalize('Set it to 21.5°C.'), 'set it to 21.5 degrees celsius');
    assert.equal(normalize('set it to 21,5 degrees, then 1,000 times'), 'set it to 21.5 degrees then 1000 times');
    assert.equal(normalize('Turn on the living-room light…'), 'turn on the living room light');
  });

  it('number words become digits, pronoun "one" does not', () => {
    assert.equal(wordsToNumbers('set it to twenty one degrees'), 'set it to 21 degrees');
    assert.equal(wordsToNumbers('dim to one hundred percent'), 'dim to 100 percent');
    assert.equal(wordsToNumbers('a hundred and two hundred'), '100 and 200');
    assert.equal(wordsToNumbers('nineteen point five'), '19.5');
    assert.equal(wordsToNumbers('turn on the other one'), 'turn on the other one');
    assert.equal(wordsToNumbers('one percent'), '1 percent');
    assert.equal(wordsToNumbers('one hundred and five percent'), '105 percent');
    assert.equal(wordsToNumbers('half brightness'), 'half brightness');
    assert.equal(wordsToNumbers('21 point five degrees'), '21.5 degrees');
  });

  it('edit distance counts adjacent swaps as one edit', () => {
    assert.equal(editDistance('lihgts', 'lights'), 1);
    assert.equal(editDistance('kitchn', 'kitchen'), 1);
    assert.equal(editDistance('trun', 'turn'), 1);
    assert.equal(editDistance('abc', 'xyz'), 3);
    assert.equal(editDistance('porch', 'kitchen', 1), 2, 'stops early past the bound');
  });

  it('closest: within the typo budget, no guess on a tie, short words never corrected', () => {
    assert.equal(closest('kitchn', ['kitchen', 'chicken']), 'kitchen');
    assert.equal(closest('lamb', ['lamp', 'lame']), undefined, 'a tie is no match');
    assert.equal(closest('of', ['off']), undefined);
    assert.equal(closest('garden', ['kitchen', 'porch']), undefined);
  });

  it('yes/no answers, and not a new request that starts with yes', () => {
    for (const y of ['yes', 'Yes please.', 'yeah go ahead', 'sure, do it', 'OK', 'confirm', "yes I'm sure", 'of course']) assert.equal(yesNo(y), 'yes', y);
    for (const n of ['no', 'No thanks', 'nope', 'cancel', "don't", 'never mind', 'no, leave it locked']) assert.equal(yesNo(n), 'no', n);
    for (const other of ['yes turn on the lights', 'ok lock the back door', 'turn on the porch light', '', 'no the kitchen light']) assert.equal(yesNo(other), null, other);
  });
});

describe('the assistant\'s name', () => {
  it('is dropped whatever it is, and Barnabee\'s mishearings always are', () => {
    const porch: Command[] = [{ kind: 'power', action: 'on', target: 'the porch light' }];
    assert.deepEqual(parseCommands('Hey Jarvis, turn on the porch light', vocab, assistantNames('Jarvis')), { ok: true, commands: porch });
    assert.deepEqual(parseCommands('barnaby turn on the porch light please', vocab, assistantNames('Jarvis')), { ok: true, commands: porch });
    assert.equal(yesNo('yes jarvis', assistantNames('Jarvis')), 'yes');
  });
});

describe('clauses', () => {
  it('splits where a new command starts; "and" between targets stays', () => {
    assert.deepEqual(splitClauses('turn off the kitchen lights and lock the front door'), ['turn off the kitchen lights', 'lock the front door']);
    assert.deepEqual(splitClauses('turn off the kitchen and living room lights'), ['turn off the kitchen and living room lights']);
    assert.deepEqual(splitClauses('set the kitchen to 30 percent and the bedroom to 50 percent'), ['set the kitchen to 30 percent', 'set the bedroom to 50 percent']);
    assert.deepEqual(splitClauses('turn on the porch light then is the front door locked'), ['turn on the porch light', 'is the front door locked']);
  });
});

describe('commands', () => {
  const CASES: [string, Command][] = [
    ['turn on the kitchen lights', { kind: 'power', action: 'on', target: 'the kitchen lights' }],
    ['turn the kitchen lights on', { kind: 'power', action: 'on', target: 'the kitchen lights' }],
    ['kitchen lights off', { kind: 'power', action: 'off', target: 'kitchen lights' }],
    ['trun of the porch light', { kind: 'power', action: 'off', target: 'the porch light' }],
    ['could you please switch off the desk lamp for me', { kind: 'power', action: 'off', target: 'the desk lamp' }],
    ['shut down the coffee maker', { kind: 'power', action: 'off', target: 'the coffee maker' }],
    ['toggle the porch light', { kind: 'power', action: 'toggle', target: 'the porch light' }],
    ['activate movie night', { kind: 'power', action: 'on', target: 'movie night' }],
    ['movie night', { kind: 'power', action: 'on', target: 'movie night', implicit: true }],
    ['set the kitchen lights to 30%', { kind: 'brightness', percent: 30, target: 'the kitchen lights' }],
    ['dim the lamp to twenty five percent', { kind: 'brightness', percent: 25, target: 'the lamp' }],
    ['set the kitchen lights to 40', { kind: 'brightness', percent: 40, target: 'the kitchen lights' }],
    ['dim the porch light by 10 percent', { kind: 'brightness', delta: -10, target: 'the porch light' }],
    ['make the porch light brighter', { kind: 'brightness', delta: 25, target: 'porch light' }],
    ['turn down the lights in the bedroom', { kind: 'brightness', delta: -25, target: 'lights in bedroom' }],
    ['set the thermostat to 21', { kind: 'temperature', degrees: 21, target: 'thermostat' }],
    ['make it 19.5 degrees', { kind: 'temperature', degrees: 19.5, target: '' }],
    ['turn up the heat', { kind: 'temperature', delta: 1, target: '' }],
    ['raise the temperature by 2 degrees', { kind: 'temperature', delta: 2, target: 'temperature' }],
    ["it's freezing in here", { kind: 'temperature', delta: 1, target: '' }],
    ['lock the front door', { kind: 'lock', action: 'lock', target: 'the front door' }],
    ['unlcok the front door', { kind: 'lock', action: 'unlock', target: 'the front door' }],
    ['open the garage', { kind: 'cover', action: 'open', target: 'the garage' }],
    ['lock up', { kind: 'lock', action: 'lock', target: '' }],
    ['close the blinds', { kind: 'cover', action: 'close', target: 'the blinds' }],
    ['set the fan to 50 percent', { kind: 'brightness', percent: 50, target: 'the fan' }],
    ['pause the tv', { kind: 'media', action: 'pause', target: 'the tv' }],
    ['play the music in the kitchen', { kind: 'media', action: 'play', target: 'the music the kitchen' }],
    ['skip this song', { kind: 'media', action: 'next', target: '' }],
    ['stop the fan', { kind: 'media', action: 'stop', target: 'the fan' }],
    ['turn the volume up on the tv', { kind: 'volume', step: 'up', target: 'tv' }],
    ['set the tv volume to 30 percent', { kind: 'volume', percent: 30, target: 'tv' }],
    ['turn the volume down by 10 percent', { kind: 'volume', delta: -10, target: '' }],
    ['mute the tv', { kind: 'volume', mute: true, target: 'the tv' }],
    ['unmute the kitchen speaker', { kind: 'volume', mute: false, target: 'the kitchen speaker' }],
  ];
  for (const [text, expected] of CASES) it(text, () => assert.deepEqual(parse(text), [expected]));

  it('compound: two commands in order', () => {
    assert.deepEqual(parse('turn off the kitchen lights and lock the front door'), [
      { kind: 'power', action: 'off', target: 'the kitchen lights' },
      { kind: 'lock', action: 'lock', target: 'the front door' },
    ]);
  });

  it('vague or empty text does not parse', () => {
    for (const t of ['', 'please', 'set the mood', 'do the thing']) assert.equal(parseCommands(t, vocab).ok, false, t);
  });
});

describe('typo correction: the home\'s words and the rules\', never a real word', () => {
  const prepared = (t: string) => prepare(t, vocab);

  it('leaves real English words alone, so they never become verbs or device names', () => {
    assert.equal(prepared('burn the toast'), 'burn the toast');
    assert.equal(prepared('look at the front door'), 'look at the front door', 'not "lock at the front door"');
    assert.equal(prepared('born on the porch'), 'born on the porch');
    assert.equal(prepared('the dog sleeps by the kitten'), 'the dog sleeps by the kitten', '"kitten" is not "kitchen"');
    assert.ok(!parse('look at the front door').some((c) => c.kind === 'lock'));
  });

  it('still resolves typos of the home\'s names and of the rules\' words', () => {
    assert.deepEqual(parse('kichen lights on'), [{ kind: 'power', action: 'on', target: 'kitchen lights' }]);
    assert.deepEqual(parse('turn off the bedrom lamp'), [{ kind: 'power', action: 'off', target: 'the bedroom lamp' }]);
    assert.deepEqual(parse('swithc on the cofee makr'), [{ kind: 'power', action: 'on', target: 'the coffee maker' }]);
  });
});

describe('commas: inside a number they are the number\'s, between clauses they split', () => {
  it('a decimal comma is a decimal point', () => {
    assert.deepEqual(parse('set the thermostat to 21,5'), [{ kind: 'temperature', degrees: 21.5, target: 'thermostat' }]);
    assert.deepEqual(parse('turn the heat up to 21,5 degrees'), [{ kind: 'temperature', degrees: 21.5, target: '' }]);
    assert.deepEqual(parse('dim the desk lamp to 12,5 percent'), [{ kind: 'brightness', percent: 12.5, target: 'the desk lamp' }]);
  });

  it('thousands keep their comma out of the clauses', () => {
    assert.equal(prepare('set the lights to 1,000 lumens', vocab), 'set the lights to 1000 lumens');
    assert.deepEqual(splitClauses(prepare('set the lights to 1,000 lumens', vocab)), ['set the lights to 1000 lumens']);
  });

  it('a comma between targets or clauses still splits, with or without a following "and"', () => {
    assert.deepEqual(parse('turn on the kitchen lights, the hallway lights and the fan'), [
      { kind: 'power', action: 'on', target: 'the kitchen lights and the hallway lights and the fan' },
    ]);
    assert.deepEqual(parse('turn on the porch light, lock the front door'), [
      { kind: 'power', action: 'on', target: 'the porch light' },
      { kind: 'lock', action: 'lock', target: 'the front door' },
    ]);
    assert.deepEqual(parse('turn off the lights, and lock the door'), [
      { kind: 'power', action: 'off', target: 'the lights' },
      { kind: 'lock', action: 'lock', target: 'the door' },
    ]);
    assert.deepEqual(parse('set the thermostat to 19,5 degrees; lock the front door'), [
      { kind: 'temperature', degrees: 19.5, target: 'thermostat' },
      { kind: 'lock', action: 'lock', target: 'the front door' },
    ]);
    assert.deepEqual(parse('set the kitchen to 30 percent, the bedroom to 50 percent'), [
      { kind: 'brightness', percent: 30, target: 'the kitchen' },
      { kind: 'brightness', percent: 50, target: 'the bedroom' },
    ]);
    assert.deepEqual(parse('turn on the porch light,, please'), [{ kind: 'power', action: 'on', target: 'the porch light' }]);
  });
});

describe('questions', () => {
  const CASES: [string, Partial<Extract<Command, { kind: 'query' }>>][] = [
    ['is the front door locked?', { ask: 'state', expect: 'locked', target: 'front door' }],
    ['is the garage open', { ask: 'state', expect: 'open', target: 'garage' }],
    ['are the blinds closed', { ask: 'state', expect: 'closed', target: 'blinds' }],
    ['is the kitchen speaker playing', { ask: 'state', expect: 'playing', target: 'kitchen speaker' }],
    ["what's playing in the living room?", { ask: 'playing', target: 'living room' }],
    ['what is playing', { ask: 'playing', target: '' }],
    ['are any lights on?', { ask: 'state', expect: 'on', quantifier: 'any', target: 'lights' }],
    ['are all the doors locked', { ask: 'state', expect: 'locked', quantifier: 'all', target: 'doors' }],
    ['is anything unlocked', { ask: 'state', expect: 'unlocked', quantifier: 'any', target: 'anything' }],
    ['which lights are on', { ask: 'which', expect: 'on', target: 'lights' }],
    ["what's the temperature inside?", { ask: 'temperature' }],
    ['how warm is it', { ask: 'temperature' }],
    ['how bright is the desk lamp', { ask: 'brightness', target: 'desk lamp' }],
    ['tell me if the back door is locked', { ask: 'state', expect: 'locked', target: 'back door' }],
    ['what is the status of the porch light', { ask: 'state', target: 'the porch light' }],
  ];
  for (const [text, expected] of CASES)
    it(text, () => {
      const [c] = parse(text);
      assert.equal(c.kind, 'query');
      for (const [k, v] of Object.entries(expected)) assert.deepEqual((c as Record<string, unknown>)[k], v, `${text}: ${k}`);
    });
});
