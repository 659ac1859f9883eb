/**
 * The interaction agent: everything the router does not answer by rule goes to the language
 * model, streamed. Text deltas become `chunk` parts as they arrive (reasoning never does); a model
 * failure becomes a short spoken apology plus an `error` part, so the turn still ends cleanly.
 *
 * Home tools (docs/protocol.md, "Home tools"): with a home, the model is offered it as tools
 * (home-tools.ts) and the answer runs in rounds: stream a round, run the calls it made (each an
 * `action` part per service call, then a `tool_result`), hand the results back, stream the next
 * round — at most `MAX_MODEL_ROUNDS`, then a spoken apology. Text the model writes before a call
 * is spoken at once (`speech.flush` when the call starts), and `turn.end.text` holds every round.
 *
 * Client tools (docs/protocol.md, "Client tools"): a request that brings `tools` offers them to the
 * model instead, with the client's own instructions for them (its system messages) after the
 * persona; the model's calls become `tool_call` parts for the client to run. The client's next
 * request carries the calls and their results after the utterance (`continuation`).
 */
import { malformedToolCall, type AnswerCut, type ChatMessage, type LlmClient, type StreamTiming, type ToolCall, type Usage } from '../llm/index.js';
import { redact, type Agent, type AgentContext, type AgentPart, type ContextMessage } from '../turn/index.js';
import { systemPrompt } from './interaction-prompt.js';
import type { HomeControl } from './home-control.js';
import { HOME_TOOLS, runHomeTools } from './home-tools.js';

/** Most model requests one turn makes: a model that keeps calling tools is stopped here. */
export const MAX_MODEL_ROUNDS = 4;

/** Said after what the tools did when the model fails in a later round. */
const UNFINISHED = "Sorry, I couldn't finish my answer after that.";

export interface InteractionAgentOptions {
  llm: LlmClient;
  /** Defaults to the client's configured model. */
  model?: string;
  fallbacks?: string[];
  temperature?: number;
  maxTokens?: number;
  timeZone: string;
  assistantName?: string;
  /**
   * The home (shared with the action agent: same backend, same questions waiting for a yes). Its
   * devices are offered to the model as tools; without it the model is told it cannot operate any.
   */
  control?: HomeControl;
}

export function createInteractionAgent(options: InteractionAgentOptions): Agent {
  const { llm, control } = options;
  const assistantName = options.assistantName ?? 'Barnabee';

  return {
    kind: 'interaction',
    async *run(ctx: AgentContext): AsyncGenerator<AgentPart, void, undefined> {
      const clientTools = ctx.request.tools?.length ? ctx.request.tools : undefined;
      // A client that brings its own tools runs its own home: the two are never mixed.
      const home = clientTools ? undefined : control;
      const tools = clientTools ?? (home ? HOME_TOOLS : undefined);
      const clientInstructions = clientTools
        ? ctx.history
            .filter((m) => m.role === 'system')
            .map((m) => m.content)
            .join('\n\n')
        : '';
      const messages: ChatMessage[] = [
        {
          role: 'system',
          content: systemPrompt({
            assistantName,
            timeZone: options.timeZone,
            now: ctx.now,
            speaker: ctx.request.speaker,
            room: ctx.request.room,
            devices: clientTools ? 'client' : home ? 'tools' : 'none',
          }),
        },
        // Client-supplied system messages would override the persona; only a client that brings its
        // own tools also brings the instructions for them, and those follow the persona.
        ...(clientInstructions ? [{ role: 'system' as const, content: clientInstructions }] : []),
        // Tool calls in the history only where tools are offered: some model APIs refuse them otherwise.
        ...ctx.history.filter((m) => m.role !== 'system').flatMap((m) => (tools ? [toChatMessage(m)] : textOnly(m))),
        { role: 'user', content: ctx.request.text },
        ...(ctx.request.continuation ?? []).filter((m) => m.role !== 'system').map(toChatMessage),
      ];

      /** Everything said so far this turn, across rounds. */
      let said = '';
      /** What the home tools did this turn, in words: it happened, whatever becomes of the answer. */
      const done: string[] = [];
      let usage: Usage | null = null;
      let model = options.model ?? llm.defaultModel;
      let timing: StreamTiming | null = null;
      let truncated: AnswerCut | undefined;
      /** Set between rounds: the next text starts a new piece of the answer. */
      let fresh = false;
      /** Text of the answer; a new piece gets a space after what came before, where needed. */
      const chunk = (text: string, done = false): AgentPart => {
        const gap = fresh && text && said && !/\s$/.test(said) && !/^\s/.test(text) ? ' ' : '';
        if (text) fresh = false;
        said += gap + text;
        return { type: 'chunk', text: gap + text, done };
      };

      const fail = function* (err: unknown): Generator<AgentPart> {
        const failure = describeFailure(err);
        // After a tool did something, "please try again" would be wrong (and a retry may repeat it): the listener hears what was done.
        fresh = true;
        yield chunk(done.length ? `${done.join(' ')} ${UNFINISHED}` : said ? '' : apology(failure.code), true);
        yield { type: 'error', ...failure };
      };

      for (let n = 1; ; n++) {
        fresh = true;
        // One model request, streamed. Read here rather than in a generator of its own: every
        // generator a token passes through costs it a promise and a result object.
        let text = '';
        const calls: ToolCall[] = [];
        let calling = false;
        try {
          const stream = llm.stream(
            {
              messages,
              model: options.model,
              fallbacks: options.fallbacks,
              temperature: options.temperature,
              max_tokens: options.maxTokens,
              ...(tools ? { tools } : {}),
            },
            { signal: ctx.signal, gather: ctx.gather },
          );
          for await (const part of stream) {
            switch (part.type) {
              case 'text-delta':
                if (part.text) {
                  text += part.text;
                  yield chunk(part.text);
                }
                break;
              case 'tool-call-delta':
                // The model stopped writing to call a tool: what it wrote is spoken now, not after the tool.
                if (!calling && said) yield { type: 'speech.flush' };
                calling = true;
                break;
              case 'tool-call':
                calls.push(part);
                break;
              case 'reasoning-delta':
                // Shown as it streams (a `reasoning` event); never spoken, never in the text or history.
                if (part.text) yield { type: 'reasoning', text: part.text };
                break;
              case 'usage':
                usage = addUsage(usage, part.usage);
                break;
              case 'finish':
                model = part.model || model;
                // The first round's time to first token is the one the listener waited for.
                timing ??= part.timing;
                // Stopped at max_tokens by the upstream, or cut by the client's own bound (budget.ts).
                if (part.reason === 'length') truncated = part.cut ?? 'max_tokens';
                break;
            }
          }
        } catch (err) {
          // Aborted: the runner has already ended the turn; nobody is listening.
          if (ctx.signal.aborted) return;
          return yield* fail(err);
        }
        if (!calls.length) break;
        if (clientTools) {
          // A client's broken call is refused, never handed on as if the model had meant it.
          const broken = calls.find((c) => c.error);
          if (broken) return yield* fail(malformedToolCall(broken.error!, model));
          for (const c of calls) yield { type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments };
          break;
        }
        fresh = true;
        if (!home || n >= MAX_MODEL_ROUNDS) {
          // Calls the model may not make (or no more of them): none is run, and the listener hears why.
          yield chunk("Sorry, I couldn't finish that. I stopped before doing anything more.");
          break;
        }
        if (ctx.signal.aborted) return;
        const outcome = yield* runHomeTools(calls, home, ctx);
        if (outcome.aborted || ctx.signal.aborted) return;
        done.push(...outcome.done);
        messages.push(
          { role: 'assistant', content: text, tool_calls: calls.map(toolCallRef) },
          ...outcome.runs.map((t): ChatMessage => ({ role: 'tool', content: t.content, tool_call_id: t.call.id })),
        );
        // Waiting for a spoken yes: Barnabee asks, exactly as the action agent does, and the turn ends.
        if (outcome.ask) {
          yield chunk(outcome.ask);
          break;
        }
      }

      yield chunk('', true);
      if (usage) yield { type: 'usage', model, prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, cost_usd: usage.cost_usd };
      yield {
        type: 'model.timing',
        model,
        ttft_ms: timing?.ttft_ms ?? null,
        tokens_per_s: timing?.tokens_per_s ?? null,
        ...(truncated ? { truncated } : {}),
      };
    },
  };
}

