/**
 * The Fastify app: logging with request ids, auth, CORS, rate limits, strict JSON parsing, one error
 * shape, and every transport's routes. Built here, listened on in start.ts.
 */
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { Auth, requireAuth, selectProtocol } from './auth.js';
import { SECRET_KEYS, type Config } from '../config.js';
import { redactUrl } from '../redact.js';
import type { ServerContext } from './context.js';
import { boundedDrain, drainLimit } from './drain.js';
import { HttpError, errorBody, toHttpError } from './errors.js';
import { Feed } from './feed.js';
import { Gate } from './gate.js';
import { ServerMetrics } from './metrics.js';
import { cancelRoutes } from './routes/cancel.js';
import { chatRoutes } from './routes/chat.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { feedRoutes } from './routes/feed.js';
import { healthRoutes } from './routes/health.js';
import { ollamaRoutes } from './routes/ollama.js';
import { openAiRoutes } from './routes/openai.js';
import { wsRoutes } from './routes/ws.js';
import { TurnHub } from './turns.js';
import { StrictCloseWebSocket, wsErrorHandler } from './ws-guard.js';
import type { ServerRuntime } from './types.js';

export interface ServerOptions {
  /** A pino logger; default: JSON to stdout at LOG_LEVEL. */
  logger?: Logger;
  /** Metrics snapshot period on the dashboard feed (default 5 s). */
  snapshotEveryMs?: number;
  /** Node process metrics in /metrics (default true). */
  defaultMetrics?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    barnabee: ServerContext;
  }
}

/** A caller's X-Request-ID is kept only when short and plain: it is echoed and logged. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** TRUST_PROXY as Fastify takes it: a hop count is "the nearest n hops" (what Fastify does with a number). */
const proxyTrust = (tp: Config['TRUST_PROXY']) => (typeof tp === 'number' ? (_address: string, hop: number) => hop < tp : tp);

