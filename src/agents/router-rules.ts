/**
 * The router's rules, applied to normalized text with the home's names marked (router-text.ts,
 * router-vocabulary.ts). Order matters and is the
 * design: instant answers that are unmistakable first, then things that only look like commands
 * (questions about words, games, phones), then home questions and commands, then conversation.
 */
import type { RouteDecision } from '../turn/index.js';
import { parseMath, hasPercent, parsePercentOf } from './words-math.js';
import { parseConversion } from './words-units.js';
import { placeIn } from './instant-zones.js';
import { HOME_DEVICE, HOME_ROOM, HOME_SCENE } from './router-vocabulary.js';
import { CLASS_WORDS } from './home-words.js';


const decision = (agent: RouteDecision['agent'], intent: string, confidence: number): RouteDecision => ({ agent, intent, confidence });

// ── instant ────────────────────────────────────────────────────────────────────────────────────
const WHEN = '(?: now| right now| currently| at the moment| here| exactly| today)?';
const TIME = new RegExp(
  `^(?:what|which) time is it${WHEN}$|^what is the (?:current |exact )?time${WHEN}$|^(?:the |current |the current )?time(?: now| please| check)?$|` +
    `^(?:tell me |give me )?the time$|^what time (?:do you have|it is|have you got)${WHEN}$|^(?:do you have|have you got|got) the time$|` +
    `^what hour is it$|^how late is it$|^what is the time$`,
);
const DAY = '(?:today|tomorrow|yesterday)';
const DAY_REL = `(?: ${DAY})?`;
/**
 * "<what day> is it / was it yesterday / will tomorrow be / is tomorrow…": the verb in any tense,
 * the day named after it, before it or not at all (the instant agent reads which day from the words).
 */
const BE_DAY = `(?:(?:is it|was it|will it be|it is|it was|it will be)(?: ${DAY})?|(?:is|was|will be) ${DAY}|will ${DAY} be)`;
const DATE = new RegExp(
  `^(?:what is |tell me |give me )?(?:the |today |todays |tomorrow |yesterday )?date(?: today| is it| is it today| is today| please)?$|` +
    `^what (?:is|was|will be) (?:the )?date${DAY_REL}$|^what (?:date|day of the month) ${BE_DAY}${WHEN}$|` +
    `^what (?:is|was|will be) ${DAY}(?: date)?$|^(?:what is )?today date$|^what date is it${WHEN}$`,
);
const WEEKDAY = new RegExp(
  `^(?:what|which) day (?:of the week )?${BE_DAY}${WHEN}$|` +
    `^what day is it$|^(?:what is )?(?:the )?day of the week${DAY_REL}$|^what weekday is it(?: today)?$|^what is today weekday$`,
);
const CAPABILITIES =
  /^(?:what can you do|what else can you do|what (?:are|do) you (?:able to do|do|know how to do|good at)|what are your (?:capabilities|abilities|skills|features|commands|functions)|help|help me|how can you help(?: me)?|what can i (?:ask|say)(?: you)?(?: to do)?|what (?:things|sort of things|kind of things|stuff) can you do|what are you capable of|list your (?:skills|commands|features)|who are you|what are you|introduce yourself|what is your name|how do you work)$/;
const GREETING =
  /^(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|evening|afternoon|sup|what is up|wassup|hi there|hello there|hey there|hey hey|how are you(?: doing| today)?|how is it going|how are things|how have you been|nice to meet you|good to see you)(?: there)?$/;
const THANKS =
  /^(?:thanks|thank you|thank you (?:so|very) much|thanks (?:a lot|so much|a bunch|a ton|again)|thank you again|cheers|much appreciated|appreciate it|i appreciate it|many thanks|ta|nice one|that is (?:great|perfect|helpful|all)|that was helpful|you are (?:the best|a star|awesome|great))(?: thanks)?$/;
