/** The turn part's face: the event protocol, the agent contract, the runner, the bus and the store. */
export * from './events.js';
export * from './agent.js';
export { runTurn, type RunTurnDeps } from './runner.js';
export { createEventBus, type EventBus, type Subscriber, type SubscribeOptions, type StreamOptions } from './bus.js';
export {
  openStore,
  StoreError,
  type Store,
  type StoreLogger,
  type OpenStoreOptions,
  type ConversationSummary,
  type Conversation,
  type StoredMessage,
  type KeyValue,
} from './store.js';
export type { TurnTrace, EventSummary, TraceUsage, TraceMeta } from './trace.js';
export { redact } from './redact.js';
