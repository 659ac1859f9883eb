/**
 * The Wyoming server (docs/protocol.md, "Wyoming server"): Home Assistant's other door. One TCP
 * port; a `handle` program whose turns run through the hub like every transport's, and a `tts`
 * program over the speech stage. The protocol has no authentication: beyond loopback it refuses to
 * start without an allow-list, and with one it serves only those peers. Connections, header and
 * block sizes and the per-connection send buffer are bounded; idle connections are closed.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { isLoopbackHost } from '../../config.js';
import type { TtsEngine } from '../../speech/index.js';
import type { SpeechStage } from '../../turn/index.js';
import type { TurnHub } from '../turns.js';
import { allowList, plainAddress } from './allow.js';
import { serveConnection, type Connection } from './connection.js';
import { infoData, voicesOf } from './info.js';
import { sendError, socketPeer } from './peer.js';

export interface WyomingServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** IPs and CIDR ranges served; required when `host` is not loopback. Empty: every peer. */
  allowedClients: readonly string[];
  hub: TurnHub;
  log: FastifyBaseLogger;
  speech?: SpeechStage | null;
  tts?: Pick<TtsEngine, 'name' | 'voice'> | null;
  assistantName: string;
  version: string;
  maxInputChars: number;
  /** Per-connection send buffer; a client that falls further behind is disconnected. */
  bufferBytes: number;
  /** Close a connection after this long with nothing running and nothing received. Default 60 s. */
  idleTimeoutMs?: number;
  /** Default 64. */
  maxConnections?: number;
}

export interface WyomingServer {
  readonly host: string;
  readonly port: number;
  /** Stop accepting connections (shutdown, step one); open ones carry on. */
  stop(): void;
  /** Resolves when no turn or synthesis runs on any connection. */
  idle(): Promise<void>;
  /** Cancel every synthesis (turns are cancelled through the hub). */
  cancelAll(): void;
  /** Close every connection and the listener. */
  close(): Promise<void>;
}

export async function startWyomingServer(o: WyomingServerOptions): Promise<WyomingServer> {
  if (!isLoopbackHost(o.host) && !o.allowedClients.length) {
    throw new Error(
      `Refusing to serve Wyoming on ${o.host} without WYOMING_ALLOWED_CLIENTS: the protocol has no authentication. ` +
        `Name Home Assistant's address, or set WYOMING_SERVER_PORT=0.`,
    );
  }
  const allowed = allowList(o.allowedClients);
  const info = infoData({ assistantName: o.assistantName, version: o.version, tts: o.speech ? o.tts : null });
  const voices = o.tts ? voicesOf(o.tts) : [];
  const connections = new Set<Connection>();
  const log = o.log.child({ transport: 'wyoming' });

  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const address = plainAddress(socket.remoteAddress ?? '');
    if (allowed && !allowed(address)) {
      log.warn({ peer: address }, 'wyoming: refused a client that is not in WYOMING_ALLOWED_CLIENTS');
      sendError(socketPeer(socket, address, log, 1 << 16), 'forbidden', 'This client is not allowed (WYOMING_ALLOWED_CLIENTS).');
      socket.on('error', () => {});
      socket.end(() => socket.destroy());
      return;
    }
    const connection = serveConnection(socket, address, {
      hub: o.hub,
      log,
      info,
      speech: o.speech ?? null,
      voices,
      maxInputChars: o.maxInputChars,
      // An answer is what a model writes; room for long ones, not for a flood.
      maxSynthesisChars: Math.max(o.maxInputChars, 100_000),
      bufferBytes: o.bufferBytes,
      idleTimeoutMs: o.idleTimeoutMs ?? 60_000,
      limits: { maxHeaderBytes: 64 * 1024, maxDataBytes: 1 << 20, maxPayloadBytes: 1 << 20 },
    });
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });
  server.maxConnections = o.maxConnections ?? 64;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'wyoming: listener error'));
  const port = (server.address() as AddressInfo).port;
  log.info({ host: o.host, port, allow: o.allowedClients.length ? o.allowedClients : 'any (loopback)' }, 'wyoming server listening');

  let closed: Promise<void> | undefined;
  return {
    host: o.host,
    port,
    stop: () => {
      if (server.listening) server.close();
    },
    idle: async () => {
      await Promise.all([...connections].map((c) => c.idle()));
    },
    cancelAll: () => {
      for (const c of connections) c.cancel();
    },
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const c of connections) c.close();
        if (server.listening) server.close(() => resolve());
        else resolve();
      })),
  };
}
