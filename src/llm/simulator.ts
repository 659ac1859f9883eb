/**
 * A real HTTP server speaking the OpenAI chat-completions protocol the way OpenRouter does
 * (`stream` true and false, `GET /v1/models`), with configurable timing and injectable faults.
 * Demo mode, the tests and the benchmarks all talk to it over real sockets.
 *
 * Behaviour for a request is resolved, later winning: the simulator's options → `byModel[model]`
 * → the model name `sim/echo`, `sim/demo` or `sim/<fault>` (e.g. `sim/status:503`) → an
 * `x-sim-script` header (JSON `SimScript`) or `x-sim-fault` header (`<fault>`) → the next
 * `enqueue`d script (one-shot, first in first out).
 *
 * Tools: when a request offers `tools`, the simulator calls them the way a model does — the
 * script's `toolCalls`, or else (demo and echo modes) the tool the user's last message names
 * ("turn on the kitchen lights" names `HassTurnOn`) — streaming each call's arguments split across
 * many chunks. A request whose last message is a tool result gets a text answer instead.
 *
 * Cost per stream: one timer per tick (a tick writes every token that is due), one string per
 * chunk; the JSON around a token is built once per stream.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DEMO_REPLIES, countTokens, demoReply, tokenize } from './sim-text.js';

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
  /**
   * Tool calls to make when the request offers tools and its last message is not a tool result
   * (`[]`: none). An `arguments` string is sent as is, so a malformed call can be scripted.
   */
  toolCalls?: SimToolCall[];
}

export interface SimToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
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

const DEFAULTS: Required<Omit<SimScript, 'text' | 'reasoning' | 'cost' | 'reportModel' | 'fault' | 'toolCalls'>> = {
  mode: 'demo',
  ttftMs: 250,
  tokensPerSecond: 40,
  keepaliveEveryMs: 0,
  usage: 'requested',
  finishReason: 'stop',
  split: 'none',
  ignoreStream: false,
};
const KEEPALIVE = ': OPENROUTER PROCESSING\n\n';
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const SPLIT_GAP_MS = 2;

interface ChatBody {
  model?: unknown;
  models?: unknown;
  messages?: Array<{ role?: unknown; content?: unknown }>;
  tools?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  let opts: SimulatorOptions = { ...options };
  const queue: SimScript[] = [];
  const records: SimRecord[] = [];
  const sockets = new Set<Socket>();
  const run = randomBytes(4).toString('hex');
  let nextId = 1;
  let nextConnection = 1;
  const connectionIds = new WeakMap<Socket, number>();
  let active = 0;
  let idleWaiters: Array<() => void> = [];

