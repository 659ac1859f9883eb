/**
 * The router (meta agent): which agent answers, with an intent name and a confidence, by rules in
 * microseconds. An optional model second opinion for low-confidence decisions, off unless an
 * `llm` is given.
 */
import type { LlmClient } from '../llm/index.js';
import type { RouteDecision, Router, TurnRequest } from '../turn/index.js';
import { classifyClause, instant, GUARD_START } from './router-rules.js';
import { stripPolite } from './text/polite.js';
import { refineWithModel } from './router-refine.js';
import { routeWithClientTools } from './router-tools.js';
import { readUtterance } from './router-text.js';
import { markHome, type HomeVocabulary } from './router-vocabulary.js';
import { assistantNames } from './text/names.js';

export type { Router, RouteDecision };

export interface RouterOptions {
  /** Enables `refine`: asks this model when the rules are unsure. */
  llm?: LlmClient;
  /** Model for the second opinion; the client's default when omitted. */
  model?: string;
  /** Ask the model only below this confidence. Default 0.6. */
  refineBelow?: number;
  /** Give up on the model after this long and keep the rule decision. Default 2500 ms. */
  refineTimeoutMs?: number;
  /** The name the assistant answers to (ASSISTANT_NAME), dropped like "hey Barnabee". Barnabee and its mishearings always are. */
  assistantName?: string;
  /**
   * The home's names, aliases and areas (router-vocabulary.ts `watchHomeVocabulary(home).current`):
   * read on every call, so it must be a snapshot, never a fetch. Without it only generic words
   * ("the lights", "the thermostat") say an utterance is about the home.
   */
  vocabulary?: () => HomeVocabulary | undefined;
  /**
   * Barnabee drives a real home (Home Assistant): home commands of a request that brings its own
   * tools still go to the action agent. Off (the simulated home): they go to the model with the
   * client's tools, and the simulated home is never touched for such a request.
   */
  realHome?: boolean;
}

const SEPARATORS = new Set(['and', 'then', ',', 'also', 'but', 'afterwards']);
const LEAD_GREETING = /^(?:hey|hi|hello|yo|ok|good (?:morning|afternoon|evening)) (?:there )?(?=\S)/;

/**
 * `decide` on a clause without its politeness, and when that says nothing, once more without a
 * leading greeting: "hey turn on the lights" is "hey, turn on the lights" without the comma.
 */
function withoutGreeting<T>(s: string, decide: (s: string) => T, saysNothing: (d: T) => boolean): T {
  s = stripPolite(s);
  const d = decide(s);
  if (!saysNothing(d) || !LEAD_GREETING.test(s)) return d;
  return decide(stripPolite(s.replace(LEAD_GREETING, '')));
}

const isChat = (d: Clause): boolean => d.intent === 'chat';
const isNull = (d: unknown): boolean => d === null;

/** Enough for any request said in one breath; the rest of a longer text does not change the route. */
const MAX_CLAUSES = 12;

type Clause = RouteDecision & { fragment?: boolean };

export function createRouter(options: RouterOptions = {}): Router {
  const { llm, model, refineBelow = 0.6, refineTimeoutMs = 2500 } = options;
  const names = assistantNames(options.assistantName);
  const vocabulary = options.vocabulary ?? (() => undefined);

  const clause = (s: string): Clause => withoutGreeting(s, classifyClause, isChat);
  const instantClause = (s: string): RouteDecision | null => withoutGreeting(s, instant, isNull);

  const realHome = options.realHome === true;

  function classify(text: string, request?: TurnRequest): RouteDecision {
    return routeWithClientTools(classifyText(text), request, realHome);
  }

  function classifyText(text: string): RouteDecision {
    const home = vocabulary();
    const { tokens: read, corrections } = readUtterance(text, home?.corrector);
    const said = read.filter((t) => !names.has(t));
    const tokens = home ? markHome(said, home) : said;
    const whole = tokens.join(' ');
    // Instant answers never depend on the home's names: "good morning" greets even in a home with a "Good Morning" scene.
    const plain = tokens === said ? null : instantClause(said.join(' '));
    let d = plain?.agent === 'instant' ? plain : route(tokens, whole);
    if (corrections > 0) d = { ...d, confidence: round(d.confidence * (corrections > 1 ? 0.85 : 0.92)) };
    return { agent: d.agent, intent: d.intent, confidence: d.confidence };
  }

  function route(tokens: string[], whole: string): Clause {
    const first = clause(whole);
    if (first.intent !== 'chat' && first.agent === 'instant') return first; // "add 5 and 7", "heads or tails"
    if (!tokens.some((t) => SEPARATORS.has(t))) return first;
    if (GUARD_START.test(stripPolite(whole))) return first;

    const parts: Clause[] = [];
    let start = 0;
    for (let i = 0; i <= tokens.length && parts.length < MAX_CLAUSES; i++) {
      if (i < tokens.length && !SEPARATORS.has(tokens[i])) continue;
      if (i > start) parts.push(clause(tokens.slice(start, i).join(' ')));
      start = i + 1;
    }
    return combine(parts, first);
  }

  return {
    classify,
    refine: llm
      ? async (text, decision, signal, request) =>
          routeWithClientTools(
            decision.confidence < refineBelow ? await refineWithModel(text, decision, signal, { llm, model, timeoutMs: refineTimeoutMs }) : decision,
            request,
            realHome,
          )
      : undefined,
  };
}

const SOCIAL = new Set(['greeting', 'thanks']);

/** One decision for a compound request; `whole` is how the unsplit utterance routed. */
function combine(parts: Clause[], whole: Clause): Clause {
  const real: Clause[] = [];
  for (const p of parts) {
    if (p.fragment) {
      // "…the kitchen and living room lights": a fragment belongs to the clause before it.
      const prev = real[real.length - 1];
      if (prev && prev.agent === 'action' && p.agent === 'action') continue;
      if (prev && p.agent === 'interaction') continue;
      if (!prev && p.agent === 'interaction') continue;
    }
    real.push(p);
  }
  const meaningful = real.filter((p) => !SOCIAL.has(p.intent));
  const picked = meaningful.length ? meaningful : real;
  if (picked.length === 0) return whole;
  if (picked.length === 1) return picked[0];
  const conf = Math.min(...picked.map((p) => p.confidence));
  if (picked.every((p) => p.agent === 'action')) {
    const intent = picked.every((p) => p.intent === 'home.query') ? 'home.query' : 'home.command';
    return { agent: 'action', intent, confidence: round(Math.min(conf, 0.95)) };
  }
  if (picked.some((p) => p.agent === 'action' && !p.fragment)) {
    // A command plus something else: doing the command matters more than the small talk, but the
    // other half is lost, so this is a guess worth a second opinion.
    if (picked.every((p) => p.agent !== 'interaction' || p.confidence < 0.7)) return { agent: 'action', intent: 'home.command', confidence: 0.55 };
  }
  // Two instant answers, or anything with conversation in it: only the model can do all of it.
  return { agent: 'interaction', intent: 'chat', confidence: round(Math.max(0.6, Math.min(conf, 0.85))) };
}

const round = (x: number) => Math.round(x * 100) / 100;