export async function createServer(runtime: ServerRuntime, options: ServerOptions = {}): Promise<FastifyInstance> {
  const { config } = runtime;
  // The URL as logged: a token in the query or the path never reaches a log line.
  const logUrl = (url: string | undefined) => redactUrl(url ?? '', SECRET_KEYS.map((k) => config[k]));
  const base = options.logger ?? pino({ level: config.LOG_LEVEL });
  const logger = base.child(
    {},
    {
      serializers: {
        // `ip` is the client as TRUST_PROXY sees it (a FastifyRequest); a raw request has only its socket.
        req: (req: IncomingMessage & { ip?: string }) => ({ method: req.method, url: logUrl(req.url), remoteAddress: req.ip ?? req.socket?.remoteAddress }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]'], censor: '[redacted]' },
    },
  );

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Accept a caller's X-Request-ID only when it is short and plain (it ends up in logs).
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Only the listed proxies' X-Forwarded-For/-Proto/-Host are believed (request.ip, .protocol, .host).
    trustProxy: proxyTrust(config.TRUST_PROXY),
    // No automatic HEAD twin of every GET: a HEAD must never run a turn. Routes that want one say so.
    exposeHeadRoutes: false,
    // One log line per turn (turns.ts) rather than two per request; failed requests are logged below.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: 'idle',
    // An idle keep-alive connection is closed after the same time a stalled one is reset (outlets.ts).
    keepAliveTimeout: config.CLIENT_IDLE_TIMEOUT_MS,
    return503OnClosing: true,
    // The whole-request deadline: a client trickling headers or a body is closed. It covers
    // receiving the request only; a streaming response may last as long as its turn.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(config.REQUEST_TIMEOUT_MS, 60_000),
      connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(config.REQUEST_TIMEOUT_MS / 10))),
    },
  });
  boundedDrain(app, drainLimit(config.BODY_LIMIT_BYTES));

  const hub = new TurnHub(runtime.assistant, {
    maxTurnsPerClient: config.MAX_TURNS_PER_CLIENT,
    clientBufferBytes: config.CLIENT_BUFFER_BYTES,
  });
  const metrics = new ServerMetrics({ defaultMetrics: options.defaultMetrics });
  const unobserve = runtime.bus.subscribe((e) => metrics.observe(e), { maxQueue: 100_000 });
  const feed = new Feed(runtime.bus, () => metrics.snapshot(), {
    bufferBytes: config.CLIENT_BUFFER_BYTES,
    snapshotEveryMs: options.snapshotEveryMs ?? 5000,
  });
  const ctx: ServerContext = { runtime, config, hub, metrics, feed };
  app.decorate('barnabee', ctx);
  app.decorate(
    'barnabeeAuth',
    new Auth({
      token: config.BARNABEE_API_TOKEN,
      sessionTtlMs: config.SESSION_TTL_DAYS * 86_400_000,
      failuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    }),
  );
  app.addHook('onClose', async () => {
    unobserve();
    feed.close();
  });

  // In demo mode every response says its answers are simulated, for clients that show no banner.
  const demo = runtime.status?.().demo === true;
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (demo) reply.header('x-barnabee-demo', 'answers come from a simulated model');
  });

  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode >= 400) {
      request.log.info(
        { req: request, statusCode: reply.statusCode, responseTime: Math.round(reply.elapsedTime * 10) / 10 },
        'error response',
      );
    }
    done();
  });

  app.setErrorHandler((err, request, reply) => {
    const e = toHttpError(err);
    if (e.statusCode >= 500) request.log.error({ err }, 'request failed');
    if (!reply.sent && !reply.raw.headersSent) void reply.code(e.statusCode).send(errorBody(e.code, e.message));
  });
  app.setNotFoundHandler((request, reply) => {
    // HEAD exists only where a route asks for it; on any other GET route it is refused, never run.
    if (request.method === 'HEAD' && app.findRoute({ method: 'GET', url: request.url.split('?')[0]! })) {
      void reply.code(405).header('allow', 'GET').send(errorBody('method_not_allowed', 'HEAD is not served here; use GET.'));
      return;
    }
    // The path is not echoed: it may be a token sent to the wrong place.
    void reply.code(404).send(errorBody('not_found', `No route for ${request.method} at this path; see docs/protocol.md for the routes.`));
  });

  // JSON bodies: bytes must be UTF-8 and parse, or the client hears exactly which.
  // Only JSON is accepted; anything else is a 415 rather than a silently parsed string.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) return done(new HttpError(400, 'invalid_utf8', 'The body is not valid UTF-8.'), undefined);
    if (bytes.length === 0) return done(new HttpError(400, 'invalid_json', 'The JSON body is empty.'), undefined);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      done(new HttpError(400, 'invalid_json', 'The body is not valid JSON.'), undefined);
    }
  });

  // The websocket plugin's own hooks must see every upgrade, even a refused one, to close its socket;
  // they only mark the request, so the gate still comes before anything that acts on it.
  await app.register(fastifyWebsocket, {
    // UTF-8 is checked by the route, which can say so in an `error` event before closing.
    options: { maxPayload: config.BODY_LIMIT_BYTES, handleProtocols: selectProtocol, skipUTF8Validation: true, WebSocket: StrictCloseWebSocket },
    errorHandler: wsErrorHandler,
    // Closing is ours (graceful shutdown closes sockets after their turns end).
    preClose: () => {},
  });
  app.addHook('onRequest', new Gate({ allowedHosts: config.ALLOWED_HOSTS, allowedOrigins: config.CORS_ORIGINS }).hook);
  await app.register(fastifyCookie);
  await app.register(fastifyCors, {
    origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
    exposedHeaders: ['x-request-id'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
  });
  // Auth runs before the rate limiter so unauthenticated floods cost nothing.
  app.addHook('onRequest', requireAuth);
  await app.register(fastifyRateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, c) => ({
      statusCode: c.statusCode,
      ...errorBody('rate_limited', `Rate limit of ${c.max} requests per minute exceeded; retry in ${c.after}.`),
    }),
  });

  healthRoutes(app, ctx);
  chatRoutes(app, ctx);
  cancelRoutes(app, ctx);
  wsRoutes(app, ctx);
  openAiRoutes(app, ctx);
  await app.register(ollamaRoutes, { ctx });
  feedRoutes(app, ctx);
  if (runtime.store && runtime.status) {
    await app.register(dashboardRoutes, { runtime: { config, store: runtime.store, status: () => runtime.status!() } });
  }

  return app;
}
