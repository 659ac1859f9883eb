/**
 * A real HTTP server speaking the OpenAI chat-completions protocol the way OpenRouter does
 * (`stream` true and false, `GET /v1/models`), with configurable timing and injectable faults.
 * Demo mode, the tests and the benchmarks all talk to it over real sockets.
 *
 * Behaviour for a request is resolved, later winning: the simulator's options → `byModel[model]`
 * → the model name `sim/<spec>` (faults.ts) → an `x-sim-script` header (JSON `SimScript`) or
 * `x-sim-fault` header (`<spec>`) → the next `enqueue`d script (one-shot, first in first out).
 * A bad header is a 400 that says what is wrong.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildAnswer, type Answer, type ChatBody } from './answer.js';
import { parseScriptHeader, parseSpec, scriptFromModelName } from './faults.js';
import { loadReplay, replay } from './replay.js';
import { streamAnswer, streamRunaway, usageJson, type Pace } from './stream.js';
import type { SimFault, SimRecord, SimScript, Simulator, SimulatorOptions } from './types.js';

const PACE: Pace = { ttftMs: 250, tokensPerSecond: 40, keepaliveEveryMs: 0, split: 'none' };
const MAX_BODY_BYTES = 8 * 1024 * 1024;

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

    let script: SimScript;
    try {
      script = resolveScript(model, req);
    } catch (err) {
      return sendError(res, record, 400, (err as Error).message);
    }
    const pace: Pace = {
      ttftMs: script.ttftMs ?? PACE.ttftMs,
      tokensPerSecond: script.tokensPerSecond ?? PACE.tokensPerSecond,
      keepaliveEveryMs: script.keepaliveEveryMs ?? PACE.keepaliveEveryMs,
      split: script.split ?? PACE.split,
    };
    if (script.replay !== undefined) return replay(res, record, await loadReplay(script.replay), pace);

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

    const answer = buildAnswer({ ...body, messages: body.messages }, script, `gen-${run}-${record.id}`, script.reportModel ?? model, fault);
    const usage = script.usage ?? 'requested';
    const withUsage = usage === 'always' || (usage === 'requested' && body.stream_options?.include_usage === true);
    if (!record.stream || script.ignoreStream) return answerJson(res, record, pace, answer, fault);
    if (fault?.kind === 'runaway') return void streamRunaway(res, record, pace, answer, fault.chars, withUsage);
    streamAnswer(res, record, pace, answer, fault, withUsage);
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
    if (typeof header === 'string') script = layer(script, parseScriptHeader(header));
    const spec = req.headers['x-sim-fault'];
    if (typeof spec === 'string') {
      const fromSpec = parseSpec(spec);
      if (!fromSpec) throw new Error(`x-sim-fault: unreadable spec ${JSON.stringify(spec.slice(0, 100))}`);
      script = layer(script, fromSpec);
    }
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

  function answerJson(res: ServerResponse, record: SimRecord, pace: Pace, answer: Answer, fault: SimFault | null): void {
    const genMs = pace.tokensPerSecond > 0 ? ((answer.tokens.length + answer.reasoning.length) * 1000) / pace.tokensPerSecond : 0;
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
      fault?.kind === 'stall' ? 2 ** 31 - 1 : pace.ttftMs + genMs,
    );
    res.on('close', () => clearTimeout(timer));
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

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
