/**
 * Listening and graceful shutdown: stop accepting, let running turns finish within the grace
 * period, cancel the rest (each still ends with turn.end), then close sockets and the app.
 */
import type { FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../config.js';
import { createServer, type ServerOptions } from './app.js';
import { TurnAbort } from './turns.js';
import type { ServerRuntime } from './types.js';

export interface StartOptions extends ServerOptions {
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Graceful shutdown (idempotent); resolves when the app is closed. */
  close(): Promise<void>;
  /** Resolves once the server has shut down, by `close()` or by a signal. */
  closed: Promise<void>;
}


export async function startServer(runtime: ServerRuntime, options: StartOptions = {}): Promise<RunningServer> {
  const { config } = runtime;
  if (!isLoopbackHost(config.HOST) && !config.BARNABEE_API_TOKEN) {
    throw new Error(`Refusing to listen on ${config.HOST} without BARNABEE_API_TOKEN: set a token or use HOST=127.0.0.1.`);
  }
  const app = await createServer(runtime, options);
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;

  let closing: Promise<void> | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () => (closing ??= gracefulClose(app, config.SHUTDOWN_GRACE_MS).finally(markClosed));

  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) {
        // A second signal: no more grace.
        app.barnabee.hub.cancelAll(new TurnAbort('server_shutdown', 'The server is shutting down.'));
        return;
      }
      app.log.info({ signal, grace_ms: config.SHUTDOWN_GRACE_MS }, 'shutting down');
      void close()
        .then(() => runtime.close?.())
        .catch((err: unknown) => app.log.error({ err }, 'shutdown failed'))
        .finally(() => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  return { app, url: `http://${host}:${port}`, close, closed };
}

async function gracefulClose(app: FastifyInstance, graceMs: number): Promise<void> {
  const { hub } = app.barnabee;
  hub.drain();
  // Stop accepting connections; open streams carry on. Fastify's close below finishes the job.
  app.server.close();
  app.server.closeIdleConnections();
  const timer = setTimeout(() => hub.cancelAll(new TurnAbort('server_shutdown', 'The server is shutting down.')), graceMs);
  try {
    await hub.idle();
  } finally {
    clearTimeout(timer);
  }
  app.barnabee.feed.close();
  for (const socket of app.websocketServer?.clients ?? []) socket.close(1001, 'server shutting down');
  // Keep-alive connections that went idle during the grace period would otherwise hold the close
  // for the keep-alive timeout; whatever is still mid-request gets a moment, then is cut.
  app.server.closeIdleConnections();
  const cut = setTimeout(() => app.server.closeAllConnections(), 1000);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}