const COIN = /^(?:flip|toss) (?:a |the |me a |us a )?coin$|^(?:do a |a )?coin (?:flip|toss)$|^heads or tails$/;
const DICE =
  /^(?:roll|throw|toss) (?:a |an |one |two |three |four |five |six |\d+ |me a |me |some |the |us a )?(?:dice|die|d\d+|\d*d\d+|(?:\d+|four|six|eight|ten|twelve|twenty) sided (?:die|dice))$|^(?:dice|die) roll$/;
const TIME_ELSEWHERE = /^(?:what (?:time is it|is the time|time is it right now)|(?:the )?(?:current |local )?time) in [a-z ]+$/;

/** The instant agent's rules alone, on a clause already stripped of politeness. */
export function instant(s: string): RouteDecision | null {
  if (GREETING.test(s)) return decision('instant', 'greeting', 0.95);
  if (THANKS.test(s)) return decision('instant', 'thanks', 0.95);
  if (TIME.test(s)) return decision('instant', 'time.now', 0.97);
  if (TIME_ELSEWHERE.test(s)) return placeIn(s) ? decision('instant', 'time.now', 0.93) : decision('interaction', 'chat', 0.7);
  if (WEEKDAY.test(s)) return decision('instant', 'date.weekday', 0.95);
  if (DATE.test(s)) return decision('instant', 'date.today', 0.95);
  if (CAPABILITIES.test(s)) return decision('instant', 'capabilities', 0.9);
  if (COIN.test(s)) return decision('instant', 'coin.flip', 0.97);
  if (DICE.test(s)) return decision('instant', 'dice.roll', 0.97);
  return calculation(s);
}

/** Arithmetic or a unit conversion that parses completely. */
function calculation(s: string): RouteDecision | null {
  // Cheap gate: every calculation mentions a number.
  if (!/\d|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|hundred|thousand|half|zero|dozen|quarter|\ba\b|\ban\b/.test(s)) return null;
  if (parsePercentOf(s)) return decision('instant', 'math.percent', 0.95);
  const conv = parseConversion(s);
  if (conv) return decision('instant', 'units.convert', 'error' in conv ? 0.7 : 0.95);
  const expr = parseMath(s);
  if (expr) return decision('instant', hasPercent(expr) ? 'math.percent' : 'math.evaluate', 0.95);
  return null;
}

// ── things that only look like commands ────────────────────────────────────────────────────────
const GUARD_START =
  /^(?:how (?:do|does|did|can|could|should|would|to|come|often|long|many|much)|why|explain|tell me (?:about|a|an|some|something|more|how|why|what|who|when|where)|teach me|what does|what did|what do|what would|what should|what makes|define|definition|describe|write|compose|draft|translate|summarize|summarise|give me (?:a|an|some|ideas|advice|tips)|recommend|suggest|should i|can i|could i|do you (?:think|know|like|have|remember|believe|ever)|what happens|what if|who|where|when (?:was|is|did|does|do|will)|let us (?:talk|chat|play)|i (?:think|feel|wonder|was wondering|have a question|heard|read|saw)|is it (?:a |an )?(?:safe|bad|ok|good|true|normal|better|worth|possible|legal|healthy|wise|smart|dangerous|fine|necessary|cheaper|idea)|what is (?:a|an|the (?:meaning|difference|history|best|point|purpose|origin|capital|weather|forecast|news|population|tallest|biggest|largest|longest|fastest))|what are (?:some|the (?:best|benefits|pros|cons|rules|odds)|good)|which is (?:better|best)|compare)\b/;
const GUARD_WORDS =
  /\b(?:minecraft|roblox|fortnite|zelda|in the game|video game|mean|means|meaning|definition|lock screen|screen|phone|iphone|ipad|android|computer|laptop|pc|mac|browser|app|apps|program|python|javascript|code|excel|spreadsheet|car|truck|bike|engine|recipe|history|capital|weather|forecast|rain|sunny|news|joke|jokes|story|poem|song|music|playlist|podcast|email|text message|timer|alarm|reminder|remind|calendar|traffic|synonym|spell|temperature outside|outside temperature|spelling|word|charm|heat of the moment|figuratively|metaphor|idiom|expression|phrase|sentence|grammar|essay|homework|book|novel|film|series|episode|netflix)\b/;

