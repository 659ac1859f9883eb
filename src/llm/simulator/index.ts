/**
 * The model simulator: an OpenAI-compatible HTTP server for demo mode, tests and benchmarks.
 * server.ts serves; answer.ts decides what to say; demo-tools.ts is the demo model's use of tools;
 * tool-stream.ts streams tool calls; stream.ts frames and paces; faults.ts is the fault language;
 * replay.ts sends recorded bodies; text.ts holds the demo replies.
 */
export { startSimulator } from './server.js';
export { parseFault, parseSpec } from './faults.js';
export { DEMO_REPLIES, tokenize } from './text.js';
export type { Simulator, SimulatorOptions, SimScript, SimFault, SimRecord, SimClose, SimToolCall } from './types.js';