  const server: Server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    active++;
    const record: SimRecord = {
      id: nextId++,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      body: null,
      headers: maskHeaders(req),
      model: null,
      stream: false,
      status: null,
      startedAt: performance.now(),
      firstByteAt: null,
      firstTokenAt: null,
      closedAt: null,
      closedBy: null,
      tokensSent: 0,
      fault: null,
      connection: connectionIds.get(req.socket) ?? 0,
    };
    records.push(record);
    if (records.length > (opts.recordLimit ?? 10_000)) records.shift();
    res.on('close', () => {
      record.closedAt = performance.now();
      record.closedBy ??= res.writableFinished ? 'completed' : 'client-closed';
      active--;
      if (active === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    });
    handle(req, res, record).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, record, 500, `simulator error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    connectionIds.set(socket, nextConnection++);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, record: SimRecord): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && /^\/(v1\/)?models\/?$/.test(path)) return listModels(res, record);
    if (req.method !== 'POST' || !/^\/(v1\/)?chat\/completions\/?$/.test(path)) {
      return sendError(res, record, 404, `no route for ${req.method} ${path}`);
    }
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendError(res, record, 401, 'No auth credentials found');
    }
    const raw = await readBody(req);
    if (raw === null) return sendError(res, record, 413, 'request body too large');
    let body: ChatBody;
    try {
      body = JSON.parse(raw) as ChatBody;
      record.body = body;
    } catch {
      record.body = raw;
      return sendError(res, record, 400, 'request body is not valid JSON');
    }
    const model =
      typeof body.model === 'string' ? body.model : Array.isArray(body.models) && typeof body.models[0] === 'string' ? body.models[0] : null;
    record.model = model;
    record.stream = body.stream === true;
    if (!model) return sendError(res, record, 400, '`model` is required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return sendError(res, record, 400, '`messages` must be a non-empty array');
    }

    const script = resolveScript(model, req);
    const fault = script.fault ?? null;
    record.fault = fault?.kind ?? null;
    if (fault?.kind === 'refuse') {
      record.closedBy = 'fault';
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = {};
      if (fault.retryAfterS !== undefined) headers['retry-after'] = String(fault.retryAfterS);
      return sendError(res, record, fault.status, fault.message ?? defaultMessage(fault.status), headers);
    }

    const lastUser = [...body.messages].reverse().find((m) => m?.role === 'user');
    const userText = contentText(lastUser?.content);
    const mode = script.mode ?? DEFAULTS.mode;
    const last = body.messages[body.messages.length - 1];
    const afterTool = last?.role === 'tool';
    const tools = toolsOffered(body.tools);
    const calls = tools.length && !afterTool ? (script.toolCalls ?? (mode === 'text' ? [] : toolNamedIn(userText, tools))) : [];
    let text =
      mode === 'text'
        ? (script.text ?? '')
        : calls.length
          ? ''
          : afterTool
            ? mode === 'echo'
              ? contentText(last?.content)
              : 'Done.'
            : mode === 'echo'
              ? userText
              : demoReply(userText);
    if (fault?.kind === 'huge-event') text = 'x'.repeat(fault.chars);
    const promptText = body.messages.map((m) => contentText(m?.content)).join(' ');
    const answer: Answer = {
      id: `gen-${run}-${record.id}`,
      model: script.reportModel ?? model,
      reasoning: script.reasoning ? tokenize(script.reasoning) : [],
      tokens: fault?.kind === 'huge-event' ? [text] : tokenize(text),
      text,
      toolCalls: calls.map((c, i) => ({
        id: `call_${run}_${record.id}_${i}`,
        type: 'function' as const,
        function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
      })),
      toolDeltas: [],
      promptTokens: countTokens(promptText),
      finishReason: script.finishReason ?? (calls.length ? 'tool_calls' : DEFAULTS.finishReason),
      cost: script.cost,
    };
    answer.toolDeltas = toolCallDeltas(answer.toolCalls);
    const usage = script.usage ?? DEFAULTS.usage;
    const withUsage = usage === 'always' || (usage === 'requested' && body.stream_options?.include_usage === true);
    if (!record.stream || script.ignoreStream) return answerJson(res, record, script, answer, fault);
    if (fault?.kind === 'runaway') return void streamRunaway(res, record, script, answer, fault.chars, withUsage);
    streamAnswer(res, record, script, answer, fault, withUsage);
  }

  function resolveScript(model: string, req: IncomingMessage): SimScript {
    const { byModel, host: _h, port: _p, apiKey: _k, models: _m, recordLimit: _r, ...base } = opts;
    // A layer that gives `text` means scripted text, whatever an earlier layer chose.
    const layer = (under: SimScript, over: SimScript | null | undefined): SimScript =>
      over ? { ...under, ...over, ...(over.text !== undefined && over.mode === undefined ? { mode: 'text' as const } : {}) } : under;
    let script = layer({}, base);
    script = layer(script, byModel?.[model]);
    script = layer(script, scriptFromModelName(model));
    const header = req.headers['x-sim-script'];
    if (typeof header === 'string') {
      try {
        script = layer(script, JSON.parse(header) as SimScript);
      } catch {
        // a bad header is ignored rather than failing the request
      }
    }
    const faultHeader = req.headers['x-sim-fault'];
    if (typeof faultHeader === 'string') script.fault = parseFault(faultHeader);
    return layer(script, queue.shift());
  }

  function listModels(res: ServerResponse, record: SimRecord): void {
    const ids = opts.models ?? ['barnabee-sim', 'sim/demo', 'sim/echo', 'sim/think'];
    const created = Math.floor(Date.now() / 1000);
    sendJson(res, record, 200, {
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'barnabee-simulator' })),
    });
  }

  function answerJson(res: ServerResponse, record: SimRecord, script: SimScript, answer: Answer, fault: SimFault | null): void {
    const tps = script.tokensPerSecond ?? DEFAULTS.tokensPerSecond;
    const genMs = tps > 0 ? ((answer.tokens.length + answer.reasoning.length) * 1000) / tps : 0;
    const timer = setTimeout(
      () => {
        if (fault?.kind === 'reset' || fault?.kind === 'truncate' || fault?.kind === 'malformed') {
          record.closedBy = 'fault';
          res.socket?.resetAndDestroy();
          return;
        }
        if (fault?.kind === 'error-chunk') {
          return sendError(res, record, fault.status ?? 502, fault.message ?? 'Provider returned error');
        }
        record.tokensSent = answer.tokens.length;
        record.firstTokenAt = performance.now();
        const message: Record<string, unknown> = { role: 'assistant', content: answer.toolCalls.length && !answer.text ? null : answer.text };
        if (answer.reasoning.length) message.reasoning = answer.reasoning.join('');
        if (answer.toolCalls.length) message.tool_calls = answer.toolCalls;
        sendJson(
          res,
          record,
          200,
          {
            id: answer.id,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: answer.model,
            provider: 'Barnabee Simulator',
            choices: [{ index: 0, message, finish_reason: answer.finishReason, logprobs: null }],
            usage: usageJson(answer),
          },
          { 'x-generation-id': answer.id },
        );
      },
      fault?.kind === 'stall' ? 2 ** 31 - 1 : (script.ttftMs ?? DEFAULTS.ttftMs) + genMs,
    );
    res.on('close', () => clearTimeout(timer));
  }

  function streamAnswer(
    res: ServerResponse,
    record: SimRecord,
    script: SimScript,
    answer: Answer,
    fault: SimFault | null,
    withUsage: boolean,
  ): void {
    const ttft = script.ttftMs ?? DEFAULTS.ttftMs;
    const tps = script.tokensPerSecond ?? DEFAULTS.tokensPerSecond;
    const interval = tps > 0 ? 1000 / tps : 0;
    const keepalive = script.keepaliveEveryMs ?? DEFAULTS.keepaliveEveryMs;
    const out = writer(res, script.split ?? DEFAULTS.split);
    const head = `data: {"id":"${answer.id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(answer.model)},"provider":"Barnabee Simulator","choices":[{"index":0,"delta":{"role":"assistant",`;
    const textHead = `${head}"content":`;
    const reasoningHead = `${head}"content":"","reasoning":`;
    const toolHead = `${head}"content":null,"tool_calls":`;
    const tail = '},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}\n\n';
    const textEnd = answer.reasoning.length + answer.tokens.length;
    const all = textEnd + answer.toolDeltas.length;
    const faultAt = fault && 'afterTokens' in fault ? fault.afterTokens : -1;

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-generation-id': answer.id,
    });
    res.flushHeaders();
    record.status = 200;
    record.firstByteAt = performance.now();

