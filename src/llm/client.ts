/**
 * The streaming client: one keep-alive undici pool per upstream, bytes → SSE data (`sse.ts`) →
 * typed parts (`chunks.ts`), and the timers and the retry/fallback policy around them.
 *
 * Policy, in one place:
 * - Timers: first token (request sent → first text/reasoning/tool token; SSE comments never reset
 *   it), idle (gap between data events once tokens flow; comments are liveness, not progress),
 *   total (the whole call, retries and fallbacks included). undici's own header/body timeouts are
 *   off so no library default cuts a long stream.
 * - Retries happen only before the first content token, for retryable errors, with exponential
 *   backoff and jitter, never shorter than `Retry-After`. A first-token timeout is not retried on
 *   the same model (it already cost a full timeout); it moves on to the next model.
 * - Fallbacks: OpenRouter gets the whole list as `models` and falls back server-side; other servers
 *   get one model per request and the client walks the list. Auth/billing errors, aborts and the
 *   total timeout end the call at once.
 * - Once a token has been delivered nothing is retried: the error is thrown to the consumer.
 * - Aborting the caller's signal, or leaving the loop early, aborts the request: undici destroys
 *   the socket, so the upstream sees the close at once (and stops generating and billing).
 */
import { performance } from 'node:perf_hooks';
import { Pool, errors as undiciErrors } from 'undici';
import { AnswerBudget, type AnswerCut } from './budget.js';
import { ChunkReader } from './chunks.js';
import { redact } from '../redact.js';
import { LlmError, codeForStatus, parseRetryAfter, upstreamMessage } from './errors.js';
import { backoffMs, type LlmClientOptions } from './options.js';
import { endOfIteration } from './later.js';
import { createSseDecoder } from './sse.js';
import { DUE, HeldDeltas } from './gather.js';
import type { CallOptions, ChatRequest, Completion, LlmClient, StreamPart, StreamTiming, TextGathering, Usage } from './types.js';

/**
 * A single event larger than this is not a chat chunk: fail instead of buffering without end. It
 * scales with the answer bound (a whole non-streamed answer, JSON-escaped, is one event), up to 16 MiB.
 */
const maxEventChars = (maxAnswerChars: number) => Math.min(16 * 1024 * 1024, 64 * 1024 + 8 * maxAnswerChars);
/** The default local bound on one answer's characters (`LlmClientOptions.maxAnswerChars`). */
const DEFAULT_MAX_ANSWER_CHARS = 20_000;
const MAX_ERROR_BODY_CHARS = 64 * 1024;
/** How long to wait for the body to end after `[DONE]` before dropping the socket. */
const DONE_GRACE_MS = 1000;
/** Codes after which no other model or attempt is tried. */
const FINAL: ReadonlySet<string> = new Set(['unauthorized', 'payment_required', 'aborted', 'total_timeout']);

interface CallState {
  signal: AbortSignal | undefined;
  deadline: number;
  startedAt: number;
  /** When the first upstream request of this call was sent: ttft is measured from here. */
  sentAt: number | null;
  firstTokenAt: number | null;
  /** First answer token (text or a tool call): ttft ends here, not at the model's first thought. */
  firstAnswerAt: number | null;
  lastTokenAt: number | null;
  delivered: boolean;
  gather: TextGathering | undefined;
}

const toolsJson = new WeakMap<object, string>();

