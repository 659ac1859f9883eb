/**
 * One rule for who may talk to Barnabee, shared by every route (and the dashboard's):
 * `Authorization: Bearer <token>`; on a WebSocket upgrade also `?token=` or the token as one of the
 * offered `Sec-WebSocket-Protocol`s; or the session cookie the dashboard sets. All comparisons are
 * constant-time over HMAC digests, so neither content nor length leaks through timing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

export const SESSION_COOKIE = 'barnabee_session';
/** The subprotocol echoed to a WebSocket client that authenticated via `Sec-WebSocket-Protocol`. */
export const WS_SUBPROTOCOL = 'barnabee.v1';

/** The value of the session cookie for a token: it proves the token without containing it. */
export function sessionCookieValue(token: string): string {
  return createHmac('sha256', token).update('barnabee-session-v1').digest('base64url');
}

const digestKey = Buffer.from('barnabee-compare');
const digest = (s: string) => createHmac('sha256', digestKey).update(s).digest();

/** Constant-time string equality (lengths hidden by hashing both sides first). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

const isUpgrade = (request: FastifyRequest) => request.headers.upgrade?.toLowerCase() === 'websocket';

/** Offered subprotocols of a WebSocket upgrade. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const v = Array.isArray(header) ? header.join(',') : (header ?? '');
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether a request carries the token in one of the accepted places. */
export function carriesToken(request: FastifyRequest, token: string): boolean {
  const auth = request.headers.authorization;
  if (auth && /^bearer /i.test(auth) && safeEqual(auth.slice(7).trim(), token)) return true;

  const cookie = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
  if (cookie && safeEqual(cookie, sessionCookieValue(token))) return true;

  if (isUpgrade(request)) {
    const q = (request.query as Record<string, unknown> | undefined)?.token;
    if (typeof q === 'string' && safeEqual(q, token)) return true;
    // Every offered protocol is compared, so which one matched does not show in timing.
    let hit = false;
    for (const p of offeredProtocols(request.headers['sec-websocket-protocol'])) hit = safeEqual(p, token) || hit;
    if (hit) return true;
  }
  return false;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The API token, when one is set (never serialized; kept off `config` dumps). */
    barnabeeToken: string | undefined;
  }
  interface FastifyContextConfig {
    /** `false` opens a route to everyone (e.g. `/healthz`, a dashboard login page). */
    auth?: boolean;
  }
}

/** True when no token is configured, the route is public, or the request carries the token. */
export function isAuthorized(request: FastifyRequest): boolean {
  const token = request.server.barnabeeToken;
  if (!token) return true;
  if (request.routeOptions.config?.auth === false) return true;
  return carriesToken(request, token);
}

/** onRequest hook: JSON 401 unless authorized. Installed globally; exported for plugins that need it. */
export async function requireAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isAuthorized(request)) return;
  reply.header('www-authenticate', 'Bearer realm="barnabee"');
  await reply.code(401).send(errorBody('unauthorized', 'A valid API token is required.'));
}

/** ws `handleProtocols`: echo the non-secret subprotocol, never the token itself. */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false;
}