    const start = performance.now();
    let sent = 0;
    let nextKeepalive = keepalive > 0 ? start + keepalive : Infinity;
    let stalled = false;
    // Faults with a position fire when that many tokens have gone (`all`: after the last one).
    let faultDone = !fault || !('afterTokens' in fault) || fault.afterTokens > all;
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    res.on('close', () => {
      done = true;
      if (timer) clearTimeout(timer);
    });

    const due = (i: number) => start + ttft + i * interval;

    const tick = () => {
      timer = null;
      if (done) return;
      const now = performance.now();
      let batch = '';
      while (!stalled && (sent < all || !faultDone) && due(sent) <= now) {
        if (!faultDone && sent === faultAt) {
          faultDone = true;
          const f = fault!;
          switch (f.kind) {
            case 'malformed':
              for (let i = 0; i < (f.count ?? 1); i++) batch += `data: {"id":"${answer.id}","choices":[{"delta":{"content":"oops\n\n`;
              break;
            case 'stall':
              stalled = true;
              continue;
            case 'error-chunk':
              batch += `data: ${JSON.stringify({
                ...chunkEnvelope(answer),
                error: { code: f.status ?? 502, message: f.message ?? 'Provider returned error', metadata: { provider_name: 'Simulated' } },
                choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }],
              })}\n\n`;
              return finish(batch, 'fault');
            case 'truncate':
              return finish(batch, 'fault');
            case 'reset':
              record.closedBy = 'fault';
              done = true;
              out.write(batch, () => res.socket?.resetAndDestroy());
              return;
            default:
              break;
          }
        }
        if (sent >= all) break;
        if (sent >= textEnd) batch += toolHead + answer.toolDeltas[sent - textEnd]! + tail;
        else {
          const reasoning = sent < answer.reasoning.length;
          const token = reasoning ? answer.reasoning[sent]! : answer.tokens[sent - answer.reasoning.length]!;
          batch += (reasoning ? reasoningHead : textHead) + JSON.stringify(token) + tail;
        }
        if (sent === 0) record.firstTokenAt = now;
        sent++;
        record.tokensSent = sent;
      }
      if (now >= nextKeepalive) {
        batch += KEEPALIVE;
        nextKeepalive = now + keepalive;
      }
      if (sent === all && faultDone && !stalled) {
        batch += `${head}"content":""},"finish_reason":${JSON.stringify(answer.finishReason)},"native_finish_reason":${JSON.stringify(answer.finishReason)},"logprobs":null}]}\n\n`;
        if (withUsage) {
          batch += `data: ${JSON.stringify({
            ...chunkEnvelope(answer),
            choices: [],
            usage: usageJson(answer),
          })}\n\n`;
        }
        batch += 'data: [DONE]\n\n';
        if (fault?.kind !== 'linger') return finish(batch, null);
        out.write(batch);
        return;
      }
      if (batch) out.write(batch);
      const nextToken = stalled ? Infinity : due(sent);
      const next = Math.min(nextToken, nextKeepalive);
      if (next !== Infinity) timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };

