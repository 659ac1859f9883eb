/** Helpers for the model-client tests: a simulator, a client pointed at it, and a captured logger. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import {
  createLlmClient,
  LlmError,
  startSimulator,
  type LlmClient,
  type LlmClientOptions,
  type Simulator,
  type SimulatorOptions,
  type StreamPart,
} from '../../src/llm/index.js';

export const TEST_KEY = 'sk-or-v1-test0123456789abcdefSECRET';

/**
 * Client options for tests. The timeouts are generous: on a loaded machine the first request of a
 * file (cold JIT, a new socket) can take seconds, and that must not read as a silent model. Tests
 * of the timeouts themselves set short ones.
 */
export function clientOptions(sim: Simulator, overrides: Partial<LlmClientOptions> = {}): LlmClientOptions {
  return {
    provider: 'openai-compatible',
    baseUrl: sim.url,
    apiKey: TEST_KEY,
    model: 'test-model',
    fallbacks: [],
    temperature: 0.5,
    maxTokens: 200,
    firstTokenTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    totalTimeoutMs: 30_000,
    maxRetries: 2,
    retryBaseMs: 20,
    ...overrides,
  };
}

export interface Rig {
  sim: Simulator;
  client: LlmClient;
  logs: () => string;
  close(): Promise<void>;
}

/** A simulator (fast by default) and a client with a pino logger writing into a buffer. */
export async function rig(simOptions: SimulatorOptions = {}, overrides: Partial<LlmClientOptions> = {}): Promise<Rig> {
  const sim = await startSimulator({ ttftMs: 5, tokensPerSecond: 0, usage: 'always', apiKey: TEST_KEY, ...simOptions });
  let buffer = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      buffer += chunk.toString('utf8');
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const client = createLlmClient(clientOptions(sim, { logger, ...overrides }));
  return {
    sim,
    client,
    logs: () => buffer,
    async close() {
      await client.close();
      await sim.close();
    },
  };
}

export interface Collected {
  parts: StreamPart[];
  text: string;
  error: LlmError | null;
  /** ms from the call to the end (parts done or error). */
  elapsedMs: number;
}

/** Drains a stream, catching its error: every stream must end in parts or a typed error. */
export async function collect(stream: AsyncIterable<StreamPart>): Promise<Collected> {
  const started = performance.now();
  const parts: StreamPart[] = [];
  let error: LlmError | null = null;
  try {
    for await (const part of stream) parts.push(part);
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    error = err;
  }
  const text = parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
  return { parts, text, error, elapsedMs: performance.now() - started };
}

export const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

/** A recorded upstream body in test/fixtures/ (see its README), for `sim.enqueue({ replay: recorded(…) })`. */
export const recorded = (name: 'openrouter-tool-call.sse' | 'openrouter-parallel-tool-calls.sse'): URL => new URL(`../fixtures/${name}`, import.meta.url);
