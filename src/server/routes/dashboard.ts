/**
 * The dashboard's HTTP face: the page shell and its bundled assets, the status and history JSON
 * the page reads, and sign-in (token → HttpOnly session cookie). The live feed itself is the
 * dashboard WebSocket, served with the other transports.
 *
 * The shell, the assets and `POST /api/v1/session` are open (`config: { auth: false }`): the page
 * must load before it can ask for the token. Everything else here goes through the server's auth.
 * The session cookie carries its signed issue time and expires server-side (auth.ts); a failed
 * sign-in counts against the client's failure limit like any other wrong token.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { RuntimeStatus, Store } from '../../turn/index.js';
import { Auth, SESSION_COOKIE, safeEqual } from '../auth.js';
import { errorBody } from '../errors.js';

/** The history queries the page needs. */
export type DashboardStore = Pick<Store, 'listTurns' | 'getTurn' | 'listConversations' | 'getConversation'>;

export interface DashboardRuntime {
  config: Pick<Config, 'BARNABEE_API_TOKEN'>;
  store: DashboardStore;
  status(): RuntimeStatus;
}

export interface DashboardRoutesOptions {
  runtime: DashboardRuntime;
  /** Where the built page lives; default `<package root>/dist/dashboard`. */
  assetsDir?: string;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const ASSET_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * The page loads only its own script and styles and talks only to this origin; no inline script.
 * uPlot sizes its canvas through element.style (CSSOM), which `style-src 'self'` permits.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const MISSING_BUNDLE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Barnabee: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>The server could not find the dashboard bundle (<code>dist/dashboard/</code>).
Run <code>npm run build</code> and restart the server.</p>
<p>The API works without it: try <code>curl http://HOST:PORT/api/v1/status</code>.</p>
</body></html>
`;

/** The package root: the nearest folder upwards holding package.json (works from src/ and dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Reads the bundle once at start; null when any part is missing. */
export function loadDashboardAssets(dir: string): Map<string, Asset> | null {
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) {
    const file = join(dir, name);
    if (!existsSync(file)) return null;
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, type, etag });
  }
  return assets;
}

const historyQuery = z.object({
  q: z.string().max(200, 'q: at most 200 characters').optional(),
  limit: z.coerce
    .number({ message: 'limit: expected a number' })
    .int('limit: expected a whole number')
    .min(1, 'limit: at least 1')
    .max(200, 'limit: at most 200')
    .optional(),
  before: z.string().min(1).max(128, 'before: at most 128 characters').optional(),
});
const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w.:-]+$/, 'id: expected letters, digits, and . _ : -'),
});
const sessionBody = z.object({ token: z.string({ message: 'token: expected a string' }).max(4096) });

function parse<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.join('.');
  const message = issue ? (where && !issue.message.startsWith(`${where}:`) ? `${where}: ${issue.message}` : issue.message) : 'invalid request';
  void reply.code(400).send(errorBody('invalid_request', message));
  return undefined;
}

export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, options) => {
  const { runtime } = options;
  const assets = loadDashboardAssets(options.assetsDir ?? join(packageRoot(), 'dist', 'dashboard'));
  if (!assets) app.log.warn('dashboard bundle missing: run `npm run build` to build dist/dashboard/');

  // The server registers the cookie plugin for its auth check; register it here only when used alone.
  if (!app.hasReplyDecorator('setCookie')) await app.register(fastifyCookie);
  const auth = app.hasDecorator('barnabeeAuth') ? app.barnabeeAuth : new Auth({ token: runtime.config.BARNABEE_API_TOKEN });

  const open = { config: { auth: false } } as const;
  // The static page may answer HEAD (it runs nothing); the server gives no route a HEAD by default.
  const asset = { ...open, exposeHeadRoute: true } as const;
  // The shell may be opened by a link from another site (it runs nothing; CSP forbids framing it).
  const shell = { exposeHeadRoute: true, config: { auth: false, page: true } } as const;

  const sendAsset = (name: string, request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!assets) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(name === 'index.html' ? MISSING_BUNDLE_PAGE : 'dashboard bundle missing: run `npm run build`\n');
    }
    const asset = assets.get(name)!;
    // File names are not content-hashed, so every load revalidates; the ETag makes that a 304.
    reply.header('cache-control', 'no-cache').header('etag', asset.etag);
    if (name === 'index.html') reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  };

  app.get('/', shell, (request, reply) => sendAsset('index.html', request, reply));
  app.get('/index.html', shell, (request, reply) => sendAsset('index.html', request, reply));
  app.get('/app.js', asset, (request, reply) => sendAsset('app.js', request, reply));
  app.get('/app.css', asset, (request, reply) => sendAsset('app.css', request, reply));

  // `auth`: whether this server requires a token (the page offers Sign out only then).
  app.get('/api/v1/status', async () => ({ ...runtime.status(), auth: Boolean(runtime.config.BARNABEE_API_TOKEN) }));

  app.get('/api/v1/turns', async (request, reply) => {
    const q = parse(historyQuery, request.query, reply);
    if (!q) return reply;
    const limit = q.limit ?? 50;
    const turns = runtime.store.listTurns({ q: q.q || undefined, limit, before: q.before });
    // A full page may have more behind it: `next_before` is the cursor for the next one.
    return { turns, next_before: turns.length === limit ? turns[turns.length - 1]!.turn_id : null };
  });

  app.get('/api/v1/turns/:id', async (request, reply) => {
    const p = parse(idParam, request.params, reply);
    if (!p) return reply;
    const turn = runtime.store.getTurn(p.id);
    if (!turn) return reply.code(404).send(errorBody('not_found', 'No turn with that id.'));
    return turn;
  });

  app.get('/api/v1/conversations', async (request, reply) => {
    const q = parse(historyQuery, request.query, reply);
    if (!q) return reply;
    return { conversations: runtime.store.listConversations({ q: q.q || undefined, limit: q.limit ?? 50 }) };
  });

  app.get('/api/v1/conversations/:id', async (request, reply) => {
    const p = parse(idParam, request.params, reply);
    if (!p) return reply;
    const conversation = runtime.store.getConversation(p.id);
    if (!conversation) return reply.code(404).send(errorBody('not_found', 'No conversation with that id.'));
    return conversation;
  });

  app.post('/api/v1/session', open, async (request, reply) => {
    const body = parse(sessionBody, request.body, reply);
    if (!body) return reply;
    const { token, sessions } = auth;
    if (!token || !sessions) return { authenticated: true, token_required: false };
    if (auth.refuseIfLimited(request, reply)) return reply;
    if (!safeEqual(body.token, token)) {
      auth.failures.record(request.ip);
      return reply.code(401).send(errorBody('invalid_token', 'That token is not valid.'));
    }
    reply.setCookie(SESSION_COOKIE, sessions.issue(), {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: sessions.maxAgeSeconds,
      // Behind a TLS-terminating proxy this is true only when TRUST_PROXY believes its X-Forwarded-Proto.
      secure: request.protocol === 'https',
    });
    return { authenticated: true, token_required: true };
  });

  // Sign out. Open, so a page whose token was rotated can still clear its stale cookie.
  app.delete('/api/v1/session', open, async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    return reply.code(204).send();
  });
};
