/** The safe arithmetic language and spoken numbers behind the instant agent. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluate, parseMath, parsePercentOf, MathError, type Expr } from '../../src/agents/words-math.js';
import { readNumber, speakNumber, speakMeasure } from '../../src/numbers.js';

const calc = (text: string): number => {
  const e = parseMath(text);
  assert.ok(e, `parses: ${text}`);
  return evaluate(e);
};

/** English words for a whole number, written independently of the parser under test. */
function toWords(n: number): string {
  const ones = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
    'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
  const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
  const below1000 = (x: number, and: boolean): string[] => {
    const out: string[] = [];
    if (x >= 100) {
      out.push(ones[Math.floor(x / 100)], 'hundred');
      x %= 100;
      if (x && and) out.push('and');
    }
    if (x >= 20) {
      out.push(tens[Math.floor(x / 10)]);
      if (x % 10) out.push(ones[x % 10]);
    } else if (x > 0) out.push(ones[x]);
    return out;
  };
  if (n === 0) return 'zero';
  const words: string[] = [];
  for (const [scale, name] of [[1e9, 'billion'], [1e6, 'million'], [1e3, 'thousand']] as const) {
    if (n >= scale) {
      words.push(...below1000(Math.floor(n / scale), n % 2 === 0), name);
      n %= scale;
    }
  }
  words.push(...below1000(n, n % 3 === 0));
  return words.join(' ');
}