export function createLlmClient(options: LlmClientOptions): LlmClient {
  const opts = validateOptions(options);
  const endpoint = new URL(`${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  const pool = new Pool(endpoint.origin, {
    connections: opts.connections ?? null,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  });
  const log = opts.logger;
  const maxAnswerChars = opts.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS;
  const MAX_EVENT_CHARS = maxEventChars(maxAnswerChars);
  const serverSideFallback = opts.provider === 'openrouter';

  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream',
  };
  if (opts.apiKey) baseHeaders.authorization = `Bearer ${opts.apiKey}`;
  if (opts.referer) baseHeaders['http-referer'] = opts.referer;
  if (opts.title) baseHeaders['x-title'] = opts.title;

  const clean = (text: string) => redact(text, [opts.apiKey]);

  function requestBody(request: ChatRequest, model: string, models: string[] | null): string {
    const body: Record<string, unknown> = {
      model,
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: request.temperature ?? opts.temperature,
      max_tokens: request.max_tokens ?? opts.maxTokens,
    };
    if (models) body.models = models;
    if (request.response_format) body.response_format = request.response_format;
    const json = JSON.stringify(body);
    if (!request.tools) return json;
    // The home's tools are the same array on every turn: their JSON (most of a short request's
    // bytes) is made once. A tools array is not changed once handed to a request.
    let tools = toolsJson.get(request.tools);
    if (tools === undefined) toolsJson.set(request.tools, (tools = JSON.stringify(request.tools)));
    return `${json.slice(0, -1)},"tools":${tools}}`;
  }

  async function* attempt(request: ChatRequest, model: string, models: string[] | null, call: CallState): AsyncGenerator<StreamPart> {
    const ac = new AbortController();
    let failure: LlmError | null = null;
    const fail = (err: LlmError) => {
      if (failure) return;
      failure = err;
      ac.abort(err);
    };
    const onAbort = () => fail(new LlmError('aborted', 'the request was aborted', { model }));
    call.signal?.addEventListener('abort', onAbort, { once: true });
    const totalTimer = setTimeout(
      () => fail(new LlmError('total_timeout', `no complete answer within ${opts.totalTimeoutMs} ms`, { model })),
      Math.max(0, call.deadline - performance.now()),
    );
    const firstTimer = setTimeout(
      () => fail(new LlmError('first_token_timeout', `no token within ${opts.firstTokenTimeoutMs} ms`, { model })),
      opts.firstTokenTimeoutMs,
    );
    let idleTimer: NodeJS.Timeout | null = null;
    // One idle timer per stream, checked against the last activity when it fires: re-arming a
    // timer per token costs more than reading the clock.
    let lastActive = 0;
    let consumerHolds = false;
    const idleCheck = () => {
      // A slow consumer is not a silent server: while it holds a part, nothing is read.
      const now = performance.now();
      if (consumerHolds) lastActive = now;
      const left = lastActive + opts.idleTimeoutMs - now;
      if (left > 0) idleTimer = setTimeout(idleCheck, left);
      else fail(new LlmError('idle_timeout', `no data for ${opts.idleTimeoutMs} ms mid-stream`, { model }));
    };
    let finished = false;
    // Deltas that may wait (CallOptions.gather), from the first token on: a retry never follows it.
    const held = call.gather ? new HeldDeltas(call.gather) : null;
    try {
      call.sentAt ??= performance.now();
      const res = await pool.request({
        path: endpoint.pathname + endpoint.search,
        method: 'POST',
        headers: baseHeaders,
        body: requestBody(request, model, models),
        signal: ac.signal,
      });
      if (res.statusCode !== 200) {
        const text = await readText(res.body, MAX_ERROR_BODY_CHARS);
        const status = res.statusCode;
        throw new LlmError(codeForStatus(status), clean(`HTTP ${status} from ${endpoint.host}: ${upstreamMessage(text)}`), {
          status,
          model,
          retryAfterMs: parseRetryAfter(res.headers['retry-after']),
        });
      }
      const headerId = res.headers['x-generation-id'];
      const reader = new ChunkReader(model, {
        onMalformed: (data, count) =>
          log?.warn({ model, count, preview: clean(data.slice(0, 80)) }, 'llm: skipped a malformed stream event'),
      });
      const out: StreamPart[] = [];
      // An upstream that ignores `max_tokens` is cut here (budget.ts): the request is aborted and
      // the answer ends with what came before the bound, as if the upstream had stopped at it.
      const budget = new AnswerBudget(request.max_tokens ?? opts.maxTokens, maxAnswerChars);
      const tokens = () => Math.max(reader.contentEvents, reader.usage?.completion_tokens ?? 0);
      if (String(res.headers['content-type'] ?? '').includes('application/json')) {
        // Not a stream: the server ignored `stream: true` (or reports an error with status 200).
        if (reader.push(await readText(res.body, MAX_EVENT_CHARS), out)) budget.take(out, 0, 0);
        if (out.some((p) => p.type !== 'usage')) {
          call.firstTokenAt = call.firstAnswerAt = call.lastTokenAt = performance.now();
          call.delivered = true;
        }
        reader.end(out);
        yield* out;
        finished = true;
        yield finishPart(reader, typeof headerId === 'string' ? headerId : null, model, call, budget.cut);
        return;
      }
      let sawContent = false;
      // An error event ends the stream, but tokens that came before it in the same read are
      // delivered first: the error is held until they have been yielded.
      let streamError: unknown = null;
      const sse = createSseDecoder(
        (data) => {
          if (streamError || budget.cut) return;
          lastActive = performance.now();
          try {
            const from = out.length;
            if (reader.push(data, out)) {
              sawContent = true;
              budget.take(out, from, tokens());
            }
          } catch (err) {
            streamError = err;
          }
        },
        {
          maxEventChars: MAX_EVENT_CHARS,
          onTooLarge: () => fail(new LlmError('malformed_event', `a stream event exceeded ${MAX_EVENT_CHARS} characters`, { model })),
        },
      );

      // The parts read so far, once their timing is noted; `handed()` after yielding them. A plain
      // loop at the one call site rather than `yield*` of a generator: that would wrap every part in
      // one more promise.
      const ready = (): boolean => {
        if (sawContent) {
          sawContent = false;
          const now = performance.now();
          if (call.firstTokenAt === null) {
            call.firstTokenAt = now;
            clearTimeout(firstTimer);
            lastActive = now;
            idleTimer = setTimeout(idleCheck, opts.idleTimeoutMs);
          }
          call.lastTokenAt = now;
          call.delivered = true;
          if (call.firstAnswerAt === null && out.some((p) => (p.type === 'text-delta' && p.text !== '') || p.type === 'tool-call-delta' || p.type === 'tool-call')) call.firstAnswerAt = now;
        }
        if (out.length === 0) return false;
        consumerHolds = true;
        return true;
      };
      const handed = () => {
        out.length = 0;
        consumerHolds = false;
        lastActive = performance.now();
      };

      const body = res.body[Symbol.asyncIterator]();
      // The next read, kept across the held text's window closing while it was pending.
      let reading: Promise<IteratorResult<unknown>> | null = null;
      for (;;) {
        reading ??= body.next();
        const next = held?.holding ? await held.until(reading) : await reading;
        if (next === DUE) {
          yield held!.release();
          continue;
        }
        reading = null;
        if (next.done) sse.end();
        else {
          // Once the first token is out, a read waits for the end of this event-loop iteration (see
          // `endOfIteration`) before it is parsed and passed on: what is queued behind it (a new
          // request, another stream's first token) goes first. Idle, that costs microseconds; busy,
          // it keeps latency-critical work from waiting behind every other stream's tokens.
          if (call.firstTokenAt !== null) await endOfIteration();
          sse.feed(next.value as Buffer);
          if (failure) throw failure;
        }
        const last = !streamError && !budget.cut && (next.done || reader.done);
        if (last) {
          // The whole tool calls, assembled once the stream is over.
          reader.end(out);
          finished = true;
          if (!next.done) {
            // The answer is complete: read the rest of the body in the background so the socket can
            // go back to the pool — unless the server holds it open after [DONE].
            const grace = setTimeout(() => ac.abort(), DONE_GRACE_MS);
            void drainRest(body).finally(() => clearTimeout(grace));
          }
        }
        if (ready()) {
          for (let i = 0; i < out.length; i++) {
            const part = out[i]!;
            if (held?.hold(part)) continue;
            if (held?.holding) {
              // What was held goes first, joined to this part when it is of the same kind.
              if (held.joins(part)) {
                yield held.release(part);
                continue;
              }
              yield held.release();
            }
            yield part;
          }
          handed();
        }
        if (streamError) throw streamError;
        if (held?.holding && (last || budget.cut)) yield held.release();
        if (budget.cut) {
          // Stop the upstream now (it stops generating and billing); the answer so far stands.
          finished = true;
          ac.abort(new LlmError('aborted', `answer bound reached (${budget.cut})`, { model }));
          void body.return?.().catch(() => {});
          log?.warn({ model, cut: budget.cut, tokens: tokens() }, 'llm: answer cut at its local bound; the upstream ignored max_tokens');
          yield finishPart(reader, typeof headerId === 'string' ? headerId : null, model, call, budget.cut);
          return;
        }
        if (last) break;
      }
      yield finishPart(reader, typeof headerId === 'string' ? headerId : null, model, call, null);
    } catch (err) {
      const e = failure ?? toLlmError(err, model, clean);
      // Text held when the stream failed was received before the failure: it goes first, as it
      // would have unheld. Not to a reader that left (the call aborted): nobody would take it.
      if (held?.holding && e.code !== 'aborted') yield held.release();
      throw e;
    } finally {
      held?.stop();
      clearTimeout(totalTimer);
      clearTimeout(firstTimer);
      if (idleTimer) clearTimeout(idleTimer);
      call.signal?.removeEventListener('abort', onAbort);
      // Early exit (consumer stopped, error): abort so undici destroys the socket now.
      if (!finished) ac.abort(failure ?? new LlmError('aborted', 'stream closed by the consumer', { model }));
    }
  }

  /**
   * The retry and fallback policy around attempts. An iterator of its own rather than a generator
   * over `attempt`: a generator between the model and the reader costs every token a promise and a
   * result object, and once a token has been delivered nothing is retried, so from then on each
   * `next()` is the attempt's own.
   */
  function stream(request: ChatRequest, callOptions: CallOptions = {}): AsyncIterableIterator<StreamPart> {
    const { signal } = callOptions;
    const primary = request.model ?? opts.model;
    const fallbacks = request.fallbacks ?? opts.fallbacks;
    const chain = serverSideFallback ? [primary] : [primary, ...fallbacks];
    const models = serverSideFallback && fallbacks.length ? [primary, ...fallbacks] : null;
    let call: CallState | null = null;
    let current: AsyncGenerator<StreamPart> | null = null;
    let modelAt = 0;
    let tries = 0;
    /** Set by `return()`: no attempt starts after the reader left, even one waiting out a backoff. */
    let closed = false;

    const open = (): AsyncGenerator<StreamPart> => {
      const model = chain[modelAt]!;
      log?.debug({ model, attempt: tries }, 'llm: request');
      return (current = attempt(request, model, models, call!));
    };
    const first = (): AsyncGenerator<StreamPart> => {
      validateRequest(request);
      if (signal?.aborted) throw new LlmError('aborted', 'the request was aborted before it started', { model: primary });
      const now = performance.now();
      call = {
        signal,
        deadline: now + opts.totalTimeoutMs,
        startedAt: now,
        sentAt: null,
        firstTokenAt: null,
        firstAnswerAt: null,
        lastTokenAt: null,
        delivered: false,
        gather: callOptions.gather,
      };
      return open();
    };
    /** The attempt failed: the next try of this model, the next model, or the error. */
    const recover = async (err: unknown): Promise<IteratorResult<StreamPart>> => {
      const model = chain[modelAt]!;
      const e = err instanceof LlmError ? err : toLlmError(err, model, clean);
      if (call!.delivered || FINAL.has(e.code)) throw e;
      // A first-token timeout already cost a full timeout: the next model, not the same one again.
      const retry = e.retryable && e.code !== 'first_token_timeout' && tries < opts.maxRetries;
      const wait = retry ? backoffMs(tries, opts.retryBaseMs, e.retryAfterMs) : Infinity;
      if (performance.now() + wait < call!.deadline) {
        log?.warn({ model, code: e.code, status: e.status, attempt: tries, waitMs: wait }, 'llm: retrying');
        await sleep(wait, signal, model);
        tries++;
      } else {
        if (modelAt === chain.length - 1) throw e;
        log?.warn({ model, code: e.code, status: e.status }, 'llm: falling back to the next model');
        modelAt++;
        tries = 0;
      }
      return closed ? over() : step(open());
    };
    const step = (it: AsyncGenerator<StreamPart>): Promise<IteratorResult<StreamPart>> => {
      const next = it.next();
      return call!.delivered ? next : next.then(undefined, recover);
    };

    return {
      next() {
        if (current) return step(current);
        if (closed) return over();
        try {
          return step(first());
        } catch (err) {
          return Promise.reject(err);
        }
      },
      return() {
        closed = true;
        return current ? current.return(undefined) : over();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async function complete(request: ChatRequest, callOptions: CallOptions = {}): Promise<Completion> {
    let text = '';
    let reasoning = '';
    let usage: Usage | null = null;
    for await (const part of stream(request, callOptions)) {
      switch (part.type) {
        case 'text-delta':
          text += part.text;
          break;
        case 'reasoning-delta':
          reasoning += part.text;
          break;
        case 'usage':
          usage = part.usage;
          break;
        case 'finish':
          return {
            text,
            reasoning,
            finish_reason: part.reason,
            ...(part.cut ? { cut: part.cut } : {}),
            model: part.model,
            generation_id: part.generation_id,
            usage,
            timing: part.timing,
          };
        default:
          break;
      }
    }
    throw new LlmError('stream_truncated', 'the stream ended without a finish part', { model: request.model ?? opts.model });
  }

  return {
    provider: opts.provider,
    baseUrl: opts.baseUrl,
    defaultModel: opts.model,
    stream,
    complete,
    async close() {
      await pool.close();
    },
  };
}

/** The result of a stream that is over. */
const over = (): Promise<IteratorResult<StreamPart>> => Promise.resolve({ done: true, value: undefined });

function finishPart(reader: ChunkReader, headerId: string | null, model: string, call: CallState, cut: AnswerCut | null): StreamPart {
  return {
    type: 'finish',
    reason: cut ? 'length' : (reader.finishReason ?? 'stop'),
    ...(cut ? { cut } : {}),
    model: reader.model ?? model,
    generation_id: headerId ?? reader.generationId,
    timing: timing(call, reader.usage, reader.contentEvents),
  };
}

function timing(call: CallState, usage: Usage | null, contentEvents: number): StreamTiming {
  const end = performance.now();
  const ttft = call.firstAnswerAt !== null && call.sentAt !== null ? call.firstAnswerAt - call.sentAt : null;
  const tokens = usage?.completion_tokens || contentEvents;
  const span = call.firstTokenAt !== null && call.lastTokenAt !== null ? (call.lastTokenAt - call.firstTokenAt) / 1000 : 0;
  return {
    ttft_ms: ttft === null ? null : round(ttft),
    total_ms: round(end - call.startedAt),
    tokens_per_s: tokens > 1 && span > 0 ? round((tokens - 1) / span) : null,
  };
}

const round = (v: number) => Math.round(v * 10) / 10;

function toLlmError(err: unknown, model: string, clean: (s: string) => string): LlmError {
  if (err instanceof LlmError) {
    // In-band errors quote upstream text, which may echo the key.
    const message = clean(err.message);
    return message === err.message && err.model ? err : err.with({ model: err.model ?? model, message });
  }
  const e = err as { code?: string; message?: string; name?: string };
  const message = clean(e?.message ?? String(err));
  if (err instanceof undiciErrors.SocketError || e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || e?.code === 'UND_ERR_SOCKET') {
    return new LlmError('connection_reset', `connection closed by the server: ${message}`, { model, cause: err });
  }
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN' || e?.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new LlmError('connection_failed', `cannot reach the model server: ${message}`, { model, cause: err });
  }
  return new LlmError('upstream_error', `model request failed: ${message}`, { model, cause: err });
}

/** Reads a body to its end, ignoring what it says and any error (the answer is already complete). */
async function drainRest(body: AsyncIterator<unknown>): Promise<void> {
  try {
    while (!(await body.next()).done);
  } catch {
    // reset or aborted after [DONE]: nothing is lost
  }
}

/** The body as text, up to `limit` characters: past it, reading stops and the rest is never buffered. */
async function readText(body: AsyncIterable<unknown>, limit: number): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  for await (const bytes of body) {
    text += decoder.decode(bytes as Buffer, { stream: true });
    if (text.length >= limit) return text.slice(0, limit);
  }
  return text + decoder.decode();
}

function sleep(ms: number, signal: AbortSignal | undefined, model: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LlmError('aborted', 'the request was aborted', { model }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function validateOptions(o: LlmClientOptions): LlmClientOptions {
  const problems: string[] = [];
  let url: URL | null = null;
  try {
    url = new URL(o.baseUrl);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    const hint = o.provider === 'demo' && !o.baseUrl ? ' (demo mode: use openLlm(), which starts the simulator first)' : '';
    problems.push(`baseUrl: expected an http(s) URL, got ${JSON.stringify(o.baseUrl)}${hint}`);
  }
  if (!o.model) problems.push('model: expected a model name');
  for (const key of ['firstTokenTimeoutMs', 'idleTimeoutMs', 'totalTimeoutMs', 'retryBaseMs'] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) problems.push(`${key}: expected a positive number of ms`);
  }
  if (!(Number.isInteger(o.maxRetries) && o.maxRetries >= 0)) problems.push('maxRetries: expected a whole number ≥ 0');
  if (!(Number.isInteger(o.maxTokens) && o.maxTokens > 0)) problems.push('maxTokens: expected a whole number > 0');
  if (o.maxAnswerChars !== undefined && !(Number.isInteger(o.maxAnswerChars) && o.maxAnswerChars > 0)) {
    problems.push('maxAnswerChars: expected a whole number > 0');
  }
  if (problems.length) throw new TypeError(`Invalid model client options: ${problems.join('; ')}`);
  return { ...o, fallbacks: o.fallbacks ?? [] };
}

function validateRequest(request: ChatRequest): void {
  const ok =
    request &&
    Array.isArray(request.messages) &&
    request.messages.length > 0 &&
    request.messages.every((m) => m && typeof m.role === 'string' && typeof m.content === 'string');
  if (!ok) {
    throw new LlmError('bad_request', 'a chat request needs a non-empty `messages` array of {role, content} strings', {
      retryable: false,
      model: request?.model ?? null,
    });
  }
}
