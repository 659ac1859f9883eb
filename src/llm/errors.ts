/** Typed model-client errors. Every failure the client surfaces is an `LlmError` with a stable code. */

export type LlmErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'timeout'
  | 'rate_limited'
  | 'upstream_error'
  | 'connection_reset'
  | 'connection_failed'
  | 'stream_truncated'
  | 'malformed_event'
  | 'malformed_tool_call'
  | 'first_token_timeout'
  | 'idle_timeout'
  | 'total_timeout'
  | 'aborted';

export interface LlmErrorInit {
  status?: number | null;
  retryable?: boolean;
  model?: string | null;
  /** Server-suggested wait before retrying (from `Retry-After`), in ms. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

/** Codes where trying again (same or another model) can help by default. */
const RETRYABLE: ReadonlySet<string> = new Set([
  'timeout',
  'rate_limited',
  'upstream_error',
  'connection_reset',
  'connection_failed',
  'stream_truncated',
  'malformed_event',
  'first_token_timeout',
  'idle_timeout',
]);

export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly code: LlmErrorCode;
  readonly status: number | null;
  readonly retryable: boolean;
  readonly model: string | null;
  readonly retryAfterMs: number | null;

  constructor(code: LlmErrorCode, message: string, init: LlmErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.status = init.status ?? null;
    this.retryable = init.retryable ?? RETRYABLE.has(code);
    this.model = init.model ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }

  /** A copy with another model or message (errors are often built before the model is known). */
  with(changes: { model?: string; message?: string }): LlmError {
    return new LlmError(this.code, changes.message ?? this.message, {
      status: this.status,
      retryable: this.retryable,
      model: changes.model ?? this.model,
      retryAfterMs: this.retryAfterMs,
      cause: this.cause,
    });
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, status: this.status, retryable: this.retryable, model: this.model };
  }
}

/** The error code for an upstream HTTP status. */
export function codeForStatus(status: number): LlmErrorCode {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 402:
      return 'payment_required';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'upstream_error' : status >= 400 ? 'bad_request' : 'upstream_error';
  }
}

/**
 * The message from an OpenAI/OpenRouter-style error body (`{"error":{"message","code","metadata"}}`),
 * falling back to the raw text. Kept short: it ends up in turn events and logs.
 */
export function upstreamMessage(body: string): string {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; metadata?: { raw?: unknown } } | string; message?: unknown };
    const e = parsed.error;
    if (typeof e === 'string') message = e;
    else if (e && typeof e.message === 'string') message = e.message;
    else if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the text
  }
  return message.length > 300 ? `${message.slice(0, 300)}…` : message || '(empty body)';
}

/** `Retry-After` as ms: delta-seconds or an HTTP date. Null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

