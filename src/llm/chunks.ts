/**
 * The pure core of the stream: OpenAI-style `chat.completion.chunk` payloads (the `data:` of each
 * SSE event) in, typed parts out. No I/O, no clocks: the wire wrapper feeds it and keeps time.
 *
 * Malformed-event policy: an event whose data is not a JSON object is skipped with a warning
 * (one garbled event costs at most a token; the answer stays usable for speech). More than
 * `MAX_MALFORMED` in one stream means the stream is not what we think it is, and it fails with
 * `malformed_event`.
 */
import { LlmError } from './errors.js';
import { ToolCallAssembler } from './tool-calls.js';
import type { StreamPart, Usage } from './types.js';

export const MAX_MALFORMED = 3;

interface ChunkJson {
  id?: unknown;
  model?: unknown;
  error?: { code?: unknown; message?: unknown } | null;
  choices?: Array<{
    delta?: {
      content?: unknown;
      reasoning?: unknown;
      reasoning_content?: unknown;
      tool_calls?: Array<{ index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } | null }>;
    } | null;
    message?: NonNullable<NonNullable<ChunkJson['choices']>[number]>['delta'];
    finish_reason?: unknown;
  }> | null;
  usage?: RawUsage | null;
}

export interface RawUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  total_tokens?: unknown;
  cost?: unknown;
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
}

/** Arguments are JSON text; a whole `chat.completion` from some servers carries them as an object. */
const argumentsText = (v: unknown): string =>
  typeof v === 'string' ? v : v !== null && typeof v === 'object' ? JSON.stringify(v) : '';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** OpenAI usage (with OpenRouter's `cost`) → our `Usage`. */
export function normalizeUsage(raw: RawUsage): Usage {
  const prompt = n(raw.prompt_tokens);
  const completion = n(raw.completion_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    reasoning_tokens: n(raw.completion_tokens_details?.reasoning_tokens),
    cached_tokens: n(raw.prompt_tokens_details?.cached_tokens),
    total_tokens: n(raw.total_tokens) || prompt + completion,
    cost_usd: typeof raw.cost === 'number' && Number.isFinite(raw.cost) ? raw.cost : null,
  };
}

/** An in-band error (`error` in a chunk) as an `LlmError`: numeric codes are HTTP-like statuses. */
export function inBandError(error: { code?: unknown; message?: unknown }, model: string | null): LlmError {
  const status = typeof error.code === 'number' ? error.code : null;
  const message = typeof error.message === 'string' && error.message ? error.message : 'the model reported an error mid-stream';
  const code =
    status === 429 ? 'rate_limited' : status !== null && status >= 400 && status < 500 && status !== 408 ? 'bad_request' : 'upstream_error';
  return new LlmError(code, `upstream error in stream: ${message}`, { status, model });
}

export type ContentKind = 'text' | 'reasoning' | 'tool';

export interface ChunkReaderEvents {
  onMalformed?(data: string, count: number): void;
}

/**
 * Reads one stream's events. `push` appends the parts an event yields to `out` and returns true
 * when the event carried content (text, reasoning or a tool call: what counts as a token).
 */
export class ChunkReader {
  done = false;
  finishReason: string | null = null;
  model: string | null = null;
  generationId: string | null = null;
  usage: Usage | null = null;
  /** Content-bearing events seen (a proxy for tokens when usage is missing). */
  contentEvents = 0;
  private malformed = 0;
  private tools: ToolCallAssembler | null = null;

  constructor(
    private readonly requestedModel: string,
    private readonly events: ChunkReaderEvents = {},
  ) {}

  push(data: string, out: StreamPart[]): boolean {
    if (this.done) return false;
    if (data === '[DONE]') {
      this.done = true;
      return false;
    }
    let chunk: ChunkJson;
    try {
      chunk = JSON.parse(data) as ChunkJson;
    } catch {
      return this.malformedEvent(data);
    }
    if (chunk === null || typeof chunk !== 'object' || Array.isArray(chunk)) return this.malformedEvent(data);

    if (this.generationId === null && typeof chunk.id === 'string' && chunk.id) this.generationId = chunk.id;
    if (typeof chunk.model === 'string' && chunk.model) this.model = chunk.model;
    if (chunk.error) throw inBandError(chunk.error, this.model ?? this.requestedModel);
    if (chunk.usage && typeof chunk.usage === 'object') this.usage = normalizeUsage(chunk.usage);

    let content = false;
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!choice) return false;
    // A whole `chat.completion` (a server that ignored `stream: true`) reads like one big delta.
    const delta = choice.delta ?? choice.message;
    if (delta) {
      const reasoning = typeof delta.reasoning === 'string' ? delta.reasoning : delta.reasoning_content;
      if (typeof reasoning === 'string' && reasoning) {
        out.push({ type: 'reasoning-delta', text: reasoning });
        content = true;
      }
      if (typeof delta.content === 'string' && delta.content) {
        out.push({ type: 'text-delta', text: delta.content });
        content = true;
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const [i, call] of delta.tool_calls.entries()) {
          if (call === null || typeof call !== 'object') continue;
          const part: Extract<StreamPart, { type: 'tool-call-delta' }> = {
            type: 'tool-call-delta',
            index: typeof call.index === 'number' ? call.index : i,
            ...(typeof call.id === 'string' && call.id ? { id: call.id } : {}),
            ...(typeof call.function?.name === 'string' && call.function.name ? { name: call.function.name } : {}),
            arguments: argumentsText(call.function?.arguments),
          };
          (this.tools ??= new ToolCallAssembler(this.model ?? this.requestedModel, this.generationId ?? 'gen')).push(part);
          out.push(part);
          content = true;
        }
      }
    }
    if (typeof choice.finish_reason === 'string' && choice.finish_reason) {
      // OpenRouter marks an in-band error with finish_reason "error" (normally with `error`, handled above).
      if (choice.finish_reason === 'error') {
        throw inBandError({ message: 'finish_reason "error"' }, this.model ?? this.requestedModel);
      }
      this.finishReason = choice.finish_reason;
    }
    if (content) this.contentEvents++;
    return content;
  }

  /** A stream may end after `[DONE]`, or after a finish reason (some servers omit `[DONE]`). */
  get complete(): boolean {
    return this.done || this.finishReason !== null;
  }

  /** Called when the body ends: the usage part, or the truncation error. */
  end(out: StreamPart[]): void {
    if (!this.complete) {
      throw new LlmError('stream_truncated', 'the stream ended without a finish reason or [DONE]', {
        model: this.model ?? this.requestedModel,
      });
    }
    if (this.tools) for (const call of this.tools.finish()) out.push({ type: 'tool-call', ...call });
    if (this.usage) out.push({ type: 'usage', usage: this.usage });
  }

  private malformedEvent(data: string): false {
    this.malformed++;
    this.events.onMalformed?.(data, this.malformed);
    if (this.malformed > MAX_MALFORMED) {
      throw new LlmError('malformed_event', `more than ${MAX_MALFORMED} malformed events in one stream`, {
        model: this.model ?? this.requestedModel,
      });
    }
    return false;
  }
}
