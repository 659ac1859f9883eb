/**
 * The whole Barnabee server for browser tests: the real runtime (demo mode: the simulated
 * OpenAI-compatible model over real HTTP/SSE, Flite speech, SQLite in a file) and the real HTTP
 * app with the dashboard routes, on a loopback port.
 */
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { createServer } from '../../src/server/index.js';
import { dashboardRoutes } from '../../src/server/routes/dashboard.js';
import type { TurnEvent } from '../../src/dashboard/wire.js';
import { ensureDashboardBuilt } from './browser-dashboard.js';

export interface DashboardServer {
  url: string;
  runtime: Runtime;
  close(): Promise<void>;
}

export async function startDashboardServer(t: TestContext, env: Record<string, string>): Promise<DashboardServer> {
  await ensureDashboardBuilt();
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '10000', ...env }, { envFile: false });
  const runtime = await startRuntime(config, { quiet: true });
  const app = await createServer(runtime, { snapshotEveryMs: 500, defaultMetrics: false });
  // Until the server registers the dashboard routes itself.
  if (!app.hasRoute({ method: 'GET', url: '/api/v1/status' })) await app.register(dashboardRoutes, { runtime });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const socket of app.websocketServer?.clients ?? []) socket.terminate();
    await app.close();
    await runtime.close();
  };
  t.after(close);
  return { url, runtime, close };
}

/**
 * An independent watcher on the dashboard feed (a plain WebSocket client, not the page), to know
 * what the server really sent: the test compares the page against it.
 */
export class FeedWatcher {
  readonly events: TurnEvent[] = [];
  private readonly ws: WebSocket;
  private waiters: { test: (e: TurnEvent) => boolean; resolve: (e: TurnEvent) => void }[] = [];

  private constructor(url: string, headers: Record<string, string>) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws/dashboard`, { headers });
    this.ws.on('message', (data, binary) => {
      if (binary) return;
      const msg = JSON.parse(String(data)) as TurnEvent | { type: 'metrics' };
      if (msg.type === 'metrics') return;
      this.events.push(msg);
      this.waiters = this.waiters.filter((w) => (w.test(msg) ? (w.resolve(msg), false) : true));
    });
  }

  static async open(t: TestContext, url: string, headers: Record<string, string> = {}): Promise<FeedWatcher> {
    const w = new FeedWatcher(url, headers);
    await new Promise<void>((resolve, reject) => {
      w.ws.once('open', () => resolve());
      w.ws.once('error', reject);
    });
    t.after(() => w.ws.terminate());
    return w;
  }

  /** The next event (or one already seen) matching `test`. */
  wait(test: (e: TurnEvent) => boolean, timeoutMs = 20_000): Promise<TurnEvent> {
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('FeedWatcher: timed out waiting for an event')), timeoutMs);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  turn(turnId: string): TurnEvent[] {
    return this.events.filter((e) => e.turn_id === turnId);
  }
}
