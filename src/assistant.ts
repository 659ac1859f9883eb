/**
 * The assistant: turns as every transport sees them. Runs each request through the turn runner,
 * publishes every event to the bus and records every turn in the store — including turns whose
 * client walked away — and feeds each turn the conversation so far.
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
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

export function createAssistant(deps: AssistantDeps): Assistant {
  const { store, bus, logger } = deps;
  const history = (conversationId: string): HistoryMessage[] => store?.history(conversationId, deps.historyTurns) ?? [];

  return {
    run(request: TurnRequest, signal: AbortSignal): AsyncIterable<TurnEvent> {
      const fresh = !request.conversation_id;
      const withId: TurnRequest = { ...request, conversation_id: request.conversation_id || randomUUID() };
      const meta = { transport: request.transport };
      return runTurn(withId, signal, {
        router: deps.router,
        agents: deps.agents,
        speech: deps.speech,
        // A conversation id minted just now has no past: skip the query (a per-turn SQLite read).
        history: fresh ? () => [] : history,
        tap(event) {
          // The store first: by the time a client sees `turn.end`, the next turn's history has it.
          store?.record(event, meta);
          bus?.publish(event);
          if (event.type === 'turn.end') {
            logger?.debug(
              { turn_id: event.turn_id, status: event.status, metrics: event.metrics, transport: request.transport },
              'turn ended',
            );
          }
        },
      });
    },
  };
}