    const finish = (batch: string, closedBy: SimClose | null) => {
      if (closedBy) record.closedBy = closedBy;
      done = true;
      out.end(batch);
    };

    timer = setTimeout(tick, Math.max(0, Math.min(due(0), nextKeepalive) - performance.now()));
  }

  /** The `runaway` fault: words until `chars` characters went out, each batch after the last drained. */
  async function streamRunaway(res: ServerResponse, record: SimRecord, script: SimScript, answer: Answer, chars: number, withUsage: boolean) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-generation-id': answer.id });
    res.flushHeaders();
    record.status = 200;
    record.firstByteAt = performance.now();
    const ttft = script.ttftMs ?? DEFAULTS.ttftMs;
    if (ttft > 0) await new Promise((r) => setTimeout(r, ttft));
    const head = `data: {"id":"${answer.id}","object":"chat.completion.chunk","model":${JSON.stringify(answer.model)},"choices":[{"index":0,"delta":{"content":`;
    const tail = '},"finish_reason":null}]}\n\n';
    const words = RUNAWAY_WORDS();
    const tps = script.tokensPerSecond ?? DEFAULTS.tokensPerSecond;
    const start = performance.now();
    let sent = 0;
    let tokens = 0;
    while (sent < chars && !res.destroyed) {
      // At `tokensPerSecond` (0: as fast as the connection takes them), at most 64 KiB a write.
      const due = tps > 0 ? Math.floor(((performance.now() - start) * tps) / 1000) + 1 : Infinity;
      let batch = '';
      while (batch.length < 64 * 1024 && sent < chars && tokens < due) {
        const word = words[tokens % words.length]!.slice(0, chars - sent);
        batch += head + JSON.stringify(word) + tail;
        sent += word.length;
        tokens++;
      }
      if (batch) {
        if (record.firstTokenAt === null) record.firstTokenAt = performance.now();
        record.tokensSent = tokens;
        if (!res.write(batch)) await drained(res);
      } else await new Promise((r) => setTimeout(r, Math.max(1, 1000 / tps)));
    }
    if (res.destroyed) return;
    let end = `${head}""},"finish_reason":"stop"}]}\n\n`;
    if (withUsage) {
      const usage = { ...usageJson(answer), completion_tokens: tokens, total_tokens: answer.promptTokens + tokens };
      end += `data: ${JSON.stringify({ ...chunkEnvelope(answer), choices: [], usage })}\n\n`;
    }
    res.end(`${end}data: [DONE]\n\n`);
  }

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    get url() {
      return `http://${hostForUrl(address.address)}:${address.port}/v1`;
    },
    get port() {
      return address.port;
    },
    records,
    get active() {
      return active;
    },
    configure(partial) {
      opts = { ...opts, ...partial };
    },
    enqueue(...scripts) {
      queue.push(...scripts);
    },
    settled() {
      return active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

interface Answer {
  id: string;
  model: string;
  reasoning: string[];
  tokens: string[];
  text: string;
  toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  /** Each call's streamed pieces, as the JSON of one chunk's `delta.tool_calls`. */
  toolDeltas: string[];
  promptTokens: number;
  finishReason: string;
  cost: number | undefined;
}

/** Resolves when `res` can take more bytes, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** The runaway fault's words: the demo replies, cycled. */
let runawayWords: string[] | null = null;
const RUNAWAY_WORDS = (): string[] => (runawayWords ??= tokenize(DEMO_REPLIES.join(' ')));

function usageJson(a: Answer): Record<string, unknown> {
  const completion = a.tokens.length + a.reasoning.length + a.toolDeltas.length;
  // Priced like a small hosted model ($0.15 / $0.60 per million tokens), so cost is never zero.
  const cost = a.cost ?? Math.round(((a.promptTokens * 0.15 + completion * 0.6) / 1e6) * 1e10) / 1e10;
  return {
    prompt_tokens: a.promptTokens,
    completion_tokens: completion,
    total_tokens: a.promptTokens + completion,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: a.reasoning.length },
  };
}

