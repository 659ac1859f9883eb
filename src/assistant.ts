/**
 * The assistant: turns as every transport sees them. Runs each request through the turn runner,
 * publishes every event to the bus and records every turn in the store — including turns whose
 * client walked away — and feeds each turn the conversation so far. A turn's end is announced
 * (to the runner's consumer and to the bus) only once the store has committed the turn.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import {
  runTurn,
  type Agent,
  type AgentKind,
  type Assistant,
  type EventBus,
  type HistoryMessage,
  type Router,
  type SpeechStage,
  type Store,
  type TurnEvent,
  type TurnRequest,
} from './turn/index.js';

export interface AssistantDeps {
  router: Router;
  agents: Record<AgentKind, Agent>;
  store?: Store;
  bus?: EventBus;
  speech?: SpeechStage;
  /** How many earlier turns of the conversation the agents see. */
  historyTurns: number;
  /** See `RunTurnDeps.gatherMs` (STREAM_BATCH_MS). */
  gatherMs?: number;
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

export function createAssistant(deps: AssistantDeps): Assistant {
  const { store, bus, logger } = deps;
  const history = (conversationId: string): HistoryMessage[] | Promise<HistoryMessage[]> =>
    store?.history(conversationId, deps.historyTurns) ?? [];

  return {
    run(request: TurnRequest, signal: AbortSignal): AsyncIterable<TurnEvent> {
      const fresh = !request.conversation_id;
      const withId: TurnRequest = { ...request, conversation_id: request.conversation_id || randomUUID() };
      const meta = { transport: request.transport };
      return runTurn(withId, signal, {
        router: deps.router,
        agents: deps.agents,
        speech: deps.speech,
        gatherMs: deps.gatherMs,
        // A conversation id minted just now has no past: skip the query (a per-turn SQLite read).
        history: fresh ? () => [] : history,
        tap(event) {
          const recorded = store?.record(event, meta);
          if (event.type !== 'turn.end') {
            bus?.publish(event);
            return undefined;
          }
          logger?.debug({ turn_id: event.turn_id, status: event.status, metrics: event.metrics, transport: request.transport }, 'turn ended');
          // `turn.end` leaves for every transport — the dashboard feed too — once the turn is
          // committed: whoever saw a turn end finds it in the store, after a crash as well.
          if (!recorded) return void bus?.publish(event);
          return recorded.then(() => bus?.publish(event));
        },
      });
    },
  };
}
