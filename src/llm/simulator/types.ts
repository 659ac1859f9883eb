/** The simulator's public shapes: what a request can be scripted to do, and what it records. */

export type SimFault =
  /** Answer with this HTTP status and an OpenRouter-style JSON error body. */
  | { kind: 'status'; status: number; retryAfterS?: number; message?: string }
  /** Destroy the connection on arrival: no response at all. */
  | { kind: 'refuse' }
  /** Send headers and `afterTokens` tokens, then reset the TCP connection. */
  | { kind: 'reset'; afterTokens: number }
  /** OpenRouter's in-band error: a chunk with `error` and `finish_reason: "error"`, then the end. */
  | { kind: 'error-chunk'; afterTokens: number; status?: number; message?: string }
  /** An event whose data is not JSON, `count` times, after `afterTokens` tokens; the stream goes on. */
  | { kind: 'malformed'; afterTokens: number; count?: number }
  /** End the body cleanly after `afterTokens` tokens, without a finish reason or `[DONE]`. */
  | { kind: 'truncate'; afterTokens: number }
  /** Stop sending tokens after `afterTokens`; keepalives (if any) go on until the client leaves. */
  | { kind: 'stall'; afterTokens: number }
  /** The whole answer as one event of `chars` characters. */
  | { kind: 'huge-event'; chars: number }
  /** Send the whole answer and `[DONE]`, then hold the connection open instead of ending it. */
  | { kind: 'linger' }
  /**
   * An upstream that ignores `max_tokens`: `chars` characters of words at `tokensPerSecond` (0: as
   * fast as the connection takes them), made as they go so the simulator itself stays small.
   */
  | { kind: 'runaway'; chars: number };

export interface SimToolCall {
  name: string;
  /** An object is sent as its JSON; a string is sent as is, so a malformed call can be scripted. */
  arguments: Record<string, unknown> | string;
}

export interface SimScript {
  /** `text` when `text` is given, otherwise `demo` unless set. */
  mode?: 'demo' | 'echo' | 'text';
  text?: string;
  /** Reasoning sent (as `delta.reasoning`) before the text. */
  reasoning?: string;
  ttftMs?: number;
  /** 0 sends every token at once. */
  tokensPerSecond?: number;
  /** `: OPENROUTER PROCESSING` comments this often while the stream is open; 0 for none. */
  keepaliveEveryMs?: number;
  /** `requested`: only with `stream_options.include_usage` (OpenAI); `always`: OpenRouter-style. */
  usage?: 'always' | 'requested' | 'never';
  /** Reported cost in USD; default from gpt-4o-mini-like prices. */
  cost?: number;
  /** The model name reported in chunks (default: the requested one). */
  reportModel?: string;
  finishReason?: string;
  fault?: SimFault | null;
  /** Answer with one JSON `chat.completion` even when a stream was asked for (some servers do). */
  ignoreStream?: boolean;
  /** Write each batch in awkward pieces: inside UTF-8 sequences, or mid-line. */
  split?: 'none' | 'utf8' | 'lines';

  // Tool calls. Made only when the request offers `tools`.
  /**
   * The calls to make when the last message is not a tool result (`[]`: none). Unset: demo and
   * echo modes call the tools the user's words name ("turn on the porch light" → `HassTurnOn`
   * `{name: "porch light"}`; commands joined by "and" → parallel calls); text mode calls none.
   */
  toolCalls?: SimToolCall[];
  /** Each call's arguments arrive in exactly this many deltas after the one with its id and name (default 6). */
  toolArgumentDeltas?: number;
  /** `distinct` (default): call n at index n, as OpenAI numbers them; `zero`: every call at index 0, told apart by id, as some providers do. */
  toolIndexes?: 'distinct' | 'zero';
  /**
   * Text streamed before the calls, in the same message, as real models do: a string, `true` for
   * one made from the calls ("Sure, turning on the porch light."), `false` for none. Default: true
   * when demo mode chose the calls itself, `text` in text mode, else none (scripted `toolCalls`
   * come exactly as scripted).
   */
  toolText?: string | boolean;
  /** At least this many calls in the message: when fewer are named, they are repeated (each with its own id and index). */
  toolParallel?: number;
  /** Each call's arguments are cut short, so they are not valid JSON. */
  toolMalformed?: boolean;
  /** After a tool result, call the same tools again instead of answering: a model that never stops (the client must bound it). */
  toolLoop?: boolean;

  /**
   * Send this recorded response body, byte for byte, instead of an answer (status 200; SSE when it
   * starts with `data:` or `:`): bytes, or the path of a file. Set in code only, never by a header.
   */
  replay?: Uint8Array | string | URL;
}

export interface SimulatorOptions extends SimScript {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Per-model behaviour, e.g. a fallback chain where the first model fails. */
  byModel?: Record<string, SimScript>;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** Models listed by `GET /v1/models`. */
  models?: string[];
  /** Records kept (oldest dropped first). */
  recordLimit?: number;
}

export type SimClose = 'completed' | 'client-closed' | 'fault';

export interface SimRecord {
  id: number;
  method: string;
  path: string;
  /** The parsed JSON body (or the raw text when it was not JSON). */
  body: unknown;
  /** Request headers; `authorization` is masked. */
  headers: Record<string, string>;
  model: string | null;
  stream: boolean;
  status: number | null;
  /** `performance.now()` of this process, in ms. */
  startedAt: number;
  /** First byte of the response body (or headers for a bodiless answer). */
  firstByteAt: number | null;
  firstTokenAt: number | null;
  closedAt: number | null;
  closedBy: SimClose | null;
  tokensSent: number;
  fault: SimFault['kind'] | null;
  /** Which TCP connection carried it (1, 2, …): shows keep-alive reuse. */
  connection: number;
}

export interface Simulator {
  /** Base URL ending in `/v1`. */
  readonly url: string;
  readonly port: number;
  readonly records: SimRecord[];
  configure(options: Partial<SimulatorOptions>): void;
  /** One-shot behaviour for the next request(s), first in first out. */
  enqueue(...scripts: SimScript[]): void;
  /** Resolves when no request is in flight. */
  settled(): Promise<void>;
  readonly active: number;
  close(): Promise<void>;
}
