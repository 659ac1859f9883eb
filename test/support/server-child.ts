/** A server process for signal tests: prints its URL, shuts down gracefully on SIGTERM/SIGINT, then exits. */
import { startServer } from '../../src/server/index.js';
import { scriptedRuntime } from './server-assistant.js';

const runtime = scriptedRuntime({ SHUTDOWN_GRACE_MS: process.env.SHUTDOWN_GRACE_MS ?? '300' });
const server = await startServer(runtime, { defaultMetrics: false });
process.stdout.write(`${server.url}\n`);
await server.closed;
process.stdout.write('closed\n');
