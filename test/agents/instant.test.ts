/** The instant agent end to end: routed utterance in, one spoken sentence out. */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { createInstantAgent } from '../../src/agents/instant.js';
import { createRouter } from '../../src/agents/router.js';
import type { Agent, AgentPart, RouteDecision } from '../../src/turn/agent.js';
import { CORPUS } from './router-corpus.js';

const router = createRouter();

/** A fixed sequence of "random" numbers, cycling. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

async function parts(agent: Agent, text: string, now = new Date('2026-11-25T17:05:00Z'), route?: RouteDecision): Promise<AgentPart[]> {
  const out: AgentPart[] = [];
  const ctx = { request: { text }, conversationId: 'c1', route: route ?? router.classify(text), history: [], signal: new AbortController().signal, now };
  for await (const p of agent.run(ctx)) out.push(p);
  return out;
}

async function say(agent: Agent, text: string, now?: Date): Promise<string> {
  const route = router.classify(text);
  assert.equal(route.agent, 'instant', `${text} routes to the instant agent`);
  const out = await parts(agent, text, now, route);
  assert.equal(out.length, 1, 'exactly one part');
  const [p] = out;
  assert.ok(p.type === 'chunk' && p.done, 'a single done chunk');
  return p.text;
}

describe('instant agent', () => {
  const london = createInstantAgent({ timeZone: 'Europe/London' });

  it('is the instant kind', () => assert.equal(london.kind, 'instant'));

  it('tells the time in its configured zone', async () => {
    assert.equal(await say(london, 'what time is it'), "It's 5:05 PM.");
    assert.equal(await say(london, 'what time is it', new Date('2026-11-25T17:00:00Z')), "It's 5 PM.");
    assert.equal(await say(createInstantAgent({ timeZone: 'America/New_York' }), 'what time is it'), "It's 12:05 PM.");
    assert.equal(await say(createInstantAgent({ timeZone: 'Asia/Kolkata' }), "what's the time"), "It's 10:35 PM.");
  });

  it('tells the time in the big cities and single-zone countries of the world', async () => {
    assert.equal(await say(london, 'what time is it in Tokyo?'), "It's 2:05 AM in Tokyo.");
    assert.equal(await say(london, "what's the time in new york right now"), "It's 12:05 PM in New York.");
    assert.equal(await say(london, 'time in india'), "It's 10:35 PM in India.");
    assert.equal(router.classify('what time is it in Middle Earth').agent, 'interaction');
  });

  it('tells the date and weekday where the user is, not where the server is', async () => {
    const tokyo = createInstantAgent({ timeZone: 'Asia/Tokyo' });
    assert.equal(await say(london, "what's the date today"), 'Today is Wednesday, November 25, 2026.');
    assert.equal(await say(tokyo, "what's the date today", new Date('2026-11-25T17:05:00Z')), 'Today is Thursday, November 26, 2026.');
    assert.equal(await say(tokyo, 'what day is it'), "It's Thursday.");
    assert.equal(await say(london, "what's tomorrow's date"), 'Tomorrow is Thursday, November 26, 2026.');
    assert.equal(await say(london, 'what day was yesterday'), 'Yesterday was Tuesday.');
  });

  it('reads which day is asked about wherever the sentence puts it, in any tense', async () => {
    for (const q of ['what day is it tomorrow', 'what day will it be tomorrow', 'which day will tomorrow be', 'what day of the week is it tomorrow']) {
      assert.equal(await say(london, q), 'Tomorrow is Thursday.', q);
    }
    for (const q of ['what day was it yesterday', 'which day was yesterday']) assert.equal(await say(london, q), 'Yesterday was Tuesday.', q);
    assert.equal(await say(london, 'what date is it tomorrow'), 'Tomorrow is Thursday, November 26, 2026.');
    assert.equal(await say(london, 'what date was it yesterday'), 'Yesterday was Tuesday, November 24, 2026.');
    // A day that is not today, tomorrow or yesterday is the model's to work out.
    for (const q of ['what day is christmas this year', 'what day was it when we met', 'what day is it tomorrow in the story']) {
      assert.equal(router.classify(q).agent, 'interaction', q);
    }
  });

  it('counts calendar days across daylight-saving changes and year ends', async () => {
    const ny = createInstantAgent({ timeZone: 'America/New_York' });
    // 23:30 on the 23-hour day clocks spring forward (8 March 2026): tomorrow is the 9th.
    assert.equal(await say(ny, 'what day is tomorrow', new Date('2026-03-09T03:30:00Z')), 'Tomorrow is Monday.');
    // 00:30 on the 25-hour day clocks fall back (1 November 2026): yesterday is 31 October.
    assert.equal(await say(ny, 'what was the date yesterday', new Date('2026-11-01T04:30:00Z')), 'Yesterday was Saturday, October 31, 2026.');
    assert.equal(await say(london, "what's tomorrow's date", new Date('2026-12-31T23:59:00Z')), 'Tomorrow is Friday, January 1, 2027.');
  });

  it('does arithmetic in words and symbols, and says it back', async () => {
    const cases: [string, string][] = [
      ["what's 15 percent of 80", '15 percent of 80 is 12.'],
      ['twelve times seven', '12 times 7 is 84.'],
      ['square root of 144', 'The square root of 144 is 12.'],
      ['what is 2+2*3', "That's 8."],
      ['what is 0.1 plus 0.2', '0.1 plus 0.2 is 0.3.'],
      ['what is 10 divided by 3', '10 divided by 3 is about 3.3333.'],
      ['subtract 8 from 50', '50 minus 8 is 42.'],
      ['what is minus 5 times 3', 'Minus 5 times 3 is minus 15.'],
      ['what percent of 200 is 50', '50 is 25 percent of 200.'],
      ['what is 7 divided by 0', "You can't divide by zero."],
      ['what is 2 to the power of 100', '2 to the power of 100 is about 1.27 times 10 to the power of 30.'],
    ];
    for (const [q, a] of cases) assert.equal(await say(london, q), a, q);
  });

  it('converts units in spoken style', async () => {
    const cases: [string, string][] = [
      ['convert 5 miles to kilometers', '5 miles is about 8.05 kilometers.'],
      ['how many feet are in a mile', 'There are 5280 feet in a mile.'],
      ['how many grams in an ounce', 'There are about 28.3 grams in an ounce.'],
      ["what's 100 fahrenheit in celsius", '100 degrees Fahrenheit is about 37.8 degrees Celsius.'],
      ['what is 20 degrees celsius in fahrenheit', '20 degrees Celsius is 68 degrees Fahrenheit.'],
      ['convert 1 kilogram to grams', '1 kilogram is 1000 grams.'],
      ['convert 5 miles to pounds', "I can't convert miles to pounds: they measure different things."],
    ];
    for (const [q, a] of cases) assert.equal(await say(london, q), a, q);
  });

  it('greets, thanks and says what it can do, by name', async () => {
    const jeeves = createInstantAgent({ timeZone: 'UTC', assistantName: 'Jeeves', random: () => 0 });
    assert.equal(await say(jeeves, 'good morning'), 'Good morning! What can I do for you?');
    assert.equal(await say(jeeves, 'how are you'), "I'm doing well, thanks for asking. How can I help?");
    assert.equal(await say(jeeves, 'hello'), 'Hello! What can I do for you?');
    assert.equal(await say(jeeves, 'thank you'), "You're welcome.");
    assert.match(await say(jeeves, 'what can you do'), /^I'm Jeeves\. I can .*lights.*thermostat.*time.*math.*coin/);
  });

  it('flips coins and rolls dice with the given chance', async () => {
    assert.equal(await say(createInstantAgent({ timeZone: 'UTC', random: () => 0.2 }), 'flip a coin'), "It's heads.");
    assert.equal(await say(createInstantAgent({ timeZone: 'UTC', random: () => 0.7 }), 'flip a coin'), "It's tails.");
    const dice = createInstantAgent({ timeZone: 'UTC', random: sequence(0, 0.5, 0.999999) });
    assert.equal(await say(dice, 'roll a die'), 'You rolled a 1.');
    assert.equal(await say(dice, 'roll two dice'), 'You rolled 4 and 6, for a total of 10.');
    assert.equal(await say(dice, 'roll a d20'), 'You rolled a 1 on a 20-sided die.');
    assert.equal(await say(dice, 'roll 3d6'), 'You rolled 4, 6 and 1, for a total of 11.');
    const d20 = createInstantAgent({ timeZone: 'UTC', random: () => 0.5 });
    assert.equal(await say(d20, 'roll a twenty sided die'), 'You rolled an 11 on a 20-sided die.');
    assert.equal(await say(dice, 'roll 500d6'), 'I can roll up to 20 dice with 2 to 1000 sides each.');
  });

  it('keeps every roll on the die', async () => {
    const agent = createInstantAgent({ timeZone: 'UTC' });
    for (let i = 0; i < 200; i++) {
      const n = Number(/rolled an? (\d+)/.exec(await say(agent, 'roll a d20'))?.[1]);
      assert.ok(Number.isInteger(n) && n >= 1 && n <= 20, String(n));
    }
  });

  it('says briefly when it cannot answer after all', async () => {
    const out = await parts(london, 'what is the meaning of life', undefined, { agent: 'instant', intent: 'math.evaluate', confidence: 0.9 });
    assert.deepEqual(out, [{ type: 'chunk', text: "Sorry, I couldn't work that out.", done: true }]);
    const other = await parts(london, 'sing', undefined, { agent: 'instant', intent: 'weather.now', confidence: 0.9 });
    assert.equal(other.length, 1);
    assert.match((other[0] as { text: string }).text, /^Sorry/);
  });

  // How fast (microseconds per routed answer): bench/router.ts ("instant: route + answer").
  it('answers every instant utterance of the corpus in plain speakable text', async () => {
    const agent = createInstantAgent({ timeZone: 'Europe/Berlin' });
    const texts = CORPUS.filter((c) => c.agent === 'instant').map((c) => c.text);
    for (const text of texts) {
      const answer = await say(agent, text);
      assert.ok(answer.length > 0 && answer.length < 300, text);
      assert.doesNotMatch(answer, /[*#_`[\]{}<>|\\=^+]|\d\.\d{5,}|e[+-]\d|NaN|undefined|Infinity/, `${text} → ${answer}`);
      assert.match(answer, /[.!?]$/, `${text} → ${answer}`);
    }
  });

  it('rejects an unknown time zone when created, not mid-turn', () => {
    assert.throws(() => createInstantAgent({ timeZone: 'Mars/Olympus_Mons' }), RangeError);
  });
});
