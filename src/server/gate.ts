/**
 * The request gate: the first check on every HTTP request and WebSocket upgrade, before routing
 * work, CORS, auth or rate limits (docs/protocol.md, "Who may call").
 *
 * - `Host` must be an IP literal (DNS rebinding needs a name), `localhost`, or a listed name.
 * - A browser request from another origin is refused unless that origin is allowed: an `Origin`
 *   header must be the server's own origin or listed; without `Origin`, `Sec-Fetch-Site` of
 *   `cross-site` or `same-site` is refused (a page on another port or loopback address is
 *   same-site, and cookies are not port-scoped). `Origin: null` (sandboxed frames, file pages,
 *   redirects) is never allowed.
 * - Requests with neither header (curl, SDKs, satellites) pass; auth still applies.
 * - A link from another site may still open a page that runs nothing (routes with
 *   `config: { page: true }`, the dashboard shell): a top-level GET navigation carries no `Origin`,
 *   and the page it loads then talks to Barnabee from Barnabee's own origin.
 */
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

export interface GateOptions {
  /** Host names accepted besides IP literals and `localhost` (case-insensitive, no port). */
  allowedHosts: readonly string[];
  /** Browser origins accepted besides the server's own (`scheme://host[:port]`). */
  allowedOrigins: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A page that runs nothing: a link from another site may open it (a top-level GET navigation). */
    page?: boolean;
  }
}

export type GateVerdict = { ok: true } | { ok: false; code: 'host_not_allowed' | 'origin_not_allowed'; message: string };

/** The host name of a `Host` value (`name`, `name:port`, `1.2.3.4:port`, `[v6]:port`); null when malformed. */
export function hostNameOf(host: string): string | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return null;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? m[1].toLowerCase() : null;
  return m[2]!.toLowerCase();
}

/** `scheme://host[:port]` normalized (lower case, default port dropped); null when not an http(s) origin. */
export function normalizeOrigin(origin: string): string | null {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

export class Gate {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(options: GateOptions) {
    this.hosts = new Set(['localhost', ...options.allowedHosts.map((h) => h.toLowerCase())]);
    this.origins = new Set(options.allowedOrigins.map((o) => normalizeOrigin(o) ?? o.toLowerCase()));
  }

  hostAllowed(host: string | undefined): boolean {
    const name = host ? hostNameOf(host) : null;
    if (!name) return false;
    return isIP(name) !== 0 || this.hosts.has(name);
  }

  /**
   * The verdict for a request seen as `host` (the `Host` header, or the trusted proxy's
   * `X-Forwarded-Host`) over `protocol`, with its `Origin` and `Sec-Fetch-Site` headers.
   */
  check(req: {
    host: string | undefined;
    protocol: string;
    origin: string | undefined;
    fetchSite: string | undefined;
    /** A top-level GET navigation to a `page` route (Sec-Fetch-Mode navigate, Sec-Fetch-Dest document). */
    pageNavigation?: boolean;
  }): GateVerdict {
    if (!this.hostAllowed(req.host)) {
      return { ok: false, code: 'host_not_allowed', message: 'This server does not answer to that Host name; add it to ALLOWED_HOSTS.' };
    }
    if (req.origin !== undefined) {
      const own = normalizeOrigin(`${req.protocol}://${req.host}`);
      const origin = normalizeOrigin(req.origin);
      if (origin !== null && (origin === own || this.origins.has(origin))) return { ok: true };
      return { ok: false, code: 'origin_not_allowed', message: 'Requests from that origin are not allowed; add it to CORS_ORIGINS.' };
    }
    const site = req.fetchSite?.toLowerCase();
    if ((site === 'cross-site' || site === 'same-site') && !req.pageNavigation) {
      return { ok: false, code: 'origin_not_allowed', message: 'Requests from other sites are not allowed.' };
    }
    return { ok: true };
  }

  /** The onRequest hook: 403 JSON (an upgrade is answered the same way, before it opens). */
  readonly hook = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    const header = (name: string) => {
      const v = request.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const pageNavigation =
      request.method === 'GET' &&
      request.routeOptions.config?.page === true &&
      header('sec-fetch-mode') === 'navigate' &&
      header('sec-fetch-dest') === 'document';
    const verdict = this.check({ host: request.host || undefined, protocol: request.protocol, origin: header('origin'), fetchSite: header('sec-fetch-site'), pageNavigation });
    if (verdict.ok) return;
    return reply.code(403).send(errorBody(verdict.code, verdict.message));
  };
}
