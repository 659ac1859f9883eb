/** Runs the action agent the way the turn runner does (intercept first) and checks the answer's shape. */
import { strict as assert } from 'node:assert';
import type { Agent, AgentPart } from '../../src/turn/agent.js';
import type { ActionPart, ErrorPart, TurnRequest } from '../../src/turn/events.js';

/** The confirm scope `runAction` uses unless told otherwise. */
export const SCOPE = 'test:client-1';

/** What the runner would ask the agent before routing `text` from `scope`. */
export const interceptFor = (agent: Agent, text: string, conversationId = 'conv-1', scope: string | null = SCOPE) =>
  agent.intercept!({ text, confirm_scope: scope ?? undefined }, conversationId);

export interface ActionRun {
  parts: AgentPart[];
  actions: ActionPart[];
  /** `service target` of each action part that succeeded. */
  calls: string[];
  errors: ErrorPart[];
  text: string;
  intent: string;
}

export async function runAction(
  agent: Agent,
  text: string,
  options: { conversationId?: string; room?: string; signal?: AbortSignal; expectAnswer?: boolean; scope?: string | null } = {},
): Promise<ActionRun> {
  const conversationId = options.conversationId ?? 'conv-1';
  // The client that asks; `null` for a turn without one (it can never confirm).
  const scope = options.scope === null ? undefined : (options.scope ?? SCOPE);
  const request: TurnRequest = { text, room: options.room, confirm_scope: scope };
  const route = agent.intercept?.(request, conversationId) ?? { agent: 'action' as const, intent: 'home.command', confidence: 0.9 };
  const parts: AgentPart[] = [];
  for await (const p of agent.run({
    request,
    conversationId,
    route,
    history: [],
    signal: options.signal ?? new AbortController().signal,
    now: new Date(),
  }))
    parts.push(p);
  const chunks = parts.filter((p) => p.type === 'chunk');
  if (options.expectAnswer !== false) {
    // The action agent answers in one piece: exactly one chunk, done, last.
    assert.equal(chunks.length, 1, `one chunk for ${JSON.stringify(text)}: ${JSON.stringify(parts)}`);
    assert.equal(parts.at(-1), chunks[0]);
    assert.equal(chunks[0].done, true);
    assert.ok(chunks[0].text.length > 0);
  }
  const actions = parts.filter((p): p is ActionPart => p.type === 'action');
  return {
    parts,
    actions,
    calls: actions.filter((a) => a.ok).map((a) => `${a.service} ${a.target}`),
    errors: parts.filter((p): p is ErrorPart => p.type === 'error'),
    text: chunks[0]?.type === 'chunk' ? chunks[0].text : '',
    intent: route.intent,
  };
}
