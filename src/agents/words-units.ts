/**
 * Everyday unit conversions (length, weight, temperature, volume, speed, time) and the ways people
 * ask for them: "convert 5 miles to kilometers", "how many cups in a liter",
 * "what's 100 fahrenheit in celsius", "60 mph in km/h".
 */
import { readNumber } from '../numbers.js';
import { MAX_QUESTION_CHARS } from './words-math.js';

export type Dimension = 'length' | 'weight' | 'temperature' | 'volume' | 'speed' | 'time';

export interface Unit {
  id: string;
  singular: string;
  plural: string;
  dim: Dimension;
  /** Multiply by this to get the dimension's base unit (m, kg, L, m/s, s); temperature uses toBase. */
  factor: number;
}

interface UnitDef extends Unit {
  names: string[];
}

const u = (id: string, singular: string, plural: string, dim: Dimension, factor: number, names: string[]): UnitDef => ({
  id, singular, plural, dim, factor, names: [singular, plural, ...names],
});

const DEFS: UnitDef[] = [
  u('mm', 'millimeter', 'millimeters', 'length', 0.001, ['mm', 'millimetre', 'millimetres']),
  u('cm', 'centimeter', 'centimeters', 'length', 0.01, ['cm', 'centimetre', 'centimetres']),
  u('m', 'meter', 'meters', 'length', 1, ['m', 'metre', 'metres']),
  u('km', 'kilometer', 'kilometers', 'length', 1000, ['km', 'kms', 'kilometre', 'kilometres', 'klick', 'klicks']),
  u('in', 'inch', 'inches', 'length', 0.0254, []),
  u('ft', 'foot', 'feet', 'length', 0.3048, ['ft', 'foots']),
  u('yd', 'yard', 'yards', 'length', 0.9144, ['yd', 'yds']),
  u('mi', 'mile', 'miles', 'length', 1609.344, ['mi']),
  u('mg', 'milligram', 'milligrams', 'weight', 1e-6, ['mg', 'milligramme', 'milligrammes']),
  u('g', 'gram', 'grams', 'weight', 0.001, ['g', 'gramme', 'grammes']),
  u('kg', 'kilogram', 'kilograms', 'weight', 1, ['kg', 'kgs', 'kilo', 'kilos', 'kilogramme', 'kilogrammes']),
  u('oz', 'ounce', 'ounces', 'weight', 0.028349523125, ['oz']),
  u('lb', 'pound', 'pounds', 'weight', 0.45359237, ['lb', 'lbs']),
  u('st', 'stone', 'stone', 'weight', 6.35029318, ['stones']),
  u('t', 'metric ton', 'metric tons', 'weight', 1000, ['tonne', 'tonnes']),
  u('ton', 'ton', 'tons', 'weight', 907.18474, ['short ton', 'short tons']),
  u('C', 'degree Celsius', 'degrees Celsius', 'temperature', 1, ['celsius', 'centigrade', 'c', 'degrees c', 'degree c', 'degrees centigrade']),
  u('F', 'degree Fahrenheit', 'degrees Fahrenheit', 'temperature', 1, ['fahrenheit', 'f', 'degrees f', 'degree f', 'farenheit']),
  u('K', 'kelvin', 'kelvin', 'temperature', 1, ['kelvins', 'k', 'degrees kelvin']),
  u('ml', 'milliliter', 'milliliters', 'volume', 0.001, ['ml', 'millilitre', 'millilitres']),
  u('l', 'liter', 'liters', 'volume', 1, ['l', 'litre', 'litres']),
  u('tsp', 'teaspoon', 'teaspoons', 'volume', 0.00492892159375, ['tsp']),
  u('tbsp', 'tablespoon', 'tablespoons', 'volume', 0.01478676478125, ['tbsp']),
  u('floz', 'fluid ounce', 'fluid ounces', 'volume', 0.0295735295625, ['fl oz']),
  u('cup', 'cup', 'cups', 'volume', 0.2365882365, []),
  u('pt', 'pint', 'pints', 'volume', 0.473176473, ['pt']),
  u('qt', 'quart', 'quarts', 'volume', 0.946352946, ['qt']),
  u('gal', 'gallon', 'gallons', 'volume', 3.785411784, ['gal']),
  u('mps', 'meter per second', 'meters per second', 'speed', 1, ['m/s', 'metres per second', 'meter a second', 'meters a second']),
  u('kph', 'kilometer per hour', 'kilometers per hour', 'speed', 1000 / 3600, [
    'km/h', 'kph', 'kmh', 'kmph', 'km per hour', 'km an hour', 'kilometres per hour', 'kilometers an hour', 'kilometres an hour',
  ]),
  u('mph', 'mile per hour', 'miles per hour', 'speed', 1609.344 / 3600, ['mph', 'miles an hour', 'mile an hour']),
  u('kn', 'knot', 'knots', 'speed', 1852 / 3600, []),
  u('s', 'second', 'seconds', 'time', 1, ['sec', 'secs']),
  u('min', 'minute', 'minutes', 'time', 60, ['min', 'mins']),
  u('h', 'hour', 'hours', 'time', 3600, ['hr', 'hrs']),
  u('d', 'day', 'days', 'time', 86400, []),
  u('wk', 'week', 'weeks', 'time', 604800, []),
];

/** Phrase (lowercase, space-separated) → unit. */
const BY_NAME = new Map<string, UnitDef>();
for (const d of DEFS) for (const n of d.names) BY_NAME.set(n.toLowerCase(), d);
const MAX_WORDS = 4;

/** Every word that appears in a unit name (for the router's vocabulary). */
export const UNIT_WORDS: readonly string[] = [...new Set([...BY_NAME.keys()].flatMap((k) => k.split(' ')))];

