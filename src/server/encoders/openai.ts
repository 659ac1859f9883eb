/**
 * Turn events as OpenAI Chat Completions objects (`chat.completion` and `chat.completion.chunk`),
 * so an OpenAI client library can treat Barnabee as a model; calls of the client's own tools as
 * OpenAI `tool_calls` (docs/protocol.md, "Client tools").
 */
import type { EventOf, TurnEvent } from '../../turn/index.js';
import { FailureHold } from './failure.js';

export const OPENAI_MODEL_ID = 'barnabee';

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

const usageOf = (u: EventOf<'usage'> | undefined): CompletionUsage => {
  const prompt = u?.prompt_tokens ?? 0;
  const completion = u?.completion_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};

/** A call of the client's tool in OpenAI's message shape (`arguments` is JSON text). */
export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export const openAiToolCall = (e: EventOf<'tool_call'>): OpenAiToolCall => ({
  id: e.id,
  type: 'function',
  function: { name: e.name, arguments: JSON.stringify(e.arguments) },
});

const finishReason = (toolCalls: number) => (toolCalls ? 'tool_calls' : 'stop');

/**
 * Stateful per stream: the first chunk carries the role, content and tool-call deltas follow,
 * then a finish chunk and usage. A failed turn is an error, never an answer: before anything was
 * written the route answers an HTTP error; after, an `{"error": …}` event ends the stream
 * (docs/protocol.md, "Client tools").
 */
export class ChatCompletionChunker {
  private sentRole = false;
  private usage: EventOf<'usage'> | undefined;
  private toolCalls = 0;
  private readonly hold = new FailureHold();
  private readonly created = Math.floor(Date.now() / 1000);
  id = '';

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  get failure(): EventOf<'error'> | undefined {
    return this.hold.failure;
  }

  private chunk(delta: Record<string, unknown>, finish: string | null): string {
    return JSON.stringify({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  /** The role chunk goes out with the first thing the client reads. */
  private opening(out: string[]): void {
    if (this.sentRole) return;
    this.sentRole = true;
    out.push(this.chunk({ role: 'assistant', content: '' }, null));
  }

  /** JSON payloads for one turn event (each becomes one `data:` line). */
  encode(event: TurnEvent): string[] {
    if (!this.id) this.id = `chatcmpl-${event.turn_id}`;
    const out: string[] = [];
    for (const e of this.hold.pass(event)) this.apply(e, out);
    return out;
  }

  private apply(e: TurnEvent, out: string[]): void {
    switch (e.type) {
      case 'chunk':
        if (!e.text) return;
        this.opening(out);
        out.push(this.chunk({ content: e.text }, null));
        return;
      case 'reasoning':
        // As OpenRouter, DeepSeek and vLLM stream it: beside `content`, never inside it.
        if (!e.text) return;
        this.opening(out);
        out.push(this.chunk({ reasoning_content: e.text }, null));
        return;
      case 'tool_call':
        this.opening(out);
        out.push(this.chunk({ tool_calls: [{ index: this.toolCalls++, ...openAiToolCall(e) }] }, null));
        return;
      case 'usage':
        this.usage = e;
        return;
      case 'error':
        // Before the first chunk the route answers with an HTTP error instead.
        if (this.sentRole) out.push(JSON.stringify({ error: { message: e.message, type: 'server_error', code: e.code } }));
        return;
      case 'turn.end':
        if (this.hold.failure) return;
        this.opening(out);
        out.push(this.chunk({}, finishReason(this.toolCalls)));
        if (this.includeUsage) {
          out.push(
            JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: usageOf(this.usage) }),
          );
        }
        return;
      default:
        return;
    }
  }
}

export function chatCompletion(
  model: string,
  end: EventOf<'turn.end'>,
  usage: EventOf<'usage'> | undefined,
  toolCalls: OpenAiToolCall[] = [],
): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: toolCalls.length && !end.text ? null : end.text, refusal: null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: `chatcmpl-${end.turn_id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(toolCalls.length) }],
    usage: usageOf(usage),
  };
}

export const modelList = () => ({
  object: 'list',
  data: [{ id: OPENAI_MODEL_ID, object: 'model', created: 0, owned_by: 'barnabee' }],
});
