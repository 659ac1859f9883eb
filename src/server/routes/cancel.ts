/**
 * Barge-in for clients that stream a turn over one HTTP request (SSE, NDJSON, text, audio): they
 * cannot send into the stream, so they cancel by the turn's id, saying how much audio they played
 * (docs/protocol.md, "Barge-in"). Only the client that started the turn may cancel it.
 */
import type { FastifyInstance } from 'fastify';
import { clientIdOf, type ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { cancelInput, parseOr400 } from '../schemas.js';

export function cancelRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { id: string } }>('/api/v1/turns/:id/cancel', async (request, reply) => {
    const { played_ms } = parseOr400(cancelInput, request.body ?? {});
    if (!ctx.hub.cancel(request.params.id, clientIdOf(request), played_ms)) {
      throw new HttpError(404, 'turn_not_running', 'No turn of yours with that id is running.');
    }
    return reply.code(202).send({ cancelled: true, turn_id: request.params.id });
  });
}