function unitAt(tokens: readonly string[], i: number): { unit: UnitDef; next: number; degrees: boolean } | null {
  let degrees = false;
  if (tokens[i] === 'degrees' || tokens[i] === 'degree') {
    degrees = true;
    i++;
  }
  for (let len = Math.min(MAX_WORDS, tokens.length - i); len >= 1; len--) {
    const unit = BY_NAME.get(tokens.slice(i, i + len).join(' '));
    if (unit) return { unit, next: i + len, degrees };
  }
  return degrees ? { unit: BY_NAME.get('degrees')!, next: i, degrees } : null;
}
// Bare "degrees": resolved against the other side of the question (see resolveDegrees).
BY_NAME.set('degrees', { ...BY_NAME.get('fahrenheit')!, id: '?' });

function resolveDegrees(from: UnitDef, to: UnitDef): [UnitDef, UnitDef] {
  const c = BY_NAME.get('celsius')!;
  const f = BY_NAME.get('fahrenheit')!;
  if (from.id === '?') from = to.id === 'F' ? c : f;
  if (to.id === '?') to = from.id === 'F' ? c : f;
  return [from, to];
}

export interface Conversion {
  value: number;
  from: Unit;
  to: Unit;
  result: number;
  /** "how many feet in a mile" rather than "convert 1 mile to feet": answered as "There are…". */
  howMany: boolean;
}

/** Tokens for unit questions: keeps "km/h" and "m/s" whole, drops other punctuation. */
export function tokenizeUnits(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/(\d),(?=\d{3}\b)/g, '$1')
      .replace(/(\d)([a-z])/g, '$1 $2')
      .replace(/°\s*([cfk])\b/g, ' degrees $1')
      .match(/\d+(?:\.\d+)?|km\/h|m\/s|[a-z]+|-(?=\s*\d)/g) ?? []
  );
}

const LEAD = new Set(['what', 'whats', 's', 'is', 'convert', 'how', 'much', 'please', 'can', 'you', 'could', 'tell', 'me', 'in', 'change']);

/**
 * Recognizes a conversion question and computes it. Null when the text is not one, or the units
 * measure different things (the caller says so rather than guessing).
 */
export function parseConversion(text: string): Conversion | { error: string } | null {
  if (text.length > MAX_QUESTION_CHARS) return null;
  const tokens = tokenizeUnits(text);
  // "how many feet are in a mile" / "how many cups in 2 liters"
  const many = tokens.indexOf('many');
  if (many >= 0 && tokens[many - 1] === 'how') {
    const to = unitAt(tokens, many + 1);
    if (to) {
      let i = to.next;
      while (tokens[i] === 'are' || tokens[i] === 'is' || tokens[i] === 'there') i++;
      const direct = readNumber(tokens, i);
      if (direct) {
        const from = unitAt(tokens, direct.next);
        if (from && isTail(tokens, from.next)) return convert(direct.value, from.unit, to.unit, true);
      }
      if (tokens[i] === 'in' || tokens[i] === 'per' || tokens[i] === 'to' || tokens[i] === 'make') {
        i++;
        let value = 1;
        const n = readNumber(tokens, i);
        if (n) {
          value = n.value;
          i = n.next;
        } else if (tokens[i] === 'a' || tokens[i] === 'an' || tokens[i] === 'one') i++;
        const from = unitAt(tokens, i);
        if (from && isTail(tokens, from.next)) return convert(value, from.unit, to.unit, true);
      }
    }
    // "5 miles is how many kilometers"
  }
  // "[convert] 5 miles (to|in|into|as) kilometers"
  let i = 0;
  while (i < tokens.length && LEAD.has(tokens[i]) && !readNumber(tokens, i)) i++;
  let sign = 1;
  if (tokens[i] === 'minus' || tokens[i] === 'negative' || tokens[i] === '-') {
    sign = -1;
    i++;
  }
  const n = readNumber(tokens, i);
  let value: number;
  if (n) {
    value = sign * n.value;
    i = n.next;
  } else if (tokens[i] === 'a' || tokens[i] === 'an') {
    value = 1;
    i++;
  } else return null;
  const from = unitAt(tokens, i);
  if (!from) return null;
  i = from.next;
  if (tokens[i] === 'is' && tokens[i + 1] === 'how' && tokens[i + 2] === 'many') i += 3;
  else if (tokens[i] === 'to' || tokens[i] === 'in' || tokens[i] === 'into' || tokens[i] === 'as') i++;
  else return null;
  const to = unitAt(tokens, i);
  if (!to || !isTail(tokens, to.next)) return null;
  return convert(value, from.unit, to.unit, false);
}

function isTail(tokens: readonly string[], i: number): boolean {
  for (; i < tokens.length; i++) if (!['please', 'is', 'are', 'that', 'exactly', 'roughly', 'approximately'].includes(tokens[i])) return false;
  return true;
}

function convert(value: number, from: UnitDef, to: UnitDef, howMany: boolean): Conversion | { error: string } {
  [from, to] = resolveDegrees(from, to);
  if (from.dim !== to.dim) return { error: `I can't convert ${from.plural} to ${to.plural}: they measure different things.` };
  const result = from.dim === 'temperature' ? fromKelvin(toKelvin(value, from.id), to.id) : (value * from.factor) / to.factor;
  return { value, from, to, result, howMany };
}

function toKelvin(v: number, id: string): number {
  return id === 'C' ? v + 273.15 : id === 'F' ? ((v - 32) * 5) / 9 + 273.15 : v;
}
function fromKelvin(k: number, id: string): number {
  return id === 'C' ? k - 273.15 : id === 'F' ? ((k - 273.15) * 9) / 5 + 32 : k;
}
