/**
 * The words typo correction leaves alone, and the one way the router and the action agent build
 * their correctors from them: towards the rules' keywords and the home's own names, never turning
 * a real word into one of those ("burn the toast" is not "turn the toast").
 */
import { NUMBER_WORDS } from '../../numbers.js';
import { UNIT_WORDS } from '../words-units.js';
import { MATH_WORDS } from '../words-math.js';
import { PLACE_WORDS } from '../instant-zones.js';
import { createCorrector, type Corrector } from './typos.js';

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

/** Real words: never corrected, whatever they are near. */
const KNOWN: ReadonlySet<string> = new Set([...COMMON, ...NUMBER_WORDS, ...UNIT_WORDS, ...MATH_WORDS, ...PLACE_WORDS]);

/**
 * A corrector towards `keywords` (the rules' words) and `homeWords` (a home's names, aliases and
 * areas); the keywords, the home's words and every known real word stay as they are.
 */
export function homeCorrector(keywords: Iterable<string>, homeWords: Iterable<string>): Corrector {
  const home = [...homeWords];
  const words = [...keywords, ...home];
  return createCorrector(words, new Set([...KNOWN, ...words]));
}
