/**
 * WebSocket protocol hygiene for every route. The server runs `ws` with `skipUTF8Validation` so the
 * message route can say "invalid_utf8" before it closes (routes/ws.ts), but that option also skips
 * the check of a close frame's reason. `StrictCloseWebSocket` puts that check back: a peer's close
 * whose reason is not UTF-8 is answered with 1007 instead of being echoed (RFC 6455 §5.5.1, §8.1).
 * `wsErrorHandler` logs a peer's malformed frame once, at `warn`, without a stack — it is the
 * client's fault, not the server's (docs/protocol.md, "Error codes").
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyRequest } from 'fastify';
import type { WebsocketPluginOptions } from '@fastify/websocket';
import WebSocket from 'ws';

class StrictClose extends WebSocket {
  // `ws` answers a received close frame by calling close(code, reason) with the reason's raw bytes;
  // the server's own closes pass strings.
  override close(code?: number, data?: string | Buffer): void {
    if (Buffer.isBuffer(data) && !isUtf8(data) && this.readyState === WebSocket.OPEN) {
      super.close(1007, 'invalid UTF-8 in close reason');
      // As `ws` does when it validates: the error after the close, for the route's error handler.
      this.emit('error', Object.assign(new Error('invalid UTF-8 sequence in a close frame reason'), { code: 'WS_ERR_INVALID_UTF8' }));
      return;
    }
    super.close(code, data);
  }
}

/**
 * For `WebSocketServer`'s `WebSocket` option. The plugin's type for it is the whole `ws` module
 * (the class merged with the module's other exports); `ws` itself only ever constructs the class.
 */
export const StrictCloseWebSocket = StrictClose as unknown as NonNullable<NonNullable<WebsocketPluginOptions['options']>['WebSocket']>;

/** @fastify/websocket's `errorHandler`: errors emitted by an established socket, or thrown by its route. */
export function wsErrorHandler(error: Error & { code?: unknown }, socket: WebSocket, request: FastifyRequest): void {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code?.startsWith('WS_ERR_')) {
    // A malformed frame: `ws` has already sent the close (1002, 1007, 1009) and ends the socket
    // after it. At most one such error per socket, so this is one line per bad connection.
    request.log.warn({ code, reason: error.message }, 'malformed WebSocket frame; connection closed');
    return;
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') request.log.debug({ code }, 'WebSocket peer went away');
  else request.log.error({ err: error }, 'WebSocket route failed');
  socket.terminate();
}