interface Writer {
  write(s: string, then?: () => void): void;
  end(s: string): void;
}

/** Writes batches as they are, or in awkward pieces with a pause between, so each is its own TCP segment. */
function writer(res: ServerResponse, split: 'none' | 'utf8' | 'lines'): Writer {
  if (split === 'none') {
    return {
      write: (s, then) => (s ? res.write(s, then) : then?.()),
      end: (s) => res.end(s),
    };
  }
  let chain = Promise.resolve();
  const send = (s: string, last: boolean, then?: () => void) => {
    chain = chain.then(async () => {
      const pieces = split === 'utf8' ? splitInsideUtf8(Buffer.from(s)) : splitMidLine(s).map((p) => Buffer.from(p));
      for (const piece of pieces) {
        if (res.destroyed) return;
        res.write(piece);
        await new Promise((r) => setTimeout(r, SPLIT_GAP_MS));
      }
      if (last) res.end();
      then?.();
    });
  };
  return { write: (s, then) => send(s, false, then), end: (s) => send(s, true) };
}

/** Cuts before every UTF-8 continuation byte: every multi-byte character arrives in pieces. */
export function splitInsideUtf8(buf: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (let i = 1; i < buf.length; i++) {
    if ((buf[i]! & 0xc0) === 0x80) {
      pieces.push(buf.subarray(from, i));
      from = i;
    }
  }
  if (from < buf.length) pieces.push(buf.subarray(from));
  return pieces;
}

