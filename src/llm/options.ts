/** Client options, and how they come from the validated config. */
import type { Config } from '../config.js';
import type { Provider } from './types.js';

/** The slice of a pino logger the client uses; a pino `Logger` fits as is. */
export interface LlmLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface LlmClientOptions {
  provider: Provider;
  /** Base URL ending before `/chat/completions`, e.g. `https://openrouter.ai/api/v1`. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Tried in order after `model` fails before its first token (OpenRouter: sent as `models`). */
  fallbacks: string[];
  temperature: number;
  /** Sent as `max_tokens`, and enforced locally against an upstream that ignores it (budget.ts). */
  maxTokens: number;
  /** Most characters of one answer (text, reasoning and tool calls together); default 20,000. */
  maxAnswerChars?: number;
  /** Request sent → first content token. Keepalive comments do not reset it. */
  firstTokenTimeoutMs: number;
  /** Longest gap between data events once tokens flow. */
  idleTimeoutMs: number;
  /** One `stream()`/`complete()` call, retries and fallbacks included. */
  totalTimeoutMs: number;
  /** Retries of one model before its first token (so up to 1 + maxRetries attempts per model). */
  maxRetries: number;
  retryBaseMs: number;
  /** OpenRouter attribution headers. */
  referer?: string;
  title?: string;
  logger?: LlmLogger;
  /** Upper bound on sockets to the upstream (default: unbounded, kept alive). */
  connections?: number;
}

/** Options for the configured provider; `overrides` win (e.g. an agent's own model). */
export function llmOptionsFromConfig(config: Config, overrides: Partial<LlmClientOptions> = {}): LlmClientOptions {
  const provider = config.provider;
  const base: LlmClientOptions = {
    provider,
    // Demo mode's URL is only known once `openLlm` has started the simulator.
    baseUrl: provider === 'openrouter' ? config.OPENROUTER_BASE_URL : provider === 'openai-compatible' ? (config.LLM_BASE_URL ?? '') : '',
    model: config.model,
    fallbacks: config.LLM_FALLBACK_MODELS,
    temperature: config.LLM_TEMPERATURE,
    maxTokens: config.LLM_MAX_TOKENS,
    maxAnswerChars: config.MAX_ANSWER_CHARS,
    firstTokenTimeoutMs: config.LLM_FIRST_TOKEN_TIMEOUT_MS,
    idleTimeoutMs: config.LLM_IDLE_TIMEOUT_MS,
    totalTimeoutMs: config.LLM_TOTAL_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    retryBaseMs: config.LLM_RETRY_BASE_MS,
  };
  const apiKey = provider === 'openrouter' ? config.OPENROUTER_API_KEY : provider === 'openai-compatible' ? config.LLM_API_KEY : undefined;
  if (apiKey) base.apiKey = apiKey;
  if (provider === 'openrouter') {
    base.referer = config.OPENROUTER_REFERER;
    base.title = config.OPENROUTER_TITLE;
  }
  return { ...base, ...stripUndefined(overrides) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Backoff before retry `attempt` (0-based): exponential with equal jitter, at least `retryAfterMs`. */
export function backoffMs(attempt: number, baseMs: number, retryAfterMs: number | null, random = Math.random): number {
  const exp = baseMs * 2 ** attempt;
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
