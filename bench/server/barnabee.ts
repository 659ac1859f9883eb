/**
 * Child process: the Barnabee server under test, the real runtime (router → interaction agent →
 * model client → the simulator at LLM_BASE_URL) behind the real server, configured from the
 * environment the parent passes. The server's code is its build at BARNABEE_BUILD (children.ts).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { answerParent } from './control.js';

const code = process.env.BARNABEE_BUILD;
if (!code) throw new Error('BARNABEE_BUILD (the compiled src/, see children.ts) is not set');
const built = (file: string) => pathToFileURL(join(code, file)).href;
const { loadConfig } = (await import(built('config.js'))) as typeof import('../../src/config.js');
const { startRuntime } = (await import(built('runtime.js'))) as typeof import('../../src/runtime.js');
const { startServer } = (await import(built('server/index.js'))) as typeof import('../../src/server/index.js');

const config = loadConfig(process.env, { envFile: false });
const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
const server = await startServer(runtime, { logger: pino({ level: 'silent' }) });
answerParent(server.url);
await server.closed;
await runtime.close();
process.exit(0);