/** Cuts every event inside its field name, in the middle of its line, and between its two newlines. */
export function splitMidLine(s: string): string[] {
  const cuts = new Set<number>();
  for (let p = s.indexOf('data: '); p !== -1; p = s.indexOf('data: ', p + 1)) {
    const eol = s.indexOf('\n', p);
    cuts.add(p + 3);
    if (eol > p + 8) cuts.add(p + Math.floor((eol - p) / 2));
  }
  for (let q = s.indexOf('\n\n'); q !== -1; q = s.indexOf('\n\n', q + 2)) cuts.add(q + 1);
  return splitAt(s, cuts);
}

/** Cuts text or bytes at the given offsets (any order, repeats and offsets outside it ignored). */
export function splitAt<T extends { readonly length: number; slice(start: number, end?: number): T }>(whole: T, offsets: Iterable<number>): T[] {
  const cuts = [...new Set(offsets)].filter((c) => c > 0 && c < whole.length).sort((a, b) => a - b);
  const pieces: T[] = [];
  let from = 0;
  for (const c of cuts) {
    pieces.push(whole.slice(from, c));
    from = c;
  }
  pieces.push(whole.slice(from));
  return pieces;
}

/** The fields every `chat.completion.chunk` carries, as OpenRouter sends them. */
function chunkEnvelope(answer: { id: string; model: string }) {
  return {
    id: answer.id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    provider: 'Barnabee Simulator',
  };
}

function sendJson(res: ServerResponse, record: SimRecord, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  record.status = status;
  record.firstByteAt ??= performance.now();
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** An OpenRouter-style error body: `{"error":{"code":<status>,"message":…,"metadata":…}}`. */
function sendError(res: ServerResponse, record: SimRecord, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, record, status, { error: { code: status, message, metadata: { provider_name: 'Barnabee Simulator' } } }, headers);
}

function defaultMessage(status: number): string {
  const messages: Record<number, string> = {
    400: 'Invalid request: the model rejected the parameters',
    401: 'No auth credentials found',
    402: 'Insufficient credits. Add more using https://openrouter.ai/credits',
    403: 'Input was flagged by moderation',
    404: 'No endpoints found for this model',
    408: 'Request timed out upstream',
    429: 'Rate limit exceeded: too many requests',
    500: 'Internal server error',
    502: 'Provider returned error',
    503: 'No available provider could serve the request',
  };
  return messages[status] ?? `HTTP ${status}`;
}

function maskHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers[k] = k === 'authorization' || k === 'x-api-key' ? '[masked]' : Array.isArray(v) ? v.join(', ') : v;
  }
  return headers;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client left before sending the whole body'));
    });
  });
}

/** What `sim/think` thinks before it answers, streamed as `delta.reasoning`. */
const THINKING = 'The question is short, so the answer should be too. Say the main point first, then one detail, and nothing the listener has to look at.';

/** `sim/echo`, `sim/demo`, `sim/think` (demo answers after streamed reasoning), `sim/<fault>`: behaviour chosen by model name. */
function scriptFromModelName(model: string): SimScript | null {
  if (!model.startsWith('sim/')) return null;
  const rest = model.slice(4);
  if (rest === 'echo' || rest === 'demo') return { mode: rest };
  if (rest === 'think') return { mode: 'demo', reasoning: THINKING };
  const fault = parseFault(rest);
  return fault ? { fault } : null;
}

/**
 * A fault from its short form: `status:429[:<retry-after s>]`, `refuse`, `reset:<n>`,
 * `error-chunk:<n>[:<status>]`, `malformed:<n>[:<count>]`, `truncate:<n>`, `stall:<n>`,
 * `huge-event:<chars>`, `linger`, `runaway[:<chars>]` (n = tokens sent before the fault). Null when unreadable.
 */
