/** Types at the boundary of the model client. Everything the rest of Barnabee knows about models. */
import type { AnswerCut } from './budget.js';

export type { AnswerCut };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  name?: string;
  tool_call_id?: string;
  /** An assistant message's calls (OpenAI shape: `arguments` is JSON text). */
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
}

/** A whole tool call, assembled from its streamed pieces (see tool-calls.ts). */
export interface ToolCall {
  id: string;
  name: string;
  /** The parsed JSON object the model wrote; `{}` when the call is broken. */
  arguments: Record<string, unknown>;
  /** Set when the call is broken (arguments not a JSON object, no name): what is wrong, for the model or the log. */
  error?: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Defaults to the configured model. */
  model?: string;
  /** Models to try, in order, after `model` fails before its first token. */
  fallbacks?: string[];
  temperature?: number;
  max_tokens?: number;
  tools?: readonly unknown[];
  response_format?: { type: 'json_object' } | { type: 'text' };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cached_tokens: number;
  total_tokens: number;
  /** From OpenRouter's `usage.cost` (USD); null when the provider does not report it. */
  cost_usd: number | null;
}

export interface StreamTiming {
  /** Upstream request sent → first content token (text or reasoning). */
  ttft_ms: number | null;
  total_ms: number;
  /** Completion tokens per second after the first token. */
  tokens_per_s: number | null;
}

/** Typed stream parts, a discriminated union (modelled on the AI SDK's stream parts). */
export type StreamPart =
  | { type: 'text-delta'; text: string }
  /** Kept apart from text: never spoken, never shown as the answer. */
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; arguments: string }
  /** A whole tool call, after its deltas, once the stream has ended (before `usage` and `finish`). */
  | ({ type: 'tool-call' } & ToolCall)
  | { type: 'usage'; usage: Usage }
  | {
      type: 'finish';
      /** `length` when the answer stopped at `max_tokens`, whoever stopped it. */
      reason: string;
      /** Set when Barnabee cut the answer itself at its local bound (the upstream went past it). */
      cut?: AnswerCut;
      model: string;
      generation_id: string | null;
      timing: StreamTiming;
    };

export interface Completion {
  text: string;
  reasoning: string;
  finish_reason: string;
  cut?: AnswerCut;
  model: string;
  generation_id: string | null;
  usage: Usage | null;
  timing: StreamTiming;
}

/**
 * Deltas that may wait, held and passed on as fewer, longer ones (gather.ts) — as the AI SDK's
 * `smoothStream` transform reshapes a stream's text (it splits; this joins).
 */
export interface TextGathering {
  /** Longest a held delta waits, in ms (> 0). */
  ms: number;
  /** Whether this text, the answer's next, must be passed on at once. Asked once per non-empty text delta, in order. */
  urgent(text: string): boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Gather the text deltas that may wait, and the reasoning deltas after a request's first, into
   * fewer, longer ones (absent: every delta as the model sent it).
   */
  gather?: TextGathering;
}

export type Provider = 'openrouter' | 'openai-compatible' | 'demo';

export interface LlmClient {
  readonly provider: Provider;
  readonly baseUrl: string;
  readonly defaultModel: string;
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<StreamPart>;
  complete(request: ChatRequest, options?: CallOptions): Promise<Completion>;
  close(): Promise<void>;
}
