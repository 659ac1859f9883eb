/** Dashboard feed over WebSocket and SSE: every turn event of every client, plus metrics snapshots. */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { toWire } from '../../turn/index.js';
import type { ServerContext } from '../context.js';
import { SSE_HEADERS, SSE_HEARTBEAT, sseData, sseTurnEvent } from '../encoders/sse.js';
import { openHttpStream, resetWhenStalled } from '../outlets.js';

export function feedRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/ws/dashboard', { websocket: true }, (socket: WebSocket, request) => {
    resetWhenStalled(request.raw.socket, ctx.config.CLIENT_IDLE_TIMEOUT_MS);
    const remove = ctx.feed.add({
      event: (e) => socket.send(JSON.stringify(toWire(e, { audioData: false }))),
      snapshot: (s) => socket.send(JSON.stringify(s)),
      buffered: () => socket.bufferedAmount,
      drop: (reason) => socket.close(reason === 'server_shutdown' ? 1001 : 1008, reason),
    });
    socket.on('close', remove);
  });

  app.get('/api/v1/events', async (_request, reply) => {
    const stream = openHttpStream(reply, {
      headers: SSE_HEADERS,
      heartbeat: { everyMs: ctx.config.SSE_HEARTBEAT_MS, text: SSE_HEARTBEAT },
      idleTimeoutMs: ctx.config.CLIENT_IDLE_TIMEOUT_MS,
    });
    await new Promise<void>((resolve) => {
      const remove = ctx.feed.add({
        event: (e) => stream.write(sseTurnEvent(e, { audioData: false })),
        snapshot: (s) => stream.write(sseData(JSON.stringify(s), 'metrics')),
        buffered: stream.buffered,
        drop: () => {
          stream.close();
          resolve();
        },
      });
      stream.gone.addEventListener('abort', () => {
        remove();
        resolve();
      });
    });
  });
}