// ── home ───────────────────────────────────────────────────────────────────────────────────────
// The home's own device, scene and room names arrive as marks (router-vocabulary.ts); the words
// here are generic: kinds of devices and appliances any home may have, and places in any house.
/** Every class word of the shared table (home-words.ts), singular or plural, then appliances any home may have. */
const CLASS_NOUNS = Object.keys(CLASS_WORDS).map((w) => `${w}(?:e?s)?`).join('|');
const DEVICE = `(?:${HOME_DEVICE}|${CLASS_NOUNS}|lamps?|coffee (?:maker|machine)|kettle|air conditioning|air conditioner|aircon|doors?|garage|outlets?|sockets?|speakers?|volume|sprinklers?|dehumidifier|humidifier|fireplace|dishwasher|oven|washing machine|washer|dryer|vacuum|boiler|radiators?|everything|brightness)`;
const ROOM = `(?:${HOME_ROOM}|room|house|home|in here|inside|upstairs|downstairs)`;
const HAS_DEVICE = new RegExp(`\\b${DEVICE}\\b`);
const HAS_ROOM = new RegExp(`\\b${ROOM}\\b`);
const STATE = '(?:on|off|locked|unlocked|open|opened|close|closed|shut|running|lit|set|left on|still on|working|at|dimmed|playing|paused|muted)';

const QUERY_START =
  /^(?:is|are|was|were|did (?:i|we|you|someone|anyone|somebody|anybody|they|he|she) (?:leave|lock|unlock|turn|switch|close|shut|forget)|have i|has (?:anyone|someone|somebody)|if|whether|check (?:if |whether |that )?|status of|any|anything|(?:what|which) (?:lights|lamps|doors|devices|switches|rooms|locks)|how (?:bright|warm|hot|cold|cool) (?:is|are)|what is (?:the )?(?:status|state))\b/;
const QUERY_STATE = new RegExp(`\\b${STATE}\\b`);
const TEMP_QUERY = new RegExp(
  `^(?:what is|what s|tell me) (?:the )?(?:${ROOM} )?(?:temperature|thermostat|heat|heating|ac)(?: set to| at| on| in (?:here|the ${ROOM})| ${ROOM}| inside| in the house| right now| now)?$|` +
    `^what (?:temperature|is the thermostat) (?:is|set to|is it set to|is the thermostat(?: set to| at)?|in (?:here|the ${ROOM})|is it (?:inside|in here|in the house|in the ${ROOM}))$|` +
    `^how (?:warm|hot|cold|cool) is it (?:in here|inside|in the house|in the ${ROOM})$|^(?:temperature|thermostat)(?: status| reading)?$`,
);
const OUTSIDE = /\b(?:outside|outdoors|today|tomorrow|tonight|this week|weekend|in [a-z]+ (?:city|town)|forecast)\b/;

