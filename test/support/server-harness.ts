/** Starts a real server on a loopback port around a scripted runtime, with logs captured in memory. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/index.js';
import { scriptedRuntime, type ScriptedRuntime } from './server-assistant.js';
import type { SpeechStage } from '../../src/turn/index.js';

export interface Harness {
  server: RunningServer;
  runtime: ScriptedRuntime;
  url: string;
  wsUrl: string;
  /** Every log line as written (JSON text). */
  logs: string[];
  logObjects(): Record<string, any>[];
  close(): Promise<void>;
}

export async function startHarness(
  env: Record<string, string> = {},
  options: StartOptions & { speech?: SpeechStage } = {},
): Promise<Harness> {
  const runtime = scriptedRuntime({ LOG_LEVEL: 'info', ...env }, { speech: options.speech });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const server = await startServer(runtime, { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'info' }, sink), ...options });
  return {
    server,
    runtime,
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    logs,
    logObjects: () => logs.map((l) => JSON.parse(l) as Record<string, any>),
    close: () => server.close(),
  };
}
