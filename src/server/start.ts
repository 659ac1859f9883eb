/**
 * Listening and graceful shutdown: stop accepting, let running turns finish within the grace
 * period, cancel the rest (each still ends with turn.end), then close sockets and the app.
 */
import type { FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../config.js';
import { VERSION } from '../version.js';
import { createServer, type ServerOptions } from './app.js';
import { TurnAbort } from './turns.js';
import type { ServerRuntime } from './types.js';
import { startWyomingServer, type WyomingServer } from './wyoming/index.js';

export interface StartOptions extends ServerOptions {
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
  /**
   * The Wyoming server: `true` serves it on WYOMING_SERVER_PORT (0 = off), `{ port }` on that port
   * (0 = a free one). Off unless asked (`barnabee serve` asks), so that tests and embedders can run
   * many servers on one machine without fighting over the fixed port.
   */
  wyoming?: boolean | { port: number; idleTimeoutMs?: number };
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Graceful shutdown (idempotent); resolves when the app is closed. */
  close(): Promise<void>;
  /** Resolves once the server has shut down, by `close()` or by a signal. */
  closed: Promise<void>;
  /** The Wyoming server, when one listens. */
  wyoming: WyomingServer | null;
}


export async function startServer(runtime: ServerRuntime, options: StartOptions = {}): Promise<RunningServer> {
  const { config } = runtime;
  if (!isLoopbackHost(config.HOST) && !config.BARNABEE_API_TOKEN) {
    throw new Error(`Refusing to listen on ${config.HOST} without BARNABEE_API_TOKEN: set a token or use HOST=127.0.0.1.`);
  }
  const app = await createServer(runtime, options);
  const wyomingPort = options.wyoming === true ? config.WYOMING_SERVER_PORT || null : options.wyoming ? options.wyoming.port : null;
  let wyoming: WyomingServer | null = null;
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
    if (wyomingPort !== null) {
      wyoming = await startWyomingServer({
        host: config.HOST,
        port: wyomingPort,
        allowedClients: config.WYOMING_ALLOWED_CLIENTS,
        hub: app.barnabee.hub,
        log: app.log,
        speech: runtime.speech,
        tts: runtime.tts,
        assistantName: config.ASSISTANT_NAME,
        version: VERSION,
        maxInputChars: config.MAX_INPUT_CHARS,
        bufferBytes: config.CLIENT_BUFFER_BYTES,
        idleTimeoutMs: typeof options.wyoming === 'object' ? options.wyoming.idleTimeoutMs : undefined,
      });
    }
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;

  let closing: Promise<void> | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () => (closing ??= gracefulClose(app, wyoming, config.SHUTDOWN_GRACE_MS).finally(markClosed));

  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (closing) {
        // A second signal: no more grace.
        app.barnabee.hub.cancelAll(new TurnAbort('server_shutdown', 'The server is shutting down.'));
        wyoming?.cancelAll();
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

  return { app, url: `http://${host}:${port}`, close, closed, wyoming };
}

async function gracefulClose(app: FastifyInstance, wyoming: WyomingServer | null, graceMs: number): Promise<void> {
  const { hub } = app.barnabee;
  hub.drain();
  // Stop accepting connections; open streams carry on. Fastify's close below finishes the job.
  app.server.close();
  app.server.closeIdleConnections();
  wyoming?.stop();
  const timer = setTimeout(() => {
    hub.cancelAll(new TurnAbort('server_shutdown', 'The server is shutting down.'));
    wyoming?.cancelAll();
  }, graceMs);
  try {
    await Promise.all([hub.idle(), wyoming?.idle()]);
  } finally {
    clearTimeout(timer);
  }
  await wyoming?.close();
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
