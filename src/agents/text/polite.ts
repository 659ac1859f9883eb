/**
 * Politeness and framing around a request, stripped so the rules see the request itself: "could
 * you please turn on the lights for me" → "turn on the lights". The one stripper for the router,
 * the instant agent and the action agent; runs on normalized text (normalize.ts).
 */
import { PLAIN_VERBS } from './normalize.js';

const LEAD_FILLER =
  /^(?:please|kindly|just|so|um|uh|hmm|well|ok|alright|right|oh|and|also|actually|quickly|excuse me|sorry|hey there|(?:hey|hi)(?= (?!there$))|now|yes|great|perfect|awesome|cool(?! (?:it|things|the|us|down)\b)|nice) /;
/** "let us" is politeness only before a command ("let us turn on the lights"), not in "let us talk". */
const COMMAND = '(?:turn|switch|lock|unlock|dim|brighten|set|open|close|start|stop|make|put|shut)\\b';
const LEAD_ASK = new RegExp(
  '^(?:(?:would|do) you mind |(?:would|could|will) you be (?:so kind as|kind enough|good enough) to |(?:can|could|would|will) you (?:please |kindly |just |quickly |maybe |possibly )?|' +
    '(?:i want|i would like|i need|i wish) (?:you )?to (?!know\\b)|go ahead and |be a dear and |do me a favou?r and |is it possible to |are you able to |could i get you to |' +
    `i want to know |i would like to know |i need to know |do you know |can you tell me |could you tell me |let me know |let us (?=${COMMAND}))`,
);
const LEAD_ASK_CHECK = /^(?:can|could|would|will) you (?:please |kindly |just |quickly |maybe |possibly )?(?:tell|let) me /;
const TAIL_FILLER =
  / (?:please|for me|thanks|thank you|right now|now|if you can|if you could|if you would|if you do not mind|quickly|real quick|pretty please|would you|will you|could you|ok|for a second|asap|mate|buddy)$/;
const GERUND = new RegExp(`^(?:${Object.keys(PLAIN_VERBS).join('|')})\\b`);

/** Strips politeness at both ends, repeatedly ("ok so could you please …"), and reads a leading "turning" as "turn". */
export function stripPolite(s: string): string {
  for (let k = 0; k < 6; k++) {
    const before = s;
    s = s
      .replace(LEAD_FILLER, '')
      .replace(LEAD_ASK_CHECK, '')
      .replace(LEAD_ASK, '')
      .replace(TAIL_FILLER, '')
      .replace(GERUND, (g) => PLAIN_VERBS[g])
      .replace(/^, |, ?$/g, '')
      .trim();
    if (s === before) break;
  }
  return s;
}
