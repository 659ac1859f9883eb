/** What the server needs from the runtime: structurally a subset of `Runtime` in src/runtime.ts. */
import type { Config } from '../config.js';
import type { Reachability } from '../reachability.js';
import type { TtsEngine } from '../speech/index.js';
import type { Assistant, EventBus, RuntimeStatus, SpeechStage } from '../turn/index.js';
import type { DashboardStore } from './routes/dashboard.js';

export type { EventBus };

export interface ServerRuntime {
  config: Config;
  assistant: Assistant;
  /** Every turn event of every client, as published by the assistant. */
  bus: Pick<EventBus, 'subscribe'>;
  /** With `store` and `status`, the dashboard's page and history routes are served too. */
  status?: () => RuntimeStatus;
  /** Whether the model server and an external speech server answer (for `/readyz`). */
  checks?: () => Promise<Reachability[]>;
  store?: DashboardStore;
  close?: () => Promise<void>;
  /**
   * The speech stage and its engine: with them the Wyoming server offers text-to-speech too. The
   * engine's `voices()` is what a request's `voice` is checked against (any name, when absent).
   */
  speech?: SpeechStage | null;
  tts?: Pick<TtsEngine, 'name' | 'voice' | 'voices'> | null;
}
