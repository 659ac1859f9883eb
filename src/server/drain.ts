/**
 * Early refusals reach clients that are still sending. A 401, 403, 413, 415, 429 or 400 is often
 * answered before the request body has been read; closing the connection then makes `fetch` and
 * browsers report a write error (EPIPE, ECONNRESET) instead of the status. So the connection stays
 * open after such an answer while the rest of the body is read and discarded — up to `maxBytes`,
 * then it is closed. How long that may take is bounded by the whole-request deadline
 * (`REQUEST_TIMEOUT_MS`, Node's `requestTimeout`), which applies until the body has arrived.
 */
import type { FastifyInstance } from 'fastify';

/** Bytes of an unread body read and discarded after an early answer: a few MB, or twice the body limit. */
export const drainLimit = (bodyLimitBytes: number): number => Math.max(16 * 1024 * 1024, 2 * bodyLimitBytes);

export function boundedDrain(app: FastifyInstance, maxBytes: number): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    // Fastify asks to close after a body it stopped reading (413, bad JSON); Node would then close
    // the socket as soon as the answer is out, while the client still sends. Not while shutting down.
    if (!request.raw.complete && reply.statusCode !== 503 && reply.getHeader('connection') === 'close') reply.removeHeader('connection');
    done(null, payload);
  });
  app.addHook('onRequest', (request, reply, done) => {
    const req = request.raw;
    reply.raw.once('finish', () => {
      if (req.complete || req.destroyed) return;
      // Node discards the rest of the body inside its parser (no 'data' events), so the socket's
      // byte count is what can be watched; rare enough (an early refusal with a body still coming)
      // for a short poll.
      const socket = req.socket;
      const from = socket.bytesRead;
      const timer = setInterval(() => {
        if (req.complete || socket.destroyed) return clearInterval(timer);
        if (socket.bytesRead - from > maxBytes) {
          clearInterval(timer);
          socket.destroy();
        }
      }, 20);
      timer.unref();
      socket.once('close', () => clearInterval(timer));
    });
    done();
  });
}
