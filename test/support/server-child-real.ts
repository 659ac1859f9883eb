/**
 * The real server in demo mode (router, agents, simulated model over HTTP, SQLite) on the file in
 * BARNABEE_DB, as its own process: prints its URL, then runs until it is killed (crash tests).
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startRuntime } from '../../src/runtime.js';
import { startServer } from '../../src/server/index.js';

const config = loadConfig(
  {
    PORT: '0',
    LOG_LEVEL: 'silent',
    BARNABEE_DB: process.env.BARNABEE_DB ?? '',
    DEMO_TTFT_MS: '2',
    DEMO_TOKENS_PER_S: '4000',
    MAX_TURNS_PER_CLIENT: '64',
    RATE_LIMIT_PER_MINUTE: '1000000',
  },
  { envFile: false },
);
// The store writes on its worker thread from the first turn: the path whose commit the runner waits for.
const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }), store: { writerAfter: 0 } });
const server = await startServer(runtime, { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'silent' }) });
process.stdout.write(`${server.url}\n`);