const VERB_ONOFF = /^(?:turn|switch|shut|power|put|kill|cut|flip|toggle|cycle|start|stop)\b/;
const ONOFF = /\b(?:on|off|up|down)\b/;
const PRONOUN = /\b(?:it|them|that|those|everything|all|things|stuff)\b/;
const LOCK = /^(?:lock|unlock|secure|bolt|unbolt)\b/;
const LOCK_TARGET = /\b(?:doors?|front|back|side|garage|house|home|up|it|everything|all|them|deadbolt|entrance|gate)\b/;
const DIM = /^(?:dim|brighten|darken|lighten|lower|raise|increase|decrease|reduce|bump|crank|boost|knock|nudge|drop|adjust|set|change|make|put|bring|warm|cool|heat|open|close|shut)\b/;
const MAKE_IT = /^make it (?:a (?:bit|little) |a lot |much |way |slightly )?(?:warmer|cooler|colder|hotter|brighter|darker|dimmer|lighter)(?: in (?:here|the \w+(?: room)?))?$/;
const FEEL = new RegExp(
  `^(?:it is|i am|we are|i feel|feels|(?:the )?${ROOM} is) (?:(?:too|way|far|much|really|so|very|kind of|pretty|quite|rather|getting|a bit|a little|freezing|boiling) )*` +
    `(?:dark|bright|hot|cold|warm|chilly|stuffy|freezing|boiling|dim)(?: in (?:here|the ${ROOM}))?$`,
);
const WARM_IT = /^(?:cool|warm|heat|chill) (?:it|things|the (?:house|place|room)|us) (?:down|up)\b/;
const SCENE = new RegExp(
  `^(?:(?:activate|start|run|set|turn on|enable|trigger|begin|put on|switch to|go to|it is|time for|let us do|do|engage|set up) )?(?:the |a )?(?:${HOME_SCENE}|movie night|movie time|movie mode|good night|night mode|bedtime|dinner|dinner time|reading|relax|relaxing|party|romantic|away|leaving|welcome home|morning|wake up|focus|cinema)(?: scene| mode| time| lights| lighting)?$`,
);
const BARE_DEVICE = new RegExp(`^(?:the )?(?:${ROOM} )?${DEVICE}(?: in the ${ROOM})?(?: (?:on|off|up|down|(?:to|at) \\S+(?: percent| degrees)?))?$`);
const COMPARATIVE = /\b(?:brighter|darker|dimmer|warmer|cooler|colder|hotter|lighter)\b/;
const WANT = /^(?:i (?:need|want|would like)|let us have|(?:can|could) (?:i|we) (?:get|have)|get) /;
const RUN = /^(?:start|stop|run|brew|pause|resume|activate|deactivate|enable|disable|trigger|play)\b/;
/**
 * "turn on the dishwasher": a command for a thing this home may not have. The action agent says
 * so if it has none; unsure, so a second opinion (when enabled) may still take it.
 */
const ONOFF_THING = /^(?:(?:turn|switch|power) (?:on|off) (?:the|my|our) (?:\w+ ){0,2}\w+|(?:turn|switch|power) (?:the|my|our) (?:\w+ ){0,2}\w+ (?:on|off))$/;
const TEMP_SET = /\b(?:\d+|twenty|thirty|forty|fifty|sixty|seventy|eighty) ?(?:degrees|percent|%)?\b/;

// ── media players: checked before the guard, which sends talk about music to the model ─────────
const PLAYER = '(?:tv|television|speakers?|radio)';
const PLAYED = `(?:music|songs?|tracks?|${PLAYER})`;
const WHERE = `(?: (?:in|on) (?:the )?(?:${ROOM}|${PLAYER}))?`;
/** "play the music in the kitchen", "pause the tv", "skip this song", "mute": the players themselves, never a named song. */
const MEDIA = new RegExp(
  `^(?:(?:play|stop)(?: the| some| this| my)?(?: ${ROOM})? ${PLAYED}${WHERE}|(?:pause|resume|unpause|mute|unmute|skip)(?:(?: the| this| my)?(?: ${ROOM})?(?: ${PLAYED})?${WHERE})?|(?:next|previous) (?:song|track)${WHERE})$`,
);
const VOLUME = /\b(?:volume|louder|quieter)\b/;
const VOLUME_VERB = /^(?:turn|set|make|put|raise|lower|increase|decrease|reduce|bump|crank|adjust|change|bring)\b/;
const PLAYING = new RegExp(`^what(?: song| music| track| show)? is playing${WHERE}$`);

function media(s: string): RouteDecision | null {
  if (MEDIA.test(s) || (VOLUME.test(s) && VOLUME_VERB.test(s))) return decision('action', 'home.command', 0.88);
  if (PLAYING.test(s)) return decision('action', 'home.query', 0.88);
  return null;
}

