/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const open = { config: { auth: false, rateLimit: false } } as const;
  // Probes may use HEAD; it runs nothing here (the server gives no other route a HEAD by default).
  app.get('/healthz', { ...open, exposeHeadRoute: true }, async () => ({ status: 'ok' }));

  // Ready while not shutting down. A model or speech server that does not answer makes it
  // `degraded`, not 503: instant and home answers still work, and the checks name what is down.
  app.get('/readyz', { config: { rateLimit: false } }, async (_request, reply) => {
    const ready = !ctx.hub.isDraining;
    const checks = (await ctx.runtime.checks?.()) ?? [];
    const degraded = checks.some((c) => !c.ok);
    return reply.code(ready ? 200 : 503).send({
      status: !ready ? 'shutting_down' : degraded ? 'degraded' : 'ready',
      provider: ctx.config.provider,
      active_turns: ctx.hub.running.size,
      checks,
      ...(ctx.runtime.status ? { runtime: ctx.runtime.status() } : {}),
    });
  });

  app.get('/metrics', { config: { rateLimit: false } }, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
