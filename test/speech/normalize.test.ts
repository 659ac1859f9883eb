import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeForSpeech } from '../../src/speech/normalize.js';

const cases = (rows: [string, string][]) => {
  for (const [input, spoken] of rows) it(JSON.stringify(input), () => assert.equal(normalizeForSpeech(input), spoken));
};

describe('normalizeForSpeech', () => {
  describe('markdown becomes plain words', () => {
    cases([
      ['This is **bold** and __strong__.', 'This is bold and strong.'],
      ['This is *italic* and _emphasis_.', 'This is italic and emphasis.'],
      ['***Both*** at once.', 'Both at once.'],
      ['~~struck~~ text', 'text'],
      ['keep ~~the old one~~ the new one', 'keep the new one'],
      ['a ~~ spaced ~~ pair and ~~~ three', 'a spaced pair and three'],
      ['# Title', 'Title'],
      ['## Weather today\nSunny.', 'Weather today. Sunny.'],
      ['- eggs\n- milk\n* bread\n+ jam', 'eggs. milk. bread. jam'],
      ['  - nested item\n    - deeper', 'nested item. deeper'],
      ['1. First\n2. Second', '1. First. 2. Second'],
      ['> Quoted line.\n> > Nested.', 'Quoted line. Nested.'],
      ['Read [the docs](https://example.com/docs "Docs") now.', 'Read the docs now.'],
      ['![a cat](cat.png) sleeps.', 'a cat sleeps.'],
      ['Go to <https://example.com/a>.', 'Go to example.com/a.'],
      ['Run `npm test` now.', 'Run npm test now.'],
      ['Before\n```ts\nconst secret = "x. Y";\n```\nAfter', 'Before. After'],
      ['Before\n~~~\ncode\n~~~\nAfter', 'Before. After'],
      ['Unclosed\n```\ncode to the end', 'Unclosed.'],
      ['A\n````\n```\nstill code\n````\nB', 'A. B'],
      ['Above\n\n---\n\nBelow', 'Above. Below'],
      ['| a | b |\n|---|:--:|\n| 1 | 2 |', 'a b. 1 2'],
      ['snake_case and __init__ stay readable', 'snake_case and init stay readable'],
    ]);
  });

  describe('emoji are dropped', () => {
    cases([
      ['Great job! 🎉🎉', 'Great job!'],
      ['Thumbs 👍🏽 up, flag 🇫🇷, family 👨‍👩‍👧, keycap 1️⃣.', 'Thumbs up, flag, family, keycap 1.'],
      ['Sunny ☀️ today ❤️!', 'Sunny today!'],
    ]);
  });

  describe('symbols are spoken', () => {
    cases([
      ['50% off', '50 percent off'],
      ['It is 72°F or 22°C, a 90° turn.', 'It is 72 degrees Fahrenheit or 22 degrees Celsius, a 90 degrees turn.'],
      ['Tom & Jerry', 'Tom and Jerry'],
      ['$100', '100 dollars'],
      ['$100.00 and $1 and $0.01', '100 dollars and 1 dollar and 0 dollars and 1 cent'],
      ['$3.50, $3.5, €20, £2.50', '3 dollars and 50 cents, 3 dollars and 50 cents, 20 euros, 2 pounds and 50 pence'],
      ['$1.5 million, $20k, $3bn', '1.5 million dollars, 20 thousand dollars, 3 billion dollars'],
      ['2 + 2 and C++', '2 plus 2 and C plus plus'],
      ['6*7', '6 times 7'],
      ['#1 and ~30', 'number 1 and about 30'],
      ['1990–2000', '1990 to 2000'],
      ['Paris—the capital—is big', 'Paris, the capital, is big'],
      ['well -- so - yes', 'well, so, yes'],
      ['https://example.com/a and http://b.org', 'example.com/a and b.org'],
    ]);
  });

  describe('white space and stray marks', () => {
    cases([
      ['  lots   of \t space  ', 'lots of space'],
      ['Done . Next', 'Done. Next'],
      ['(50% )', '(50 percent)'],
      ['Done. - Next', 'Done. Next'],
      ['', ''],
      ['🎉 ✅ --- **', ''],
      ['Line one\r\nLine two', 'Line one. Line two'],
    ]);
  });

  it('leaves plain sentences alone', () => {
    const plain = 'Dr. Smith arrived at 5:30 p.m. with 3.5 kg of apples, e.g. Gala; it was fine.';
    assert.equal(normalizeForSpeech(plain), plain);
  });
});
