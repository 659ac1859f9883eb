/**
 * A small, safe arithmetic language in words and symbols: "twelve times seven", "2+2*3",
 * "square root of 144", "15 percent of 80", "two to the power of ten", "subtract 3 from 10".
 * Lexer → recursive-descent parser → AST → evaluate / say. No eval, no Function.
 */
import { readNumber } from '../numbers.js';

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | 'mod' | 'of';
export type Expr =
  | { k: 'num'; v: number }
  | { k: 'bin'; op: BinaryOp; a: Expr; b: Expr }
  | { k: 'neg'; a: Expr }
  | { k: 'sqrt' | 'cbrt'; a: Expr }
  | { k: 'pow'; a: Expr; n: 2 | 3 }
  | { k: 'pct'; a: Expr }
  | { k: 'group'; a: Expr };

type Tok =
  | { t: 'num'; v: number }
  | { t: 'op'; op: BinaryOp }
  | { t: '(' | ')' | 'sqrt' | 'cbrt' | 'squared' | 'cubed' | '%' };

/** Multi-word operators, longest first within each head word. */
const PHRASES: [string[], Tok][] = [
  [['multiplied', 'by'], { t: 'op', op: '*' }],
  [['divided', 'by'], { t: 'op', op: '/' }],
  [['to', 'the', 'power', 'of'], { t: 'op', op: '^' }],
  [['to', 'the', 'power'], { t: 'op', op: '^' }],
  [['raised', 'to', 'the', 'power', 'of'], { t: 'op', op: '^' }],
  [['raised', 'to'], { t: 'op', op: '^' }],
  [['the', 'square', 'root', 'of'], { t: 'sqrt' }],
  [['square', 'root', 'of'], { t: 'sqrt' }],
  [['square', 'root'], { t: 'sqrt' }],
  [['the', 'cube', 'root', 'of'], { t: 'cbrt' }],
  [['cube', 'root', 'of'], { t: 'cbrt' }],
  [['per', 'cent'], { t: '%' }],
  [['take', 'away'], { t: 'op', op: '-' }],
];
const WORDS: Record<string, Tok> = {
  plus: { t: 'op', op: '+' }, '+': { t: 'op', op: '+' },
  minus: { t: 'op', op: '-' }, '-': { t: 'op', op: '-' }, negative: { t: 'op', op: '-' },
  times: { t: 'op', op: '*' }, x: { t: 'op', op: '*' }, '*': { t: 'op', op: '*' }, '×': { t: 'op', op: '*' },
  over: { t: 'op', op: '/' }, '/': { t: 'op', op: '/' }, '÷': { t: 'op', op: '/' },
  '^': { t: 'op', op: '^' }, mod: { t: 'op', op: 'mod' }, modulo: { t: 'op', op: 'mod' },
  of: { t: 'op', op: 'of' },
  sqrt: { t: 'sqrt' }, squared: { t: 'squared' }, cubed: { t: 'cubed' },
  percent: { t: '%' }, '%': { t: '%' }, '(': { t: '(' }, ')': { t: ')' },
};

/** Verb forms people use instead of operators; rewritten to operator form before lexing. */
const VERB_FORMS: [RegExp, string][] = [
  [/^(.+?) (?:percent|%) tip (?:on|for) (?:a bill of |a check of )?(.+)$/, '( $1 ) % of ( $2 )'],
  [/^(?:add|sum) (.+?) (?:and|to|plus) (.+)$/, '( $1 ) + ( $2 )'],
  [/^(?:the )?sum of (.+?) and (.+)$/, '( $1 ) + ( $2 )'],
  [/^subtract (.+?) from (.+)$/, '( $2 ) - ( $1 )'],
  [/^take (.+?) (?:away )?from (.+)$/, '( $2 ) - ( $1 )'],
  [/^(?:the )?difference between (.+?) and (.+)$/, '( $1 ) - ( $2 )'],
  [/^multiply (.+?) (?:by|and|times|with) (.+)$/, '( $1 ) * ( $2 )'],
  [/^(?:the )?product of (.+?) and (.+)$/, '( $1 ) * ( $2 )'],
  [/^divide (.+?) by (.+)$/, '( $1 ) / ( $2 )'],
  [/^(?:double|twice) (.+)$/, '2 * ( $1 )'],
  [/^triple (.+)$/, '3 * ( $1 )'],
  [/^half of (.+)$/, '0.5 * ( $1 )'],
  [/^(?:a )?third of (.+)$/, '( $1 ) / 3'],
  [/^(?:a )?quarter of (.+)$/, '( $1 ) / 4'],
];

/** Every word the arithmetic language knows (for the router's vocabulary). */
export const MATH_WORDS: readonly string[] = [
  ...new Set([...PHRASES.flatMap(([p]) => p), ...Object.keys(WORDS).filter((w) => /^[a-z]+$/.test(w)), 'add', 'subtract', 'multiply', 'divide', 'sum', 'product', 'difference', 'double', 'twice', 'triple', 'tip']),
];

