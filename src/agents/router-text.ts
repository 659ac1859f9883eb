/**
 * What the router reads: the utterance through the one normalizer (text/normalize.ts), typos in
 * the words that decide a route corrected ("trun" → "turn", "lihgts" → "lights", "turn of the
 * lights" → "turn off the lights") towards the rules' keywords and the home's own names.
 */
import { tokenize } from './text/normalize.js';
import { fixOff, type Corrector } from './text/typos.js';
import { homeCorrector } from './text/known-words.js';

/** Words whose misspelling changes the route: corrected towards these (and towards the home's words, which come from the home). */
const KEYWORDS: readonly string[] = [
  // commands
  'turn', 'switch', 'lights', 'light', 'lamp', 'lamps', 'unlock', 'lock', 'locked', 'unlocked', 'dim', 'dimmer', 'brighten',
  'brighter', 'thermostat', 'temperature', 'heating', 'heater', 'degrees', 'garage', 'door', 'doors', 'front', 'back',
  'activate', 'scene', 'night', 'bright', 'please', 'off', 'warmer', 'cooler', 'colder', 'hotter', 'increase', 'decrease',
  'lower', 'raise', 'close', 'closed', 'open', 'opened', 'running', 'everything', 'upstairs', 'downstairs', 'outside', 'inside',
  // instant
  'what', 'time', 'date', 'today', 'tomorrow', 'yesterday', 'weekday', 'calculate', 'percent', 'square', 'root', 'times',
  'divided', 'multiplied', 'plus', 'minus', 'convert', 'hello', 'thanks', 'thank', 'coin', 'flip', 'dice', 'roll', 'heads',
  'tails', 'morning', 'evening', 'afternoon', 'celsius', 'fahrenheit', 'kilometers', 'miles', 'pounds',
  // interaction tells
  'minecraft', 'explain', 'weather', 'joke', 'story', 'tell', 'about', 'meaning',
];

/** The corrector for an utterance with no home words to add. */
export const KEYWORD_CORRECTOR = routerCorrector([]);

/** A corrector towards the rules' keywords and `homeWords` (a home's names, aliases and areas). */
export function routerCorrector(homeWords: Iterable<string>): Corrector {
  return homeCorrector(KEYWORDS, homeWords);
}

export interface Normalized {
  tokens: string[];
  /** How many words were corrected: a corrected route is a little less certain. */
  corrections: number;
}

/** Normalized tokens with typos corrected; commas are standalone "," tokens so clause splitting can see them. */
export function readUtterance(text: string, corrector: Corrector = KEYWORD_CORRECTOR): Normalized {
  const tokens = tokenize(text);
  let corrections = 0;
  for (let i = 0; i < tokens.length; i++) {
    const c = corrector.correct(tokens[i]);
    if (c !== tokens[i]) (tokens[i] = c), corrections++;
  }
  return { tokens, corrections: corrections + fixOff(tokens) };
}
