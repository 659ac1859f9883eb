/**
 * The action agent: device commands and state questions answered from rules, in one piece. One
 * `action` part per service call carried out, then one spoken `chunk`. A model is asked (once,
 * non-streaming, JSON) only when the rules cannot parse the request.
 */
import type { Agent, AgentContext, AgentPart, RouteDecision, TurnRequest } from '../turn/index.js';
import type { LlmClient } from '../llm/index.js';
import type { HomeBackend } from './home/index.js';
import { actionCorrector, parseCommands, type Command } from './action-parse.js';
import type { Corrector } from './text/typos.js';
import { resolveTarget, type HomeIndex } from './action-resolve.js';
import { domainsFor, emptyMeansAll, groupFor, keptAs, planCommand, stepsForCalls, type ServiceCall, type Step } from './action-plan.js';
import { yesNo, type ConversationMemory } from './action-memory.js';
import { parsePlan, planPrompt } from './action-llm.js';
import { assistantNames } from './text/names.js';
import { askFirst, carryOut, errorPart, homeName, type HomeControl } from './home-control.js';

export interface ActionAgentOptions {
  /** The home and the memory of questions waiting for a yes, shared with the interaction agent's tools (home-control.ts). */
  control: HomeControl;
  /** Asked only when the rules cannot parse a command. */
  llm?: LlmClient;
  /** Model for that call; the client's default when unset. */
  model?: string;
  /** The name the assistant answers to ("hey Barnabee, …"), dropped before parsing. Barnabee and its mishearings always are. */
  assistantName?: string;
}

export const CONFIRM_INTENT = 'home.confirm';
/** "a dishwasher", "an oven", "any bathroom lights": how a missing device is named back. */
const aOrAny = (phrase: string) => `${/[^s]s$/.test(phrase) ? 'any' : /^[aeiou]/.test(phrase) ? 'an' : 'a'} ${phrase}`;

/**
 * Typo correction towards the rules' words and the home's. Kept per index, which home-control.ts
 * rebuilds only when a name, alias or area changes (its copies share `vocabulary`).
 */
const correctors = new WeakMap<Set<string>, Corrector>();
function correctorOf(index: HomeIndex): Corrector {
  let corrector = correctors.get(index.vocabulary);
  if (!corrector) correctors.set(index.vocabulary, (corrector = actionCorrector(index.vocabulary)));
  return corrector;
}