/** Splits "2+2*3", "15%", "12x7" and "(3+4)" into tokens; words stay whole. */
export function tokenizeMath(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/(\d),(?=\d{3}\b)/g, '$1')
      .replace(/(\d)\s*x\s*(?=\d)/g, '$1 x ')
      .replace(/\*\*/g, '^')
      .match(/\d+(?:\.\d+)?|\.\d+|[a-z]+|[-+*/^%()×÷]/g) ?? []
  );
}

function lex(words: readonly string[]): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  outer: while (i < words.length) {
    const w = words[i];
    for (const [phrase, tok] of PHRASES) {
      if (phrase[0] !== w) continue;
      let ok = true;
      for (let j = 1; j < phrase.length; j++) if (words[i + j] !== phrase[j]) { ok = false; break; }
      if (ok) {
        out.push(tok);
        i += phrase.length;
        continue outer;
      }
    }
    const n = readNumber(words, i);
    if (n) {
      out.push({ t: 'num', v: n.value });
      i = n.next;
      continue;
    }
    const tok = WORDS[w];
    if (!tok) return null;
    out.push(tok);
    i++;
  }
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): Expr | null {
    const e = this.expr();
    return e && this.i === this.toks.length ? e : null;
  }
  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isOp(...ops: BinaryOp[]): BinaryOp | null {
    const t = this.peek();
    return t?.t === 'op' && ops.includes(t.op) ? t.op : null;
  }
  private expr(): Expr | null {
    let a = this.term();
    for (let op; a && (op = this.isOp('+', '-')); ) {
      this.i++;
      const b = this.term();
      if (!b) return null;
      a = { k: 'bin', op, a, b };
    }
    return a;
  }
  private term(): Expr | null {
    let a = this.unary();
    for (let op; a && (op = this.isOp('*', '/', 'mod', 'of')); ) {
      this.i++;
      const b = this.unary();
      if (!b) return null;
      a = { k: 'bin', op, a, b };
    }
    return a;
  }
  private unary(): Expr | null {
    if (this.isOp('-')) {
      if (++this.depth > MAX_DEPTH) return null; // "- - - - 1"
      this.i++;
      const a = this.unary();
      this.depth--;
      return a && { k: 'neg', a };
    }
    if (this.isOp('+')) {
      this.i++;
      return this.unary();
    }
    return this.power();
  }
  private power(): Expr | null {
    const a = this.postfix();
    if (a && this.isOp('^')) {
      this.i++;
      const b = this.unary(); // right-associative: 2^3^2 = 2^9
      return b && { k: 'bin', op: '^', a, b };
    }
    return a;
  }
  private postfix(): Expr | null {
    let a = this.primary();
    while (a) {
      const t = this.peek()?.t;
      if (t === 'squared' || t === 'cubed') a = { k: 'pow', a, n: t === 'squared' ? 2 : 3 };
      else if (t === '%') a = { k: 'pct', a };
      else break;
      this.i++;
    }
    return a;
  }
  private primary(): Expr | null {
    const t = this.peek();
    if (!t) return null;
    this.i++;
    if (t.t === 'num') return { k: 'num', v: t.v };
    if (t.t === 'sqrt' || t.t === 'cbrt') {
      const a = this.unary();
      return a && { k: t.t, a };
    }
    if (t.t === '(') {
      if (++this.depth > MAX_DEPTH) return null;
      const a = this.expr();
      this.depth--;
      if (!a || this.peek()?.t !== ')') return null;
      this.i++;
      return { k: 'group', a };
    }
    return null;
  }
}

/** Nobody asks for arithmetic in more words than this; longer text is not parsed at all. */
export const MAX_QUESTION_CHARS = 500;
/** Deeper nesting than anyone says aloud; keeps recursion far from the stack limit. */
const MAX_DEPTH = 64;

const FILLER_START = /^(?:what is|what s|whats|how much is|how much|calculate|compute|evaluate|solve|work out|figure out|tell me|quick math|math)\s+/;
const FILLER_END = /\s+(?:equals?|equal to|is|makes|come to|comes to|please)$/;

/**
 * Parses a spoken or written arithmetic question into an expression. Returns null unless the
 * whole text (after "what is"-style framing) is arithmetic with at least one operation.
 */
export function parseMath(text: string): Expr | null {
  if (text.length > MAX_QUESTION_CHARS) return null;
  let s = tokenizeMath(text).join(' ');
  for (let k = 0; k < 3; k++) {
    const before = s;
    s = s.replace(FILLER_START, '').replace(FILLER_END, '');
    if (s.startsWith('the ') && !s.startsWith('the square') && !s.startsWith('the cube')) s = s.slice(4);
    if (s.startsWith('a ') && !/^a (?:hundred|thousand|million|dozen|half|quarter|third)\b/.test(s)) s = s.slice(2);
    if (s === before) break;
  }
  for (const [re, to] of VERB_FORMS) {
    if (re.test(s)) {
      s = s.replace(re, to);
      break;
    }
  }
  const toks = lex(s.split(' ').filter(Boolean));
  if (!toks || !toks.some((t) => t.t !== 'num' && t.t !== '(' && t.t !== ')')) return null;
  return new Parser(toks).parse();
}

