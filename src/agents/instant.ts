/**
 * The instant agent: answers without a model, in microseconds, in one spoken sentence. Time, date
 * and weekday in the configured zone, arithmetic, unit conversions, greetings and thanks, what it
 * can do, coins and dice.
 */
import type { Agent, AgentContext, AgentPart } from '../turn/index.js';
import { sayCoin, parseDice, sayRoll, MAX_DICE, MAX_SIDES } from './instant-chance.js';
import { relativeDay, sayDate, sayTime, sayWeekday } from './instant-clock.js';
import { placeIn } from './instant-zones.js';
import { stripPolite } from './text/polite.js';
import { readUtterance } from './router-text.js';
import { assistantNames } from './text/names.js';
import { evaluate, MathError, parseMath, parsePercentOf, sayExpr } from './words-math.js';
import { speakMeasure, speakNumber } from '../numbers.js';
import { parseConversion } from './words-units.js';

export interface InstantAgentOptions {
  /** IANA zone for time and date answers, e.g. `Europe/London`. */
  timeZone: string;
  assistantName?: string;
  /** Source of chance for coins, dice and phrasing; `Math.random` by default. */
  random?: () => number;
}

const CANNOT = "Sorry, I can't answer that one right away.";

export function createInstantAgent(options: InstantAgentOptions): Agent {
  const { timeZone, assistantName = 'Barnabee', random = Math.random } = options;
  // Fail at construction, not mid-turn, on a zone Intl does not know.
  new Intl.DateTimeFormat('en-US', { timeZone });
  const names = assistantNames(assistantName);

  /** The utterance as the router saw it: normalized, typos fixed, wake word and politeness gone. */
  const clean = (text: string) => stripPolite(readUtterance(text).tokens.filter((t) => !names.has(t)).join(' '));
  const pick = (options: readonly string[]) => options[Math.min(options.length - 1, Math.floor(random() * options.length))];

  function answer(ctx: AgentContext): string {
    const text = ctx.request.text;
    switch (ctx.route.intent) {
      case 'time.now': {
        const place = placeIn(clean(text));
        return place ? sayTime(ctx.now, place.timeZone).replace(/\.$/, ` in ${place.name}.`) : sayTime(ctx.now, timeZone);
      }
      case 'date.today':
        return sayDate(ctx.now, timeZone, relativeDay(text));
      case 'date.weekday':
        return sayWeekday(ctx.now, timeZone, relativeDay(text));
      case 'math.evaluate':
      case 'math.percent':
        return math(clean(text));
      case 'units.convert':
        return units(clean(text));
      case 'greeting':
        return greet(clean(text));
      case 'thanks':
        return pick(["You're welcome.", 'Happy to help.', 'Any time.']);
      case 'capabilities':
        return (
          `I'm ${assistantName}. I can switch your lights and other devices, set the thermostat, lock the doors and run scenes, ` +
          'tell you the time and date, do quick math and unit conversions, flip a coin or roll dice, and chat about almost anything.'
        );
      case 'coin.flip':
        return sayCoin(random);
      case 'dice.roll': {
        const spec = parseDice(clean(text));
        return spec ? sayRoll(spec, random) : `I can roll up to ${MAX_DICE} dice with 2 to ${MAX_SIDES} sides each.`;
      }
      default:
        return CANNOT;
    }
  }

  function greet(s: string): string {
    const part = /^good (morning|afternoon|evening|day)\b/.exec(s)?.[1];
    if (part) return `Good ${part}! What can I do for you?`;
    if (/^how (?:are you|is it going|are things|have you been)/.test(s)) return "I'm doing well, thanks for asking. How can I help?";
    return pick(['Hello! What can I do for you?', 'Hi there! How can I help?', 'Hey! What can I do for you?']);
  }

  return {
    kind: 'instant',
    async *run(ctx: AgentContext): AsyncIterable<AgentPart> {
      yield { type: 'chunk', text: answer(ctx), done: true };
    },
  };
}

function math(s: string): string {
  const ratio = parsePercentOf(s);
  if (ratio) {
    if (ratio.whole === 0) return "You can't take a percentage of zero.";
    return `${capital(num(ratio.part))} is ${approx(ratio.part / ratio.whole * 100)} percent of ${num(ratio.whole)}.`;
  }
  const expr = parseMath(s);
  if (!expr) return "Sorry, I couldn't work that out.";
  let value: number;
  try {
    value = evaluate(expr);
  } catch (err) {
    if (err instanceof MathError) return err.message;
    throw err;
  }
  if (!Number.isFinite(value)) return "That's too big a number for me.";
  const said = sayExpr(expr, speakNumber);
  return said ? `${capital(said)} is ${approx(value)}.` : `That's ${approx(value)}.`;
}

function units(s: string): string {
  const c = parseConversion(s);
  if (!c) return "Sorry, I couldn't work out that conversion.";
  if ('error' in c) return c.error;
  const result = speakMeasure(c.result);
  if (result === null) return "That's too big a number for me.";
  const exact = Math.abs(Number(result.replace('minus ', '-')) - c.result) <= 1e-9 * Math.max(1, Math.abs(c.result));
  const fromName = c.value === 1 ? c.from.singular : c.from.plural;
  const toName = Number(result.replace('minus ', '-')) === 1 ? c.to.singular : c.to.plural;
  const about = exact ? '' : 'about ';
  if (c.howMany && c.value === 1 && c.from.dim !== 'temperature') return `There are ${about}${result} ${toName} in ${indefinite(c.from.singular)}.`;
  return `${capital(num(c.value))} ${fromName} is ${about}${result} ${toName}.`;
}

const num = (x: number) => speakNumber(x) ?? String(x);

/** The number as said, with "about" when saying it rounded it. */
function approx(x: number): string {
  const said = num(x);
  const back = Number(said.replace(/^minus /, '-'));
  return Number.isFinite(back) && Math.abs(back - x) > 1e-9 * Math.max(1, Math.abs(x)) ? `about ${said}` : said;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "a mile", "an ounce", "an hour". */
const indefinite = (noun: string) => (/^(?:[aeiou]|hour)/.test(noun) ? `an ${noun}` : `a ${noun}`);
