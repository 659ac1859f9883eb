/**
 * Child process: the Barnabee server under test, the real runtime (router → interaction agent →
 * model client → the simulator at LLM_BASE_URL) behind the real server, configured from the
 * environment the parent passes.
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startRuntime } from '../../src/runtime.js';
import { startServer } from '../../src/server/index.js';
import { answerParent } from './control.js';

const config = loadConfig(process.env, { envFile: false });
const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
const server = await startServer(runtime, { logger: pino({ level: 'silent' }) });
answerParent(server.url);
await server.closed;
await runtime.close();
process.exit(0);
