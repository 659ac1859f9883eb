/**
 * Turn events as OpenAI Chat Completions objects (`chat.completion` and `chat.completion.chunk`),
 * so an OpenAI client library can treat Barnabee as a model.
 */
import type { EventOf, TurnEvent } from '../../turn/index.js';

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

const finishReason = (end: EventOf<'turn.end'>) => (end.status === 'completed' ? 'stop' : end.status === 'cancelled' ? 'stop' : 'error');

/** Stateful per stream: the first chunk carries the role, content follows, then a finish chunk and usage. */
export class ChatCompletionChunker {
  private sentRole = false;
  private usage: EventOf<'usage'> | undefined;
  private readonly created = Math.floor(Date.now() / 1000);
  id = '';

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Record<string, unknown>, finish: string | null): string {
    return JSON.stringify({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  }

  /** JSON payloads for one turn event (each becomes one `data:` line). */
  encode(event: TurnEvent): string[] {
    if (!this.id) this.id = `chatcmpl-${event.turn_id}`;
    const out: string[] = [];
    if (!this.sentRole) {
      this.sentRole = true;
      out.push(this.chunk({ role: 'assistant', content: '' }, null));
    }
    if (event.type === 'chunk' && event.text) out.push(this.chunk({ content: event.text }, null));
    else if (event.type === 'usage') this.usage = event;
    else if (event.type === 'turn.end') {
      out.push(this.chunk({}, finishReason(event)));
      if (this.includeUsage) {
        out.push(
          JSON.stringify({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: usageOf(this.usage) }),
        );
      }
    }
    return out;
  }
}

export function chatCompletion(
  model: string,
  end: EventOf<'turn.end'>,
  usage: EventOf<'usage'> | undefined,
): Record<string, unknown> {
  return {
    id: `chatcmpl-${end.turn_id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: end.text, refusal: null }, logprobs: null, finish_reason: finishReason(end) }],
    usage: usageOf(usage),
  };
}

export const modelList = () => ({
  object: 'list',
  data: [{ id: OPENAI_MODEL_ID, object: 'model', created: 0, owned_by: 'barnabee' }],
});
