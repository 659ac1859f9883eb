/** Temp directories for real SQLite files and scratch files (unique, removed after the test), and real turns to record. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { runTurn, type Store, type TurnEvent, type TurnPart } from '../../src/turn/index.js';
import { agentsWith, collect, fixedRouter, scriptedAgent, textSpeech } from './turn-fixtures.js';

export function tempDir(t: TestContext, prefix = 'barnabee-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A real turn through the runner, so the store sees exactly what production produces. */
export async function turn(text: string, conversationId: string, answer: string[], extra: TurnPart[] = [], speak = false): Promise<TurnEvent[]> {
  const parts = [...answer.map((t) => ({ type: 'chunk' as const, text: t, done: false })), { type: 'chunk' as const, text: '', done: true }];
  const agent = scriptedAgent('interaction', [...parts, ...(extra as never[])]);
  return collect(
    runTurn({ text, conversation_id: conversationId, speak }, new AbortController().signal, {
      router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 0.8 }),
      agents: agentsWith(agent),
      speech: textSpeech(),
      history: () => [],
    }),
  );
}

/** Feeds a turn's events one by one, as the runner's tap does; settles when the store has the turn. */
export async function record(store: Store, events: TurnEvent[]): Promise<boolean | undefined> {
  let recorded: Promise<boolean> | undefined;
  for (const e of events) recorded = store.record(e) ?? recorded;
  return recorded;
}
