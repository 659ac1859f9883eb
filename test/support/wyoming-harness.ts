/** The real runtime in demo mode behind a real server with its Wyoming door on a free port; every bus event recorded. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Simulator } from '../../src/llm/index.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import type { TurnEvent } from '../../src/turn/index.js';

export interface WyomingHarness {
  runtime: Runtime;
  simulator: Simulator;
  server: RunningServer;
  url: string;
  /** The Wyoming port. */
  port: number;
  /** Every turn event published on the bus, in order. */
  bus: TurnEvent[];
  /** Resolves with the first bus event matching `pred` (already seen or still to come). */
  busEvent(pred: (e: TurnEvent) => boolean, timeoutMs?: number): Promise<TurnEvent>;
  close(): Promise<void>;
}

export async function startWyomingHarness(env: Record<string, string> = {}, options: { idleTimeoutMs?: number } = {}): Promise<WyomingHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'barnabee-wyoming-'));
  const config = loadConfig(
    { PORT: '0', LOG_LEVEL: 'silent', BARNABEE_DB: join(dir, 'test.db'), DEMO_TTFT_MS: '5', DEMO_TOKENS_PER_S: '2000', WYOMING_SERVER_PORT: '0', ...env },
    { envFile: false },
  );
  const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
  if (!runtime.simulator) throw new Error('expected demo mode with the simulator');
  const bus: TurnEvent[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = runtime.bus.subscribe(
    (e) => {
      bus.push(e);
      for (const w of waiters) w();
    },
    { maxQueue: 100_000 },
  );
  const server = await startServer(runtime, {
    handleSignals: false,
    defaultMetrics: false,
    logger: pino({ level: 'silent' }),
    wyoming: { port: 0, idleTimeoutMs: options.idleTimeoutMs },
  });
  return {
    runtime,
    simulator: runtime.simulator,
    server,
    url: server.url,
    port: server.wyoming!.port,
    bus,
    busEvent(pred, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = bus.find(pred);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for a bus event; saw ${bus.length}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async close() {
      unsubscribe();
      await server.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
