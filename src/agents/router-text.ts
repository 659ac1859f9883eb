/**
 * Utterance normalization for the router: lower case, contractions expanded, punctuation dropped
 * (arithmetic symbols and clause commas kept), and typos in the words that decide a route corrected
 * ("trun" → "turn", "lihgts" → "lights", "turn of the lights" → "turn off the lights").
 */
import { NUMBER_WORDS } from './words-numbers.js';
import { UNIT_WORDS } from './words-units.js';
import { MATH_WORDS } from './words-math.js';
import { PLACE_WORDS } from './instant-zones.js';
import { COMMON_CONTRACTIONS, expandContractions, type Contractions } from './text-contractions.js';
import { editDistance } from './text-distance.js';

/** Words whose misspelling changes the route: corrected towards these. */
const KEYWORDS: readonly string[] = [
  // commands
  'turn', 'switch', 'lights', 'light', 'lamp', 'lamps', 'unlock', 'lock', 'locked', 'unlocked', 'dim', 'dimmer', 'brighten',
  'brighter', 'thermostat', 'temperature', 'heating', 'heater', 'degrees', 'garage', 'door', 'doors', 'front', 'back', 'kitchen',
  'bedroom', 'living', 'office', 'hallway', 'porch', 'garden', 'bathroom', 'dining', 'coffee', 'maker', 'machine', 'ceiling',
  'activate', 'scene', 'movie', 'night', 'bright', 'please', 'off', 'warmer', 'cooler', 'colder', 'hotter', 'increase', 'decrease',
  'lower', 'raise', 'close', 'open', 'everything', 'upstairs', 'downstairs', 'outside', 'inside',
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

const SHORT_FIXES: Record<string, string> = {
  teh: 'the', hte: 'the', u: 'you', ur: 'your', r: 'are', pls: 'please', plz: 'please', thx: 'thanks', ty: 'thanks',
  lite: 'light', lites: 'lights', nite: 'night', tmrw: 'tomorrow', wat: 'what', wut: 'what', whats: 'what is', hows: 'how is',
  thermo: 'thermostat', temp: 'temperature', goodnight: 'good night', okay: 'ok',
  im: 'i am', dont: 'do not', cant: 'can not', wont: 'will not', isnt: 'is not', arent: 'are not', wheres: 'where is',
  whos: 'who is', thats: 'that is', lets: 'let us', its: 'it is',
};

const CONTRACTIONS: Contractions = [
  ...COMMON_CONTRACTIONS, [/\bwho's\b/g, 'who is'],
  [/\bcan't\b/g, 'can not'], [/\bwon't\b/g, 'will not'], [/n't\b/g, ' not'], [/'re\b/g, ' are'], [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'], [/'ve\b/g, ' have'], [/'s\b/g, ''],
];

const KNOWN = new Set<string>([...KEYWORDS, ...COMMON, ...NUMBER_WORDS, ...UNIT_WORDS, ...MATH_WORDS, ...PLACE_WORDS, ...Object.keys(SHORT_FIXES)]);

/** Keywords bucketed by length, so a token is only compared with words it could be one edit from. */
const BY_LENGTH = new Map<number, string[]>();
for (const k of KEYWORDS) {
  const list = BY_LENGTH.get(k.length) ?? [];
  list.push(k);
  BY_LENGTH.set(k.length, list);
}

/** Corrections already worked out; utterances repeat their words, and the set of typos is small. */
const corrected = new Map<string, string>();

/** The keyword a token is a likely typo of, or the token itself. */
function correctWord(w: string): string {
  if (w.length < 4 || KNOWN.has(w) || /\d/.test(w)) return w;
  const hit = corrected.get(w);
  if (hit !== undefined) return hit;
  const cap = w.length >= 8 ? 2 : 1;
  let best = w;
  let bestD = cap + 1;
  // Same length first, then one letter longer: on a tie, a dropped letter is the likelier typo.
  for (const delta of cap === 1 ? [0, 1, -1] : [0, 1, -1, 2, -2]) {
    for (const k of BY_LENGTH.get(w.length + delta) ?? []) {
      if (k[0] !== w[0] && k[1] !== w[1]) continue; // typos rarely hit both of the first two letters
      const d = editDistance(w, k, cap);
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
  }
  if (corrected.size < 10_000) corrected.set(w, best);
  return best;
}

/** Verbs after which "of" is a typo of "off" ("turn of the lights"), unless a real "of" follows ("turn of phrase"). */
const OFF_VERBS = new Set(['turn', 'switch', 'shut', 'power']);
const REAL_OF_AFTER = new Set(['phrase', 'events', 'fate', 'luck']);
/** Nouns after which a final "of" is "off" ("kitchen lights of please"). */
const OFF_NOUNS = new Set(['lights', 'light', 'lamp', 'lamps', 'fan', 'it', 'them', 'everything', 'heater', 'heating', 'tv']);
const CLAUSE_END = new Set([undefined, 'please', 'and', ',', 'now', 'then']);

export interface Normalized {
  tokens: string[];
  /** How many words were corrected: a corrected route is a little less certain. */
  corrections: number;
}

/**
 * Lowercases, expands contractions, strips punctuation except arithmetic symbols and commas, fixes
 * typos. Commas become a standalone "," token so clause splitting can see them.
 */
export function normalize(text: string): Normalized {
  let s = text.toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'");
  if (s.includes("'")) s = expandContractions(s, CONTRACTIONS);
  s = s
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/([a-z])-(?=[a-z])/g, '$1 ')
    .replace(/[^a-z0-9.,+\-*/^%()×÷°\s]/g, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/,/g, ' , ');
  const raw = s.split(/\s+/);
  const out: string[] = [];
  let typos = 0;
  for (const t of raw) {
    if (!t) continue;
    const fix = SHORT_FIXES[t];
    if (fix !== undefined) {
      if (fix.includes(' ')) out.push(...fix.split(' '));
      else out.push(fix);
    } else {
      const c = correctWord(t);
      if (c !== t) typos++;
      out.push(c);
    }
  }
  let corrections = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 'of' || i === 0) continue;
    const prev = out[i - 1];
    const next = out[i + 1];
    if ((OFF_VERBS.has(prev) && out[i - 2] !== 'the' && !REAL_OF_AFTER.has(next ?? '')) || (OFF_NOUNS.has(prev) && CLAUSE_END.has(next))) {
      out[i] = 'off';
      corrections++;
    }
  }
  return { tokens: out, corrections: corrections + typos };
}