export function createActionAgent(options: ActionAgentOptions): Agent {
  const { llm, model } = options;
  const names = assistantNames(options.assistantName);
  const { home, memory } = options.control;

  return {
    kind: 'action',

    intercept(request: TurnRequest, conversationId: string): RouteDecision | null {
      // Only the client that was asked sees its question; from anyone else this is a new request.
      if (!memory.peek(conversationId, request.confirm_scope)) return null;
      if (yesNo(request.text, names)) return { agent: 'action', intent: CONFIRM_INTENT, confidence: 1 };
      // Anything else abandons the question, so a later stray "yes" cannot unlock a door.
      memory.drop(conversationId, request.confirm_scope);
      return null;
    },

    async *run(ctx: AgentContext): AsyncIterable<AgentPart> {
      const { conversationId, signal } = ctx;
      const text = ctx.request.text;
      const scope = ctx.request.confirm_scope;
      const answer = yesNo(text, names);
      const pending = answer ? memory.take(conversationId, scope) : undefined;
      if (pending) {
        if (answer === 'no') return yield say(`Okay, I'll leave ${keptAs(pending.calls)}.`);
        const outcome = yield* carryOut(stepsForCalls(pending.calls).map((step) => ({ step, calls: [...step.calls, ...step.confirm] })), home, signal);
        if (outcome.aborted) return;
        return yield say(outcome.sentences.join(' '));
      }
      if (ctx.route.intent === CONFIRM_INTENT)
        return yield say(answer ? "There's nothing waiting for a yes or no. That question may have expired, so please ask again." : "Sorry, I didn't catch that.");

      let index: HomeIndex;
      try {
        index = await options.control.read(signal);
      } catch (err) {
        if (signal.aborted) return;
        yield errorPart(err);
        return yield say(`Sorry, I can't reach ${homeName(home)} right now.`);
      }
      const parsed = parseCommands(text, correctorOf(index), names);

      const planned = parsed.ok ? plan(parsed.commands, index, ctx) : undefined;
      if (!planned || planned.unresolved.length) {
        if (llm) return yield* fallback(llm, model, home, index, ctx, memory);
        // Without a verb there is nothing to report as "not found": the words were not a command.
        if (!planned || planned.unparsed) return yield say("Sorry, I couldn't work out what to do with that.");
      }
      const { steps, unresolved } = planned;

      const outcome = yield* carryOut(steps.map((step) => ({ step, calls: step.calls })), home, signal);
      if (outcome.aborted) return;
      const sentences = [...outcome.sentences];
      for (const phrase of unresolved) sentences.push(phrase ? `I can't find ${aOrAny(phrase)}.` : "I'm not sure which device you mean.");
      for (const s of steps) if (s.say) sentences.push(s.say);

      const confirm = steps.flatMap((s) => s.confirm);
      if (confirm.length) sentences.push(askFirst(memory, ctx, confirm));
      memory.setRecent(conversationId, [...steps.flatMap((s) => s.calls), ...confirm].map((c) => c.entity.entity_id));
      yield say(sentences.join(' ') || 'Done.');
    },
  };

  function plan(commands: Command[], index: HomeIndex, ctx: AgentContext): { steps: Step[]; unresolved: string[]; unparsed: boolean } {
    const steps: Step[] = [];
    const unresolved: string[] = [];
    let unparsed = false;
    const queried: string[] = [];
    for (const c of commands) {
      const r = resolveTarget(index, c.target, {
        domains: domainsFor(c),
        room: ctx.request.room,
        previous: memory.getRecent(ctx.conversationId),
        emptyMeansAll: emptyMeansAll(c),
        group: groupFor(c),
      });
      if (!r.ok) {
        if (c.kind === 'power' && c.implicit) unparsed = true;
        // An unknown pronoun ("turn it off" with nothing said before) has no name to repeat back.
        unresolved.push(/^(?:it|them|that|those|these|this|they)?$/.test(r.phrase) ? '' : r.phrase.replace(/^(?:the|a|an|my) /, ''));
        continue;
      }
      if (c.kind === 'query') queried.push(...r.entities.map((e) => e.entity_id));
      steps.push(...planCommand(c, r));
    }
    // Remember what a question was about, so "turn it off" can follow "is the porch light on?".
    if (queried.length) memory.setRecent(ctx.conversationId, queried);
    return { steps, unresolved, unparsed };
  }
}

/** The spoken answer: always exactly one done chunk. */
const say = (text: string): AgentPart => ({ type: 'chunk', text, done: true });

async function* fallback(
  llm: LlmClient,
  model: string | undefined,
  home: HomeBackend,
  index: HomeIndex,
  ctx: AgentContext,
  memory: ConversationMemory,
): AsyncGenerator<AgentPart> {
  const { signal, conversationId } = ctx;
  let reply;
  try {
    reply = await llm.complete(
      { messages: planPrompt([...index.byId.values()], ctx.request.text), model, temperature: 0, max_tokens: 400, response_format: { type: 'json_object' } },
      { signal },
    );
  } catch (err) {
    if (signal.aborted) return;
    const e = err as { code?: unknown; message?: unknown; retryable?: unknown };
    yield {
      type: 'error',
      code: typeof e.code === 'string' ? `llm_${e.code}` : 'llm_failed',
      message: typeof e.message === 'string' ? e.message : 'The model call failed.',
      retryable: e.retryable === true,
    };
    return yield say("Sorry, I couldn't work that out right now.");
  }
  if (reply.usage)
    yield { type: 'usage', model: reply.model, prompt_tokens: reply.usage.prompt_tokens, completion_tokens: reply.usage.completion_tokens, cost_usd: reply.usage.cost_usd };
  yield { type: 'model.timing', model: reply.model, ttft_ms: reply.timing.ttft_ms, tokens_per_s: reply.timing.tokens_per_s };

  const result = parsePlan(reply.text, index.byId);
  if (!result.ok) return yield say("Sorry, I couldn't work out what you'd like me to do.");

  // The safety policy holds back what waits for a yes (each step's `confirm`); the rest runs now.
  const steps = stepsForCalls(result.calls);
  const later = steps.flatMap((s) => s.confirm);
  const outcome = yield* carryOut(steps.map((step) => ({ step, calls: step.calls })), home, signal);
  if (outcome.aborted) return;
  const sentences = [...outcome.sentences];
  if (later.length) sentences.push(askFirst(memory, ctx, later));
  memory.setRecent(conversationId, result.calls.map((c) => c.entity.entity_id));
  yield say(sentences.join(' ') || 'Done.');
}
