/**
 * One authenticated WebSocket to Home Assistant (`/api/websocket`), with the `ws` client:
 * `auth_required` → `{type: "auth", access_token}` → `auth_ok` | `auth_invalid`, then numbered
 * commands answered by `{id, type: "result", success, result | error}` and subscription events
 * `{id, type: "event", event}`. Every command has a deadline and is cancellable; nothing pending
 * outlives the socket. The token is sent once, in the auth message, and never appears in an error.
 */
import WebSocket from 'ws';
import { HomeError } from './types.js';
import { incomingSchema, type Incoming } from './ha-messages.js';
import { redact } from '../../redact.js';

export interface HaConnectionOptions {
  /** `ws://host:8123/api/websocket` (or `wss://`). */
  url: string;
  token: string;
  /** Shown in errors instead of the URL: the origin only. */
  where: string;
  /** Connect + login, and each command. */
  timeoutMs: number;
  /** Largest frame accepted (a big home's `get_states` is a few MB). */
  maxPayload: number;
  signal?: AbortSignal;
  /** The socket is gone (dropped, closed by Home Assistant, a protocol error): once, not after `close()`. */
  onClose(reason: HomeError): void;
}

/** A command Home Assistant answered with `success: false`. */
export class HaCommandError extends Error {
  constructor(
    readonly type: string,
    readonly code: string,
    readonly haMessage: string,
  ) {
    super(`Home Assistant refused ${type} (${code}${haMessage ? `: ${haMessage}` : ''}).`);
    this.name = 'HaCommandError';
  }
}

export interface CommandOptions {
  signal?: AbortSignal;
  /**
   * Called with the result as it arrives, before any later message is handled (a promise's
   * continuation may run after events that followed the result on the wire).
   */
  onResult?(result: unknown): void;
}

export interface HaConnection {
  readonly haVersion: string;
  /** Sends `{id, ...message}` and resolves with `result` (or the `pong`), rejects with HaCommandError or HomeError. */
  command(message: { type: string; [field: string]: unknown }, options?: CommandOptions): Promise<unknown>;
  /** `subscribe_events` for one event type; `onEvent` gets each `event`, in arrival order. */
  subscribeEvents(eventType: string, onEvent: (event: unknown) => void, options?: CommandOptions): Promise<void>;
  readonly open: boolean;
  /** Closes the socket; pending commands reject; `onClose` is not called. */
  close(): void;
}

interface Pending {
  type: string;
  onResult?(result: unknown): void;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  cleanup(): void;
}