export class MathError extends Error {}

/** Evaluates an expression; throws MathError with a speakable reason for impossible arithmetic. */
export function evaluate(e: Expr): number {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'group':
      return evaluate(e.a);
    case 'neg':
      return -evaluate(e.a);
    case 'pct':
      return evaluate(e.a) / 100;
    case 'pow':
      return evaluate(e.a) ** e.n;
    case 'sqrt': {
      const a = evaluate(e.a);
      if (a < 0) throw new MathError("The square root of a negative number isn't a real number.");
      return Math.sqrt(a);
    }
    case 'cbrt':
      return Math.cbrt(evaluate(e.a));
    case 'bin': {
      const a = evaluate(e.a);
      const b = evaluate(e.b);
      switch (e.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': case 'of': return a * b;
        case '/':
          if (b === 0) throw new MathError("You can't divide by zero.");
          return a / b;
        case 'mod':
          if (b === 0) throw new MathError("You can't divide by zero.");
          return a % b;
        case '^': {
          const r = a ** b;
          if (Number.isNaN(r)) throw new MathError("That power isn't a real number.");
          return r;
        }
      }
    }
  }
}

export function hasPercent(e: Expr): boolean {
  switch (e.k) {
    case 'num': return false;
    case 'pct': return true;
    case 'bin': return hasPercent(e.a) || hasPercent(e.b);
    default: return hasPercent(e.a);
  }
}

const OP_WORDS: Record<BinaryOp, string> = {
  '+': 'plus', '-': 'minus', '*': 'times', '/': 'divided by', '^': 'to the power of', mod: 'modulo', of: 'of',
};

/**
 * Says a simple expression in words ("12 times 7", "the square root of 144", "15 percent of 80");
 * null for anything nested enough that saying it back would not help the listener.
 */
export function sayExpr(e: Expr, fmt: (n: number) => string | null): string | null {
  const leaf = (x: Expr): string | null => {
    if (x.k === 'group') return leaf(x.a);
    if (x.k === 'num') return fmt(x.v);
    if (x.k === 'neg' && x.a.k === 'num') return `minus ${fmt(x.a.v)}`;
    if (x.k === 'pct') {
      const a = leaf(x.a);
      return a && `${a} percent`;
    }
    return null;
  };
  const simple = leaf(e);
  if (simple && e.k !== 'num') return simple;
  switch (e.k) {
    case 'bin': {
      const a = leaf(e.a);
      const b = leaf(e.b);
      return a && b ? `${a} ${OP_WORDS[e.op]} ${b}` : null;
    }
    case 'sqrt': case 'cbrt': {
      const a = leaf(e.a);
      return a && `the ${e.k === 'sqrt' ? 'square' : 'cube'} root of ${a}`;
    }
    case 'pow': {
      const a = leaf(e.a);
      return a && `${a} ${e.n === 2 ? 'squared' : 'cubed'}`;
    }
    case 'group':
      return sayExpr(e.a, fmt);
    default:
      return null;
  }
}

/** A whole phrase that is exactly one number ("one hundred and five", "42"), else null. */
export function parseNumberPhrase(text: string): number | null {
  const words = tokenizeMath(text);
  const n = readNumber(words, 0);
  return n && n.next === words.length ? n.value : null;
}

const RATIO_FORMS: [RegExp, 'part-whole' | 'whole-part'][] = [
  [/^what (?:percent|percentage|%) of (.+?) is (.+)$/, 'whole-part'],
  [/^what (?:percent|percentage|%) is (.+?) (?:of|out of|from) (.+)$/, 'part-whole'],
  [/^(.+?) is what (?:percent|percentage|%) of (.+)$/, 'part-whole'],
  [/^(.+?) (?:out of|of) (.+?) as a (?:percent|percentage)$/, 'part-whole'],
];

/** "what percent of 120 is 30", "30 is what percentage of 120": the share as a percentage. */
export function parsePercentOf(text: string): { part: number; whole: number } | null {
  if (text.length > MAX_QUESTION_CHARS || !/percent|%/.test(text)) return null;
  const s = text.replace(/^(?:what s|whats) /, 'what is ').replace(/^(?:calculate|tell me|work out) /, '');
  for (const [re, order] of RATIO_FORMS) {
    const m = re.exec(s);
    if (!m) continue;
    const a = parseNumberPhrase(m[1]);
    const b = parseNumberPhrase(m[2]);
    if (a === null || b === null) continue;
    return order === 'part-whole' ? { part: a, whole: b } : { part: b, whole: a };
  }
  return null;
}