/** Usage of several rounds, added up (cost stays null only while no round reported one). */
function addUsage(total: Usage | null, u: Usage): Usage {
  if (!total) return u;
  return {
    prompt_tokens: total.prompt_tokens + u.prompt_tokens,
    completion_tokens: total.completion_tokens + u.completion_tokens,
    reasoning_tokens: total.reasoning_tokens + u.reasoning_tokens,
    cached_tokens: total.cached_tokens + u.cached_tokens,
    total_tokens: total.total_tokens + u.total_tokens,
    cost_usd: total.cost_usd === null && u.cost_usd === null ? null : (total.cost_usd ?? 0) + (u.cost_usd ?? 0),
  };
}

const toolCallRef = (c: ToolCall) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: JSON.stringify(c.arguments) } });

/** A history message without tool calls: an assistant's text, nothing of a tool's result. */
const textOnly = (m: ContextMessage): ChatMessage[] => (m.role === 'tool' ? [] : m.role === 'assistant' ? (m.content ? [{ role: 'assistant', content: m.content }] : []) : [{ role: m.role, content: m.content }]);

/** A context message as the model API takes it: tool calls and results keep their ids. */
function toChatMessage(m: ContextMessage): ChatMessage {
  switch (m.role) {
    case 'assistant':
      return m.tool_calls?.length ? { role: 'assistant', content: m.content, tool_calls: m.tool_calls } : { role: 'assistant', content: m.content };
    case 'tool':
      return { role: 'tool', content: m.content, tool_call_id: m.tool_call_id };
    default:
      return { role: m.role, content: m.content };
  }
}

interface Failure {
  code: string;
  message: string;
  retryable: boolean;
}

function describeFailure(err: unknown): Failure {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; retryable?: unknown } | null;
  if (e && e.name === 'LlmError' && typeof e.code === 'string') {
    return {
      code: `llm_${e.code}`,
      message: redact(typeof e.message === 'string' ? e.message : 'The language model failed.'),
      retryable: e.retryable === true,
    };
  }
  return { code: 'llm_failed', message: redact(err instanceof Error ? err.message : String(err)), retryable: false };
}

function apology(code: string): string {
  switch (code) {
    case 'llm_rate_limited':
      return "Sorry, I'm getting too many requests right now. Please try again in a moment.";
    case 'llm_timeout':
    case 'llm_first_token_timeout':
    case 'llm_idle_timeout':
    case 'llm_total_timeout':
      return 'Sorry, that took too long to answer. Please try again.';
    case 'llm_unauthorized':
    case 'llm_payment_required':
    case 'llm_forbidden':
      return "Sorry, I can't use my language model right now. Its settings need a look.";
    default:
      return "Sorry, I couldn't get an answer just now. Please try again.";
  }
}
