/** Coins and dice: "flip a coin", "roll two dice", "roll a d20", "roll 3d6". */
import { readNumber } from '../numbers.js';

export const MAX_DICE = 20;
export const MAX_SIDES = 1000;

export interface DiceSpec {
  count: number;
  sides: number;
}

/** What to roll; two-word forms like "twenty sided" and "3d6" included. Null when out of range. */
export function parseDice(text: string): DiceSpec | null {
  const s = text.toLowerCase().replace(/-/g, ' ');
  const nd = /\b(\d*)d(\d+)\b/.exec(s);
  let count = 1;
  let sides = 6;
  if (nd) {
    sides = Number(nd[2]);
    // "roll two d20": the count as a word before the die.
    const before = nd[1] ? null : readNumber(s.slice(0, nd.index).trim().split(/\s+/).slice(-1), 0);
    count = nd[1] ? Number(nd[1]) : before?.value ?? 1;
  } else {
    const words: string[] = s.match(/[a-z]+|\d+/g) ?? [];
    const sided = words.indexOf('sided');
    if (sided > 0) {
      for (let i = sided - 1; i >= 0; i--) {
        const n = readNumber(words, i);
        if (n && n.next === sided) {
          sides = n.value;
          break;
        }
      }
    }
    const roll = words.findIndex((w) => w === 'roll' || w === 'throw' || w === 'toss');
    const n = roll >= 0 ? readNumber(words, roll + 1) : null;
    if (n && (words[n.next] === 'dice' || words[n.next] === 'die')) count = n.value;
    else if (words.includes('dice') && !words.includes('a') && !words.includes('one') && !words.includes('the')) count = 2;
  }
  if (!Number.isInteger(count) || !Number.isInteger(sides) || count < 1 || count > MAX_DICE || sides < 2 || sides > MAX_SIDES) return null;
  return { count, sides };
}

/** "a 4", "an 8", "an 11", "an 18". */
export function withArticle(n: number): string {
  const s = String(n);
  return n === 11 || n === 18 || s.startsWith('8') ? `an ${s}` : `a ${s}`;
}

export function sayRoll(spec: DiceSpec, random: () => number): string {
  const rolls = Array.from({ length: spec.count }, () => 1 + Math.floor(random() * spec.sides));
  const die = spec.sides === 6 ? '' : ` on ${withArticle(spec.sides)}-sided die`;
  if (rolls.length === 1) return `You rolled ${withArticle(rolls[0])}${die}.`;
  const total = rolls.reduce((a, b) => a + b, 0);
  const list = `${rolls.slice(0, -1).join(', ')} and ${rolls[rolls.length - 1]}`;
  return `You rolled ${list}, for a total of ${total}.`;
}

export function sayCoin(random: () => number): string {
  return random() < 0.5 ? "It's heads." : "It's tails.";
}
