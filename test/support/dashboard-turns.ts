/**
 * Real turns for dashboard tests: run through the real turn runner (scripted agent, text speech)
 * and turned into their wire form, exactly as a WebSocket client receives the JSON frames.
 */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openStore, runTurn, toWire, type Store, type TurnEvent, type TurnPart } from '../../src/turn/index.js';
import type { TurnEvent as PageEvent } from '../../src/dashboard/wire.js';
import { agentsWith, collect, fixedRouter, scriptedAgent, textSpeech } from './turn-fixtures.js';
import { tempDir } from './turn-store.js';

export async function realTurn(
  text: string,
  answer: string[],
  options: { conversationId?: string; extra?: TurnPart[]; speak?: boolean; agent?: 'instant' | 'interaction' } = {},
): Promise<TurnEvent[]> {
  const parts = [...answer.map((t) => ({ type: 'chunk' as const, text: t, done: false })), { type: 'chunk' as const, text: '', done: true }];
  const kind = options.agent ?? 'interaction';
  const agent = scriptedAgent(kind, [...parts, ...((options.extra ?? []) as never[])]);
  return collect(
    runTurn({ text, conversation_id: options.conversationId ?? 'conv-1', speak: options.speak ?? true }, new AbortController().signal, {
      router: fixedRouter({ agent: kind, intent: kind === 'instant' ? 'time.now' : 'chat', confidence: 0.9 }),
      agents: agentsWith(agent),
      speech: textSpeech(),
      history: () => [],
    }),
  );
}

/** The JSON frames of a turn as the WebSocket sends them (audio without data). */
export function wireFrames(events: TurnEvent[]): PageEvent[] {
  return events.map((e) => JSON.parse(JSON.stringify(toWire(e, { audioData: false }))) as PageEvent);
}

export function tempStore(t: TestContext): Store {
  const store = openStore(join(tempDir(t, 'barnabee-dash-'), 'b.db'));
  t.after(() => store.close());
  return store;
}
