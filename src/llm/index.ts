/** The model client's public face: streaming chat completions, typed errors, and the simulator. */
export * from './types.js';
export { LlmError, type LlmErrorCode } from './errors.js';
export { createLlmClient } from './client.js';
export { ToolCallAssembler, MAX_TOOL_CALLS, MAX_TOOL_ARGUMENTS_CHARS, malformedToolCall } from './tool-calls.js';
export { llmOptionsFromConfig, type LlmClientOptions, type LlmLogger } from './options.js';
export { openLlm, type OpenLlm } from './open.js';
export {
  startSimulator,
  parseFault,
  parseSpec,
  DEMO_REPLIES,
  tokenize,
  type Simulator,
  type SimulatorOptions,
  type SimScript,
  type SimFault,
  type SimRecord,
  type SimClose,
  type SimToolCall,
} from './simulator/index.js';
