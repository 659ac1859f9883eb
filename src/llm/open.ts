/** The model client for the configured provider; in demo mode, with the simulator it talks to. */
import type { Config } from '../config.js';
import { createLlmClient } from './client.js';
import { llmOptionsFromConfig, type LlmClientOptions } from './options.js';
import { startSimulator, type Simulator } from './simulator/index.js';
import type { LlmClient } from './types.js';

export interface OpenLlm {
  client: LlmClient;
  /** The in-process simulator in demo mode (answers are simulated: say so to the user), else null. */
  simulator: Simulator | null;
  close(): Promise<void>;
}

export async function openLlm(config: Config, overrides: Partial<LlmClientOptions> = {}): Promise<OpenLlm> {
  if (config.provider !== 'demo') {
    const client = createLlmClient(llmOptionsFromConfig(config, overrides));
    return { client, simulator: null, close: () => client.close() };
  }
  const simulator = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    mode: 'demo',
    ttftMs: config.DEMO_TTFT_MS,
    tokensPerSecond: config.DEMO_TOKENS_PER_S,
    usage: 'always',
    models: [config.model, 'sim/demo', 'sim/echo'],
  });
  try {
    const client = createLlmClient(llmOptionsFromConfig(config, { ...overrides, baseUrl: simulator.url }));
    return {
      client,
      simulator,
      async close() {
        await client.close();
        await simulator.close();
      },
    };
  } catch (err) {
    await simulator.close();
    throw err;
  }
}
