/** What every route module receives: the runtime, the turn hub, metrics and the feed. */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Feed } from './feed.js';
import type { ServerMetrics } from './metrics.js';
import type { TurnHub } from './turns.js';
import type { ServerRuntime } from './types.js';

export interface ServerContext {
  runtime: ServerRuntime;
  config: Config;
  hub: TurnHub;
  metrics: ServerMetrics;
  feed: Feed;
}

/** Who is asking, for per-client limits: the peer address (behind a proxy, set trustProxy). */
export const clientIdOf = (request: FastifyRequest): string => request.ip;