export function openHaConnection(o: HaConnectionOptions): Promise<HaConnection> {
  const { where, timeoutMs } = o;
  return new Promise<HaConnection>((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason);
    const ws = new WebSocket(o.url, { maxPayload: o.maxPayload, handshakeTimeout: timeoutMs, followRedirects: false });
    const pending = new Map<number, Pending>();
    const subscriptions = new Map<number, (event: unknown) => void>();
    let nextId = 0;
    let phase: 'login' | 'open' | 'closed' = 'login';
    let haVersion = '';

    const loginTimer = setTimeout(() => fail(new HomeError('timeout', `Home Assistant at ${where} did not finish the login within ${timeoutMs} ms.`, true)), timeoutMs);
    const onAbort = () => fail(o.signal!.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });

    /** Before `auth_ok`: reject the open; after it: report the loss once. */
    function fail(err: unknown): void {
      if (phase === 'closed') return;
      const wasOpen = phase === 'open';
      phase = 'closed';
      clearTimeout(loginTimer);
      o.signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners('message');
      subscriptions.clear();
      ws.terminate();
      const reason = err instanceof HomeError ? err : new HomeError('unreachable', `The connection to Home Assistant at ${where} was lost.`, true);
      for (const p of pending.values()) {
        p.cleanup();
        p.reject(reason);
      }
      pending.clear();
      if (wasOpen) o.onClose(reason);
      else reject(err);
    }

    ws.on('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      const status = res.statusCode ?? 0;
      if (status === 404) fail(new HomeError('not_found', `Home Assistant at ${where} has no /api/websocket (HTTP 404); check HA_URL.`, false, status));
      else if (status === 401 || status === 403) fail(new HomeError('unauthorized', `Home Assistant at ${where} refused the connection (HTTP ${status}); check HA_TOKEN and any proxy in front of it.`, false, status));
      else fail(new HomeError('upstream', `Home Assistant at ${where} answered the WebSocket upgrade with HTTP ${status}.`, status >= 500 || status === 429, status));
    });
    ws.on('error', (err: Error & { code?: unknown }) => {
      if (phase === 'closed') return;
      const code = typeof err.code === 'string' ? err.code : '';
      if (/timed out/i.test(err.message) && !code) return fail(new HomeError('timeout', `Home Assistant at ${where} did not answer within ${timeoutMs} ms.`, true));
      if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return fail(new HomeError('bad_response', `Home Assistant at ${where} sent a message larger than ${o.maxPayload} bytes.`));
      if (code.startsWith('WS_ERR_')) return fail(new HomeError('bad_response', `Home Assistant at ${where} broke the WebSocket protocol (${code}).`));
      fail(new HomeError('unreachable', `Home Assistant at ${where} is unreachable${code ? ` (${code})` : ''}.`, true));
    });
    ws.on('close', (code) => {
      if (phase === 'login') return fail(new HomeError('unreachable', `Home Assistant at ${where} closed the connection during the login (${code}).`, true));
      fail(new HomeError('unreachable', `Home Assistant at ${where} closed the connection (${code}); reconnecting.`, true));
    });

    ws.on('message', (data, isBinary) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(isBinary ? '' : data.toString());
      } catch {
        return fail(new HomeError('bad_response', `Home Assistant at ${where} sent a message that is not JSON.`));
      }
      // Home Assistant batches messages into an array only for clients that ask (`coalesce_messages`); accept both.
      for (const raw of Array.isArray(parsed) ? parsed : [parsed]) {
        const m = incomingSchema.safeParse(raw);
        if (!m.success) return fail(new HomeError('bad_response', `Home Assistant at ${where} sent a message in an unexpected shape.`));
        if (phase === 'login') login(m.data);
        else if (phase === 'open') dispatch(m.data);
      }
    });

    function login(m: Incoming): void {
      if (m.type === 'auth_required') {
        ws.send(JSON.stringify({ type: 'auth', access_token: o.token }));
        return;
      }
      if (m.type === 'auth_invalid') {
        // Home Assistant counts failed logins and may ban the address: the caller must not retry this on its own.
        return fail(new HomeError('unauthorized', `Home Assistant at ${where} rejected the access token; check HA_TOKEN.`, false, 401));
      }
      if (m.type !== 'auth_ok') return fail(new HomeError('bad_response', `Home Assistant at ${where} sent "${redact(m.type, [o.token], 40)}" during the login.`));
      phase = 'open';
      haVersion = m.ha_version ?? '';
      clearTimeout(loginTimer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(connection);
    }

    function dispatch(m: Incoming): void {
      if (m.id === undefined) return;
      if (m.type === 'event') return subscriptions.get(m.id)?.(m.event);
      const p = pending.get(m.id);
      if (!p) return; // A late answer to a command that timed out or was cancelled.
      pending.delete(m.id);
      p.cleanup();
      if (m.type === 'pong') return p.resolve(null);
      if (m.type !== 'result') return p.reject(new HomeError('bad_response', `Home Assistant at ${where} answered ${p.type} with "${m.type}".`));
      if (m.success) {
        p.onResult?.(m.result);
        return p.resolve(m.result);
      }
      p.reject(new HaCommandError(p.type, m.error?.code ?? 'unknown_error', redact(m.error?.message ?? '', [o.token], 200)));
    }

    const connection: HaConnection = {
      get haVersion() {
        return haVersion;
      },
      get open() {
        return phase === 'open';
      },
      command(message, options = {}) {
        const { signal } = options;
        if (phase !== 'open') return Promise.reject(new HomeError('unreachable', `The connection to Home Assistant at ${where} is closed.`, true));
        if (signal?.aborted) return Promise.reject(signal.reason);
        const id = ++nextId;
        return new Promise((res, rej) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            cleanup();
            rej(new HomeError('timeout', `Home Assistant at ${where} did not answer ${message.type} within ${timeoutMs} ms.`, true));
          }, timeoutMs);
          const onCancel = () => {
            pending.delete(id);
            cleanup();
            rej(signal!.reason);
          };
          const cleanup = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onCancel);
          };
          signal?.addEventListener('abort', onCancel, { once: true });
          pending.set(id, { type: message.type, onResult: options.onResult, resolve: res, reject: rej, cleanup });
          ws.send(JSON.stringify({ id, ...message }));
        });
      },
      async subscribeEvents(eventType, onEvent, options = {}) {
        // The subscription's id is the command's: register it before any event can arrive.
        const id = nextId + 1;
        subscriptions.set(id, onEvent);
        try {
          await connection.command({ type: 'subscribe_events', event_type: eventType }, options);
        } catch (err) {
          subscriptions.delete(id);
          throw err;
        }
      },
      close() {
        if (phase === 'closed') return;
        subscriptions.clear();
        phase = 'closed';
        const closed = new HomeError('unreachable', `The connection to Home Assistant at ${where} was closed.`, false);
        for (const p of pending.values()) {
          p.cleanup();
          p.reject(closed);
        }
        pending.clear();
        ws.removeAllListeners('message');
        ws.close(1000);
        // A peer that never answers the close frame must not keep the socket (and the process) alive.
        setTimeout(() => ws.terminate(), 1000).unref();
      },
    };
  });
}
