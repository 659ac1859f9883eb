/**
 * The interaction agent: everything the router does not answer by rule goes to the language
 * model, streamed. Text deltas become `chunk` parts as they arrive (reasoning never does); a model
 * failure becomes a short spoken apology plus an `error` part, so the turn still ends cleanly.
 *
 * Client tools (docs/protocol.md, "Client tools"): a request that brings `tools` offers them to the
 * model, with the client's own instructions for them (its system messages) after the persona; the
 * model's calls become `tool_call` parts for the client to run. The client's next request carries
 * the calls and their results after the utterance (`continuation`), and the model answers from them.
 */
import type { AnswerCut, ChatMessage, LlmClient, StreamTiming, Usage } from '../llm/index.js';
import { redact, type Agent, type AgentContext, type AgentPart, type ContextMessage } from '../turn/index.js';
import { systemPrompt } from './interaction-prompt.js';

export interface InteractionAgentOptions {
  llm: LlmClient;
  /** Defaults to the client's configured model. */
  model?: string;
  fallbacks?: string[];
  temperature?: number;
  maxTokens?: number;
  timeZone: string;
  assistantName?: string;
}

export function createInteractionAgent(options: InteractionAgentOptions): Agent {
  const { llm } = options;
  const assistantName = options.assistantName ?? 'Barnabee';

  return {
    kind: 'interaction',
    async *run(ctx: AgentContext): AsyncGenerator<AgentPart, void, undefined> {
      const tools = ctx.request.tools?.length ? ctx.request.tools : undefined;
      const clientInstructions = tools
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
          }),
        },
        // Client-supplied system messages would override the persona; only a client that brings its
        // own tools also brings the instructions for them, and those follow the persona.
        ...(clientInstructions ? [{ role: 'system' as const, content: clientInstructions }] : []),
        ...ctx.history.filter((m) => m.role !== 'system').map(toChatMessage),
        { role: 'user', content: ctx.request.text },
        ...(ctx.request.continuation ?? []).filter((m) => m.role !== 'system').map(toChatMessage),
      ];

      let sentText = false;
      let usage: Usage | null = null;
      let model = options.model ?? llm.defaultModel;
      let timing: StreamTiming | null = null;
      let truncated: AnswerCut | undefined;
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
          { signal: ctx.signal },
        );
        for await (const part of stream) {
          switch (part.type) {
            case 'text-delta':
              if (part.text) {
                sentText = true;
                yield { type: 'chunk', text: part.text, done: false };
              }
              break;
            case 'tool-call':
              yield { type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments };
              break;
            case 'reasoning-delta':
              // Shown as it streams (a `reasoning` event); never spoken, never in the text or history.
              if (part.text) yield { type: 'reasoning', text: part.text };
              break;
            case 'usage':
              usage = part.usage;
              break;
            case 'finish':
              model = part.model || model;
              timing = part.timing;
              // Stopped at max_tokens by the upstream, or cut by the client's own bound (budget.ts).
              if (part.reason === 'length') truncated = part.cut ?? 'max_tokens';
              break;
          }
        }
      } catch (err) {
        // Aborted: the runner has already ended the turn; nobody is listening.
        if (ctx.signal.aborted) return;
        const failure = describeFailure(err);
        yield { type: 'chunk', text: sentText ? '' : apology(failure.code), done: true };
        yield { type: 'error', ...failure };
        return;
      }

      yield { type: 'chunk', text: '', done: true };
      if (usage) {
        yield {
          type: 'usage',
          model,
          prompt_tokens: usage.prompt_tokens,
          completion_tokens: usage.completion_tokens,
          cost_usd: usage.cost_usd,
        };
      }
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