export function parseFault(spec: string): SimFault | null {
  const [kind, a, b] = spec.trim().split(':');
  const num = (v: string | undefined, d: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : d);
  switch (kind) {
    case 'status': {
      const status = num(a, 500);
      return b === undefined ? { kind, status } : { kind, status, retryAfterS: num(b, 1) };
    }
    case 'refuse':
    case 'linger':
      return { kind };
    case 'reset':
    case 'truncate':
    case 'stall':
      return { kind, afterTokens: num(a, 0) };
    case 'error-chunk':
      return { kind, afterTokens: num(a, 0), status: num(b, 502) };
    case 'malformed':
      return { kind, afterTokens: num(a, 0), count: num(b, 1) };
    case 'huge-event':
      return { kind, chars: num(a, 1_000_000) };
    case 'runaway':
      return { kind, chars: num(a, 8_000_000) };
    default:
      return null;
  }
}

/** Arguments are sent in pieces this long, so a client must join many chunks to read one call. */
const TOOL_ARGUMENT_PIECE = 7;

/** The `delta.tool_calls` of each chunk: a call's id and name first, then its arguments in pieces. */
function toolCallDeltas(calls: Answer['toolCalls']): string[] {
  const deltas: string[] = [];
  calls.forEach((call, index) => {
    deltas.push(JSON.stringify([{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }]));
    const args = call.function.arguments;
    for (let i = 0; i < args.length; i += TOOL_ARGUMENT_PIECE) {
      deltas.push(JSON.stringify([{ index, function: { arguments: args.slice(i, i + TOOL_ARGUMENT_PIECE) } }]));
    }
  });
  return deltas;
}

interface OfferedTool {
  name: string;
  /** The name's words, lower case, without a `Hass` prefix: `HassTurnOn` → turn, on. */
  words: string[];
  /** The string parameters, `name` first: where the rest of the request goes. */
  stringParams: string[];
}

function toolsOffered(tools: unknown): OfferedTool[] {
  if (!Array.isArray(tools)) return [];
  const out: OfferedTool[] = [];
  for (const t of tools as Array<{ function?: { name?: unknown; parameters?: { properties?: unknown } } } | null>) {
    const name = t?.function?.name;
    if (typeof name !== 'string' || !name) continue;
    const words = name
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .split(/[\s_.-]+/)
      .map((w) => w.toLowerCase())
      .filter((w) => w && w !== 'hass');
    const props = t?.function?.parameters?.properties;
    const stringParams =
      props && typeof props === 'object'
        ? Object.entries(props as Record<string, { type?: unknown } | null>)
            .filter(([, p]) => p?.type === 'string')
            .map(([k]) => k)
            .sort((a, b) => (a === 'name' ? -1 : b === 'name' ? 1 : 0))
        : [];
    if (words.length) out.push({ name, words, stringParams });
  }
  return out;
}

/** The offered tool whose name's words all appear in the text (the most specific one), with the words after them as its first string argument. */
function toolNamedIn(text: string, tools: OfferedTool[]): SimToolCall[] {
  const said = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  let best: OfferedTool | null = null;
  for (const t of tools) if (t.words.every((w) => said.includes(w)) && (!best || t.words.length > best.words.length)) best = t;
  if (!best) return [];
  // What follows the tool's words is what it acts on: "please turn on the kitchen lights" → kitchen lights.
  const end = Math.max(...best.words.map((w) => said.indexOf(w)));
  const after = said.slice(end + 1);
  const rest = after.length ? after : said.filter((w) => !best.words.includes(w));
  while (rest[0] === 'the' || rest[0] === 'a' || rest[0] === 'my') rest.shift();
  const param = best.stringParams[0];
  return [{ name: best.name, arguments: param && rest.length ? { [param]: rest.join(' ') } : {} }];
}

/** Message content as text: a string, or the text parts of an OpenAI content array. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: { type?: unknown; text?: unknown }) => (p && p.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .join('');
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