describe('number words', () => {
  it('reads every whole number up to a billion as it is said', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999 }), (n) => {
        const words = toWords(n).split(' ');
        const got = readNumber(words, 0);
        return got !== null && got.value === n && got.next === words.length;
      }),
      { numRuns: 2000 },
    );
  });

  it('reads digits, decimals, halves and "a hundred"', () => {
    const read = (s: string) => readNumber(s.split(' '), 0)?.value ?? null;
    assert.equal(read('3.25'), 3.25);
    assert.equal(read('three point one four'), 3.14);
    assert.equal(read('two and a half'), 2.5);
    assert.equal(read('a hundred'), 100);
    assert.equal(read('a dozen'), 12);
    assert.equal(read('one hundred and five'), 105);
    assert.equal(read('a'), null);
    assert.equal(read('lights'), null);
  });

  it('stops at words that do not continue a number', () => {
    const tokens = 'five and seven'.split(' ');
    assert.deepEqual(readNumber(tokens, 0), { value: 5, next: 1 });
    assert.deepEqual(readNumber('twenty thirty'.split(' '), 0), { value: 20, next: 1 });
  });

  it('says numbers without float noise, exponents or grouping', () => {
    assert.equal(speakNumber(0.1 + 0.2), '0.3');
    assert.equal(speakNumber(1 / 3), '0.3333');
    assert.equal(speakNumber(-0), '0');
    assert.equal(speakNumber(-12.5), 'minus 12.5');
    assert.equal(speakNumber(123456789), '123456789');
    assert.equal(speakNumber(1234.5678), '1234.57');
    assert.equal(speakNumber(2 ** 70), 'about 1.18 times 10 to the power of 21');
    assert.equal(speakNumber(0.0000123), '1.23 times 10 to the power of minus 5');
    assert.equal(speakNumber(Number.NaN), null);
    assert.equal(speakNumber(Infinity), null);
    assert.equal(speakMeasure(8.04672), '8.05');
    assert.equal(speakMeasure(236.588), '237');
    assert.equal(speakMeasure(0.0254), '0.0254');
  });

  it('never says a number with a long tail of digits', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e14, max: 1e14, noNaN: true }), (x) => {
        const s = speakNumber(x)!;
        return !/\d\.\d{5,}/.test(s) && !/e[+-]/.test(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('arithmetic', () => {
  it('follows precedence and associativity', () => {
    assert.equal(calc('2+2*3'), 8);
    assert.equal(calc('(2+3)*4'), 20);
    assert.equal(calc('10 - 4 - 3'), 3);
    assert.equal(calc('100 / 10 / 5'), 2);
    assert.equal(calc('2^3^2'), 512);
    assert.equal(calc('-2^2'), -4);
    assert.equal(calc('2 ** 10'), 1024);
    assert.equal(calc('7 mod 3'), 1);
    assert.equal(calc('12x7'), 84);
  });

  it('understands words', () => {
    assert.equal(calc('twelve times seven'), 84);
    assert.equal(calc("what's 15 percent of 80"), 12);
    assert.equal(calc('the square root of 144'), 12);
    assert.equal(calc('cube root of 27'), 3);
    assert.equal(calc('two to the power of ten'), 1024);
    assert.equal(calc('nine squared'), 81);
    assert.equal(calc('one hundred and five divided by five'), 21);
    assert.equal(calc('subtract 3 from 10'), 7);
    assert.equal(calc('add 2 and 3'), 5);
    assert.equal(calc('multiply 6 by 7'), 42);
    assert.equal(calc('divide 9 by 4'), 2.25);
    assert.equal(calc('half of 80'), 40);
    assert.equal(calc('a quarter of 80'), 20);
    assert.equal(calc('double 21'), 42);
    assert.equal(calc('what is a 20 percent tip on 45'), 9);
    assert.equal(calc('minus five plus two'), -3);
    assert.equal(calc('1,000 times 3'), 3000);
  });

  it('evaluates random expressions exactly as their tree says', () => {
    type Node = { n: number } | { op: '+' | '-' | '*' | '/'; a: Node; b: Node };
    const node: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ n: fc.integer({ min: 0, max: 999 }) }),
        fc.record({ op: fc.constantFrom('+', '-', '*', '/'), a: tie('node'), b: tie('node') }),
      ),
    })).node;
    class DivByZero extends Error {}
    const ref = (x: Node): number => {
      if ('n' in x) return x.n;
      const a = ref(x.a);
      const b = ref(x.b);
      if (x.op === '/' && b === 0) throw new DivByZero();
      return x.op === '+' ? a + b : x.op === '-' ? a - b : x.op === '*' ? a * b : a / b;
    };
    const symbols = (x: Node): string => ('n' in x ? String(x.n) : `(${symbols(x.a)} ${x.op} ${symbols(x.b)})`);
    fc.assert(
      fc.property(node, (x) => {
        const e = parseMath(symbols(x));
        if ('n' in x) return e === null; // a bare number is not a question for the calculator
        assert.ok(e);
        let expected: number;
        try {
          expected = ref(x);
        } catch {
          assert.throws(() => evaluate(e), MathError);
          return true;
        }
        return evaluate(e) === expected;
      }),
      { numRuns: 1000 },
    );
  });

  it('reads two-number questions in words the same as in symbols', () => {
    const words = { '+': 'plus', '-': 'minus', '*': 'times', '/': 'divided by' } as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.constantFrom('+', '-', '*', '/'), fc.integer({ min: 1, max: 9999 }), (a, op, b) => {
        const spoken = `what is ${toWords(a)} ${words[op as keyof typeof words]} ${toWords(b)}`;
        return calc(spoken) === calc(`${a} ${op} ${b}`);
      }),
      { numRuns: 500 },
    );
  });

  it('gives a speakable reason for impossible arithmetic', () => {
    assert.throws(() => calc('1 / 0'), (e: unknown) => e instanceof MathError && /divide by zero/.test(e.message));
    assert.throws(() => calc('square root of minus 4'), MathError);
    assert.throws(() => calc('5 mod 0'), MathError);
  });

  it('rejects what is not arithmetic', () => {
    for (const text of ['2 +', 'hello', '2 2', '()', '42', 'what is the capital of france', 'turn off the lights', '1e5', '2 + + ', ') 2 (']) {
      assert.equal(parseMath(text), null, text);
    }
    const nested = (n: number) => `${'('.repeat(n)}1${')'.repeat(n)} + 1`;
    assert.equal(evaluate(parseMath(nested(60)) as Expr), 2);
    // Nesting or length nobody says aloud is refused rather than recursed into.
    assert.equal(parseMath(nested(100)), null);
    assert.equal(parseMath(`${'- '.repeat(100)}1 + 1`), null);
    assert.equal(parseMath(`${'1 + '.repeat(200)}1`), null);
    assert.equal(parseMath(`${'('.repeat(100_000)}1`), null);
  });

  it('finds the share in "what percent of" questions', () => {
    assert.deepEqual(parsePercentOf('what percent of 200 is 50'), { part: 50, whole: 200 });
    assert.deepEqual(parsePercentOf('30 is what percentage of 120'), { part: 30, whole: 120 });
    assert.deepEqual(parsePercentOf('what percentage is 3 out of 4'), { part: 3, whole: 4 });
    assert.equal(parsePercentOf('what percent of people like cats'), null);
  });
});
