/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const open = { config: { auth: false, rateLimit: false } } as const;
  app.get('/healthz', open, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { rateLimit: false } }, async (_request, reply) => {
    const ready = !ctx.hub.isDraining;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'shutting_down',
      provider: ctx.config.provider,
      active_turns: ctx.hub.running.size,
      ...(ctx.runtime.status ? { runtime: ctx.runtime.status() } : {}),
    });
  });

  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
