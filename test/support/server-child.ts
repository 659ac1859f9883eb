/**
 * A server process for signal and memory tests: prints its URL, shuts down gracefully on
 * SIGTERM/SIGINT, then exits. `CHILD_RUNTIME=real` runs the real runtime with the settings in its
 * environment (e.g. a model server at LLM_BASE_URL) instead of the scripted one.
 */
import { loadConfig } from '../../src/config.js';
import { startRuntime } from '../../src/runtime.js';
import { startServer } from '../../src/server/index.js';
import { scriptedRuntime } from './server-assistant.js';

const runtime =
  process.env.CHILD_RUNTIME === 'real'
    ? await startRuntime(loadConfig(process.env, { envFile: false }))
    : scriptedRuntime({ SHUTDOWN_GRACE_MS: process.env.SHUTDOWN_GRACE_MS ?? '300' });
const server = await startServer(runtime, { defaultMetrics: false });
process.stdout.write(`${server.url}\n`);
await server.closed;
process.stdout.write('closed\n');
