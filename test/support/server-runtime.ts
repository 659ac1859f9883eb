/** The real runtime in demo mode (router, agents, model client → in-process simulator, Flite, SQLite) behind a real server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Simulator } from '../../src/llm/index.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { startServer, type RunningServer } from '../../src/server/index.js';

export interface RealHarness {
  runtime: Runtime;
  simulator: Simulator;
  server: RunningServer;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function startRealHarness(env: Record<string, string> = {}): Promise<RealHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'barnabee-server-'));
  const config = loadConfig(
    { PORT: '0', LOG_LEVEL: 'silent', BARNABEE_DB: join(dir, 'test.db'), DEMO_TTFT_MS: '5', DEMO_TOKENS_PER_S: '2000', ...env },
    { envFile: false },
  );
  const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
  if (!runtime.simulator) throw new Error('expected demo mode with the simulator');
  const server = await startServer(runtime, { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'silent' }) });
  return {
    runtime,
    simulator: runtime.simulator,
    server,
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    async close() {
      await server.close();
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
