/**
 * A fresh routing corpus, written before the rules were changed for it and never tuned on one
 * sentence at a time: paraphrases, indirect phrasings, speech-to-text style (lower case, no
 * punctuation), politeness, chat that mentions devices, and two homes — the default house and a
 * cottage (test/fixtures/cottage.ts) whose device and room names no rule was written for.
 *
 * `HELD_OUT` is kept apart: it was run once, at the end, and reported separately
 * (bench/RESULTS.md); changing the rules because of it would spoil it. One of its phrasings has
 * been ruled for since ("what day is it tomorrow": the date and weekday rules now take any tense and
 * day order, 2026-12-03), so for that phrasing the set is no longer unseen.
 */
import type { AgentKind } from '../../src/turn/events.js';

export type HomeName = 'default' | 'cottage';

export interface FreshUtterance {
  text: string;
  agent: AgentKind;
  home: HomeName;
}

const make =
  (home: HomeName, agent: AgentKind) =>
  (...texts: string[]): FreshUtterance[] =>
    texts.map((text) => ({ text, agent, home }));

const houseAct = make('default', 'action');
const houseChat = make('default', 'interaction');
const houseInstant = make('default', 'instant');
const cottageAct = make('cottage', 'action');
const cottageChat = make('cottage', 'interaction');
const cottageInstant = make('cottage', 'instant');

export const FRESH: FreshUtterance[] = [
  // ── the default house ───────────────────────────────────────────────────────────────────────
  ...houseAct(
    'could you get the counter lights on for me',
    'kitchen ceiling light off please',
    'hey barnabee kill the porch light',
    'would you be so kind as to switch the desk lamp on',
    'i need the bedside lamp on',
    'lights out in the office',
    'can we have the living room lamp at forty percent',
    'knock the hallway light down a bit',
    "it's way too dark in the bedroom",
    'start the coffee machine',
    'get the coffee going',
    'fire up the office fan',
    'make sure the front door is locked',
    'lock up the garage please',
    'is the back door unlocked',
    'did anybody leave the porch light on',
    'what lights are on right now',
    'what temperature is the thermostat set to',
    'bump the heating up two degrees',
    "i'm a bit chilly",
    'set the thermostat to nineteen and a half',
    'turn the heat down',
    'movie night please',
    'can you put on movie mode',
    'goodnight barnabee',
    'turn the reading light off',
    'switch off every light in the house',
    'is anything still on downstairs',
    'please turn off the floor lamp and the desk lamp',
    'turn on the dishwasher',
    'switch the washing machine off',
    'open the front door',
  ),
  ...houseChat(
    'how does a smart thermostat save energy',
    'what kind of coffee maker makes the best espresso',
    'should i lock my front door when i am home',
    'is it bad to sleep with a fan on',
    'write a short poem about a porch light',
    "what's the difference between led and halogen bulbs",
    'why do my lights flicker sometimes',
    'recommend a good lamp for reading',
    'tell me something interesting about octopuses',
    'can you help me plan a birthday party',
    "i'm thinking about painting the kitchen blue what do you think",
    'who invented the light bulb',
  ),
  ...houseInstant(
    'hey barnabee what time is it',
    'whats the time please',
    'what day of the month is it',
    'what is twenty five times four',
    'how much is a hundred minus thirty seven',
    "what's 15% of 60",
    'convert 5 kilometers to miles',
    'how many grams in a pound',
    'toss a coin for me',
    'thanks a lot',
    'good evening barnabee',
  ),

  // ── the cottage ─────────────────────────────────────────────────────────────────────────────
  ...cottageAct(
    'turn on the christmas tree',
    'switch the christmas tree off',
    'christmas tree on please',
    'could you light up the tree',
    'turn off the aquarium pump',
    'is the aquarium pump running',
    'put the fish tank pump back on',
    'switch on the sauna',
    'can you heat up the sauna',
    'is the sauna on',
    'patio string lights on',
    'kill the fairy lights',
    'turn the patio string lights off in the garden',
    'dim the conservatory pendant to twenty percent',
    'make the conservatory brighter',
    'lights off in the loft',
    'turn everything off in the den',
    'the reading nook lamp on please',
    'switch on the skylight strip',
    'turn on the heated towel rail',
    'towel rail off',
    'switch off the dehumidifier',
    'is the dehumidifier still running',
    'did i leave the electric blanket on',
    'warm up the electric blanket',
    'lock the cellar door',
    'is the side gate locked',
    'unlock the garden gate',
    'set the underfloor heating to 21 degrees',
    'turn the floor heating down a little',
    'cosy evening',
    'activate the cosy evening scene',
    'play the record player',
    'turn on the turntable and the den sconces',
    'are any lights on in the conservatory',
  ),
  ...cottageChat(
    'is it safe to leave a christmas tree lit overnight',
    'how long should an aquarium pump run each day',
    'what temperature should a sauna be',
    'are electric blankets bad for you',
    'should i run the dehumidifier all winter',
    'what plants grow well in a conservatory',
    "what's the history of the christmas tree",
    'how do i clean a fish tank',
    'is it a good idea to leave the lights on when i travel',
    'tell me a story about a record player',
    'how much electricity does a sauna use',
    'why is my towel rail not getting hot',
  ),
  ...cottageInstant(
    'what time is it',
    'what is 12 times 12',
    'roll a dice',
    'what is today',
    'how many centimeters in an inch',
    'thank you barnabee',
  ),
];

/** Run once, at the end; not for tuning. */
export const HELD_OUT: FreshUtterance[] = [
  ...houseAct(
    'could you possibly turn the kitchen light on',
    'shut the office fan off',
    'brighten the living room a bit',
    'is the garage door locked',
    'i want the porch light on please',
    'turn the thermostat up to twenty two',
    'lock the doors',
    'how warm is it in the house',
    'turn off the oven',
  ),
  ...houseChat(
    'how often should i descale a coffee maker',
    'what is the best temperature for sleeping',
    'can you explain how a deadbolt works',
    'give me some tips for saving energy at home',
    'what do you know about home automation',
  ),
  ...houseInstant('what is the date today', 'calculate 18 divided by 3', 'what is 7 plus 8', 'hello there'),
  ...cottageAct(
    'please switch the christmas tree on',
    'turn the tree lights off',
    'fish tank off',
    'sauna heater on please',
    'is the record player on',
    'lights on in the den',
    'dim the sconces',
    'lock the side gate',
    'turn the electric blanket off',
    'are the fairy lights on',
    'switch on the nook lamp',
    'set the floor heating to 20',
  ),
  ...cottageChat(
    'how do christmas tree lights work',
    'is a sauna good for your health',
    'what fish are easy to keep in an aquarium',
    'what should i put in my loft conversion',
    'tell me a joke about a dehumidifier',
  ),
  ...cottageInstant('what day is it tomorrow', 'what is 9 squared', 'flip a coin'),
];
