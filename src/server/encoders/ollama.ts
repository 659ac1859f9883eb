/**
 * Turn events as Ollama API responses (docs/protocol.md, "Ollama-compatible API"): for `/api/chat`
 * NDJSON lines `{model, created_at, message: {role: "assistant", content}, done: false}` as the
 * answer streams, the model's calls of the client's tools as `message.tool_calls`, then a final line
 * with `done: true`, `done_reason` and the durations (nanoseconds) and token counts; `/api/generate`
 * says `response` instead of `message`. A failed turn ends with a line holding only `error`.
 */
import type { EventOf, TurnEvent } from '../../turn/index.js';
import { FailureHold } from './failure.js';

export const OLLAMA_NDJSON = 'application/x-ndjson';

export interface OllamaToolCall {
  id: string;
  function: { index: number; name: string; arguments: Record<string, unknown> };
}

export interface OllamaFinal {
  done_reason: 'stop';
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

const ns = (ms: number | null | undefined): number => Math.max(0, Math.round((ms ?? 0) * 1e6));

/**
 * The final line's statistics from Barnabee's own: routing stands in for Ollama's model load, the
 * time from the route to the first text for prompt evaluation, the rest for generation. Token
 * counts come from the model's usage; without one (an instant answer) they count text chunks.
 */
export function ollamaFinal(end: EventOf<'turn.end'>, usage: EventOf<'usage'> | undefined, chunks: number): OllamaFinal {
  const m = end.metrics;
  const first = m.first_chunk_ms ?? m.total_ms;
  return {
    done_reason: 'stop',
    total_duration: ns(m.total_ms),
    load_duration: ns(m.route_ms),
    prompt_eval_count: usage?.prompt_tokens ?? 0,
    prompt_eval_duration: ns(first - m.route_ms),
    eval_count: usage?.completion_tokens ?? chunks,
    eval_duration: ns(m.total_ms - first),
  };
}

export type OllamaShape = 'chat' | 'generate';

/**
 * Stateful per response. `encode` returns the lines one event produces (often none); `failure`
 * tells, once the turn has ended, whether it failed and why (the route answers an HTTP error when
 * no line went out yet, otherwise the error line has already been written).
 */
export class OllamaEncoder {
  private readonly hold = new FailureHold();
  private usage: EventOf<'usage'> | undefined;
  private chunks = 0;
  private calls = 0;
  /** Whether a line went out: a failure before the first one is the route's HTTP error, not a line. */
  private wrote = false;
  text = '';
  readonly toolCalls: OllamaToolCall[] = [];

  constructor(
    private readonly model: string,
    private readonly shape: OllamaShape,
    /** false: nothing is written; the caller builds one object from `whole()` at the end. */
    private readonly streaming: boolean,
  ) {}

  get failure(): EventOf<'error'> | undefined {
    return this.hold.failure;
  }

  private line(body: Record<string, unknown>): string {
    return `${JSON.stringify({ model: this.model, created_at: new Date().toISOString(), ...body })}\n`;
  }

  private content(text: string, toolCalls?: OllamaToolCall[]): Record<string, unknown> {
    if (this.shape === 'generate') return { response: text };
    return { message: { role: 'assistant', content: text, ...(toolCalls ? { tool_calls: toolCalls } : {}) } };
  }

  /** NDJSON lines for one turn event. */
  encode(event: TurnEvent): string[] {
    const out: string[] = [];
    for (const e of this.hold.pass(event)) this.apply(e, out);
    if (!this.streaming) return [];
    if (out.length) this.wrote = true;
    return out;
  }

  private apply(e: TurnEvent, out: string[]): void {
    switch (e.type) {
      case 'chunk':
        if (!e.text) return;
        this.chunks++;
        this.text += e.text;
        out.push(this.line({ ...this.content(e.text), done: false }));
        return;
      case 'reasoning':
        // Ollama streams a thinking model's thoughts as `message.thinking` (`thinking` on /api/generate).
        if (!e.text) return;
        out.push(this.line({ ...(this.shape === 'generate' ? { response: '', thinking: e.text } : { message: { role: 'assistant', content: '', thinking: e.text } }), done: false }));
        return;
      case 'tool_call': {
        const call: OllamaToolCall = { id: e.id, function: { index: this.calls++, name: e.name, arguments: e.arguments } };
        this.toolCalls.push(call);
        out.push(this.line({ ...this.content('', [call]), done: false }));
        return;
      }
      case 'usage':
        this.usage = e;
        return;
      case 'turn.end': {
        const failed = this.hold.failure;
        if (!failed) out.push(this.line({ ...this.content(''), done: true, ...ollamaFinal(e, this.usage, this.chunks) }));
        else if (this.wrote) out.push(`${JSON.stringify({ error: failed.message })}\n`);
        return;
      }
      default:
        return;
    }
  }

  /** The whole answer as one object (`stream: false`), once the turn has ended without failing. */
  whole(end: EventOf<'turn.end'>): Record<string, unknown> {
    return {
      model: this.model,
      created_at: new Date().toISOString(),
      ...this.content(this.text, this.toolCalls.length ? this.toolCalls : undefined),
      done: true,
      ...ollamaFinal(end, this.usage, this.chunks),
    };
  }
}