function home(s: string): RouteDecision | null {
  const device = HAS_DEVICE.test(s);
  const room = HAS_ROOM.test(s);
  if (QUERY_START.test(s) && (device || room || PRONOUN.test(s)) && (QUERY_STATE.test(s) || /^(?:what|which|how|status|check|did|have|has)/.test(s))) {
    return decision('action', 'home.query', device ? 0.9 : 0.75);
  }
  if (TEMP_QUERY.test(s) && !OUTSIDE.test(s)) return decision('action', 'home.query', 0.85);
  if (SCENE.test(s)) return decision('action', 'home.command', 0.9);
  if (MAKE_IT.test(s) || WARM_IT.test(s)) return decision('action', 'home.command', 0.85);
  if (FEEL.test(s) && !OUTSIDE.test(s)) return decision('action', 'home.command', 0.7);
  if (LOCK.test(s)) {
    if (LOCK_TARGET.test(s) || device) return decision('action', 'home.command', 0.92);
    return /^(?:lock|unlock)$/.test(s) ? decision('action', 'home.command', 0.6) : null;
  }
  if (VERB_ONOFF.test(s) && ONOFF.test(s)) {
    if (device || room) return decision('action', 'home.command', 0.93);
    if (PRONOUN.test(s)) return decision('action', 'home.command', 0.75);
    if (ONOFF_THING.test(s)) return decision('action', 'home.command', 0.55);
    return null;
  }
  if (DIM.test(s) && (device || room || /^(?:dim|brighten)\b/.test(s))) {
    if (/^(?:set|change|make|put|bring|adjust|open|close|shut)\b/.test(s) && !device && !TEMP_SET.test(s) && !COMPARATIVE.test(s)) return null;
    return decision('action', 'home.command', 0.9);
  }
  if (RUN.test(s) && device && !/\b(?:temperature|brightness|everything)\b/.test(s)) return decision('action', 'home.command', 0.85);
  const wanted = s.replace(WANT, '');
  if (wanted !== s && BARE_DEVICE.test(wanted) && (ONOFF.test(wanted) || / (?:to|at) /.test(wanted))) return decision('action', 'home.command', 0.85);
  if (BARE_DEVICE.test(s)) return decision('action', 'home.command', ONOFF.test(s) || / to /.test(s) ? 0.85 : 0.55);
  if (/^(?:i (?:want|need|would like)|give me|let us (?:have|get)) (?:the |some )?(?:more |less )?(?:light|lights|heat|warmth)\b/.test(s)) {
    return decision('action', 'home.command', 0.7);
  }
  return null;
}

const QUESTION_WORD = /^(?:what|who|why|how|when|where|which|is|are|do|does|did|can|could|should|would|will|tell|explain)\b/;
const COMMAND_VERB = /^(?:turn|switch|set|lock|unlock|dim|open|close|start|stop|activate|shut|put)\b/;

/** Routes one clause: no clause splitting here. */
export function classifyClause(s: string): RouteDecision & { fragment?: boolean } {
  if (!s) return decision('interaction', 'chat', 0.3);
  const inst = instant(s);
  if (inst) return inst;
  const played = media(s);
  if (played) return played;
  if (GUARD_START.test(s) || GUARD_WORDS.test(s)) return decision('interaction', 'chat', 0.9);
  const h = home(s);
  if (h) return h;
  const words = s.split(' ').length;
  if (COMMAND_VERB.test(s)) return decision('interaction', 'chat', 0.5); // a command for nothing we know: worth a second opinion
  if (HAS_DEVICE.test(s) && words <= 5 && !QUESTION_WORD.test(s)) return { ...decision('action', 'home.command', 0.45), fragment: true };
  if (QUESTION_WORD.test(s) || words >= 6) return decision('interaction', 'chat', 0.85);
  return { ...decision('interaction', 'chat', 0.65), fragment: words <= 3 };
}

export { GUARD_START };
