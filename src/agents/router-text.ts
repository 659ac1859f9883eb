/**
 * What the router reads: the utterance through the one normalizer (text/normalize.ts), typos in
 * the words that decide a route corrected ("trun" → "turn", "lihgts" → "lights", "turn of the
 * lights" → "turn off the lights") towards the rules' keywords and the home's own names.
 */
import { NUMBER_WORDS } from './text/numbers.js';
import { UNIT_WORDS } from './words-units.js';
import { MATH_WORDS } from './words-math.js';
import { PLACE_WORDS } from './instant-zones.js';
import { tokenize } from './text/normalize.js';
import { createCorrector, fixOff, type Corrector } from './text/typos.js';

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

/**
 * Real words near a keyword that must not be "corrected" into it ("burn" is not "turn", "fights"
 * is not "lights"). Plus ordinary short words the corrector should leave alone.
 */
const COMMON = (
  'a about above after again all also am an and any anything are around as ask at away be because been before being best big book ' +
  'both bring burn but buy by call came can car card cat chat could cook cool cold cost count dad day days did do does dog doing done ' +
  'down draw drink drive each eat else end even ever every fact far fast feel few find fine fire first fish five food for four from fun ' +
  'funny game games get give go going good got great had has have he hear heard heat help her here hi high him his hit hold home hot how ' +
  'i idea if in into is it its just keep kind know last late let life like line list little live long look looking lot love luck made make ' +
  'man many may me mean means might mind mom more most much must my name near need never new next nice night no not now number of on once ' +
  'one only or other our out over own part people pick play point put rain read real right rock run said same saw say see set she shed ' +
  'should show shut side sing sit so some song sound speak start stay still stop such sure take talk team tell than that the their them ' +
  'then there these they thing things think this those though three through tight to told too top torn tune tv two under up us use very ' +
  'want was watch water way we well were what when where which while who why will wish with word words work world would write year yes ' +
  'yet you your fights nights sights rights mights tights flights lamb lamps limp clock block luck look rock sock dock lick leak deck ' +
  'form from farm firm term tern turf torn tour born burn curl hurt door poor floor dour tour room roof boom doom zoom loom ' +
  'kitten chicken mitten date data dare gate hate late mate rate state fate kite bite site mite tile tide dime lime mime ' +
  'cone done gone none bone tone zone lone hone coins join joins film fill flit slip flap drip trip grip ship chip whip ' +
  'rice dance nice mice lice slice spice price twice advice device devices office officer offices notice lights tight ' +
  'weather whether feather leather heather together rather father mother brother other another ' +
  'jokes poke smoke broke stroke woke story stores store storm stormy history glory ' +
  'lower tower power mower flower shower slower lover cover hover over rover ' +
  'close chose whose those nose rose hose pose dose lose loose ' +
  'open oven omen often ' +
  'minute minutes hour hours second seconds'
).split(' ');

const KNOWN = new Set<string>([...KEYWORDS, ...COMMON, ...NUMBER_WORDS, ...UNIT_WORDS, ...MATH_WORDS, ...PLACE_WORDS]);

/** The corrector for an utterance with no home words to add. */
export const KEYWORD_CORRECTOR = routerCorrector([]);

/** A corrector towards the rules' keywords and `homeWords` (a home's names, aliases and areas). */
export function routerCorrector(homeWords: Iterable<string>): Corrector {
  const home = [...homeWords];
  return createCorrector([...KEYWORDS, ...home], new Set([...KNOWN, ...home]));
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
