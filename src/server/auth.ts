/**
 * One rule for who may talk to Barnabee once the gate (gate.ts) has let a request in, shared by
 * every route (and the dashboard's): `Authorization: Bearer <token>`; on a WebSocket upgrade also
 * `?token=` or the token as one of the offered `Sec-WebSocket-Protocol`s; or the session cookie the
 * dashboard sets. All comparisons are constant-time over HMAC digests, so neither content nor length
 * leaks through timing. Failed attempts count per client; past the limit the client waits
 * (docs/protocol.md, "Who may call").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setBounded } from '../bounded-map.js';
import { errorBody } from './errors.js';

export const SESSION_COOKIE = 'barnabee_session';
/** Sent by the dashboard page with its requests: shows a cookie came from that page (see fromOwnPage). */
export const PAGE_HEADER = 'x-barnabee-page';
/** The subprotocol echoed to a WebSocket client that authenticated via `Sec-WebSocket-Protocol`. */
export const WS_SUBPROTOCOL = 'barnabee.v1';

const digestKey = Buffer.from('barnabee-compare');
const digest = (s: string) => createHmac('sha256', digestKey).update(s).digest();

/** Constant-time string equality (lengths hidden by hashing both sides first). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Session cookie values: `v1.<issued, seconds>.<HMAC>`, signed with a key derived from the token, so
 * a cookie proves the token without containing it, carries its own age (checked here, not trusted
 * to the browser's Max-Age) and stops working when the token changes.
 */
export class SessionCookies {
  private readonly key: Buffer;

  constructor(
    token: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', token).update('barnabee-session-key-v1').digest();
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** A fresh cookie value, issued now (or at `issuedMs`). */
  issue(issuedMs = this.now()): string {
    const payload = `v1.${Math.floor(issuedMs / 1000)}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The cookie's lifetime in whole seconds (its Max-Age). */
  get maxAgeSeconds(): number {
    return Math.max(1, Math.floor(this.ttlMs / 1000));
  }

  valid(value: string): boolean {
    const m = /^(v1\.(\d{1,12}))\.([\w-]{43})$/.exec(value);
    if (!m) return false;
    // The signature is compared before the age is looked at, so a forged value learns nothing.
    if (!safeEqual(m[3]!, this.sign(m[1]!))) return false;
    const age = this.now() - Number(m[2]) * 1000;
    // A little clock slack forwards; none backwards past the lifetime.
    return age > -60_000 && age < this.ttlMs;
  }
}

/**
 * Failed authentications per client in fixed one-minute windows; past `max` the client is refused
 * until its window ends. The table is bounded: when full, the oldest window goes (expired ones first).
 */
export class AuthFailures {
  private readonly clients = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly max: number,
    private readonly options: { windowMs?: number; maxClients?: number; now?: () => number } = {},
  ) {}

  private get now() {
    return (this.options.now ?? Date.now)();
  }

  /** Seconds until this client may try again; 0 when it may now. */
  retryAfter(client: string): number {
    const e = this.clients.get(client);
    if (!e) return 0;
    const left = e.until - this.now;
    if (left <= 0) {
      this.clients.delete(client);
      return 0;
    }
    return e.count >= this.max ? Math.ceil(left / 1000) : 0;
  }

  record(client: string): void {
    const now = this.now;
    const e = this.clients.get(client);
    if (e && e.until > now) {
      e.count += 1;
      return;
    }
    setBounded(this.clients, client, { count: 1, until: now + (this.options.windowMs ?? 60_000) }, this.options.maxClients ?? 10_000);
  }

  get size(): number {
    return this.clients.size;
  }
}

export interface AuthOptions {
  /** The API token; unset means no authentication (loopback only, enforced at start). */
  token?: string;
  /** How long a dashboard session cookie is good for (default 7 days). */
  sessionTtlMs?: number;
  /** Failed attempts per client per minute before it is refused (default 10). */
  failuresPerMinute?: number;
  now?: () => number;
}

/** The server's authentication state: the token, its session cookies and the failure counts. */
export class Auth {
  readonly token: string | undefined;
  readonly sessions: SessionCookies | undefined;
  readonly failures: AuthFailures;

  constructor(options: AuthOptions) {
    this.token = options.token;
    this.sessions = options.token ? new SessionCookies(options.token, options.sessionTtlMs ?? 7 * 86_400_000, options.now) : undefined;
    this.failures = new AuthFailures(options.failuresPerMinute ?? 10, { now: options.now });
  }

  /** Whether a request carries the token in one of the accepted places. */
  carriesToken(request: FastifyRequest): boolean {
    const token = this.token;
    if (!token) return true;
    const auth = request.headers.authorization;
    if (auth && /^bearer /i.test(auth) && safeEqual(auth.slice(7).trim(), token)) return true;

    const cookie = (request as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
    if (cookie && fromOwnPage(request) && this.sessions!.valid(cookie)) return true;

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

  /**
   * Sends 429 when the client has failed too often (whatever it carries now) and returns true;
   * otherwise false. For routes that check a token themselves (sign-in).
   */
  refuseIfLimited(request: FastifyRequest, reply: FastifyReply): boolean {
    const wait = this.failures.retryAfter(request.ip);
    if (!wait) return false;
    void reply
      .code(429)
      .header('retry-after', String(wait))
      .send(errorBody('too_many_auth_failures', `Too many failed authentication attempts; retry in ${wait} s.`));
    return true;
  }
}

/**
 * A browser attaches the cookie to any request to this host, from any port's page, so the cookie
 * counts only with evidence that the request came from a page on Barnabee's own origin:
 * `Sec-Fetch-Site: same-origin`, an `Origin` (the gate has already refused any not allowed; every
 * WebSocket handshake has one), or the dashboard's own header, which another origin cannot add
 * without a CORS preflight the gate refuses. The header matters where browsers send no Fetch
 * Metadata: plain http to a LAN address, where an `<img>` from another port carries neither.
 */
function fromOwnPage(request: FastifyRequest): boolean {
  const h = request.headers;
  return h['sec-fetch-site'] === 'same-origin' || h.origin !== undefined || h[PAGE_HEADER] !== undefined;
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

declare module 'fastify' {
  interface FastifyInstance {
    /** Token, session cookies, failure counts (the token is never serialized; kept off `config` dumps). */
    barnabeeAuth: Auth;
  }
  interface FastifyContextConfig {
    /** `false` opens a route to everyone (e.g. `/healthz`, a dashboard login page). */
    auth?: boolean;
  }
}

/** True when no token is configured, the route is public, or the request carries the token. */
export function isAuthorized(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.auth === false) return true;
  return request.server.barnabeeAuth.carriesToken(request);
}

/**
 * onRequest hook: JSON 401 unless authorized, and 429 for a client past its failure limit.
 * Installed globally; exported for plugins that need it.
 */
export async function requireAuth(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const auth = request.server.barnabeeAuth;
  if (!auth.token || request.routeOptions.config?.auth === false) return;
  if (auth.refuseIfLimited(request, reply)) return reply;
  if (auth.carriesToken(request)) return;
  auth.failures.record(request.ip);
  reply.header('www-authenticate', 'Bearer realm="barnabee"');
  return reply.code(401).send(errorBody('unauthorized', 'A valid API token is required.'));
}

/** ws `handleProtocols`: echo the non-secret subprotocol, never the token itself. */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false;
}
