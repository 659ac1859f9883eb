/**
 * Chat-style requests (OpenAI `/v1/chat/completions`, Ollama `/api/chat`) carry the whole history
 * and no conversation id (docs/protocol.md, "Ollama-compatible API" and "Client tools"): the last
 * user message is the utterance, the messages before it are the context, and the messages after it
 * (the model's calls of the client's tools and their results) are the continuation.
 */
import { z } from 'zod';
import type { ClientTool, ContextMessage, TurnRequest } from '../turn/index.js';
import { HttpError } from './errors.js';
import { checkText } from './schemas.js';

/** Most tools one request may offer, and most calls one assistant message may carry. */
export const MAX_TOOLS = 128;
export const MAX_TOOL_CALLS = 64;

/** A tool in OpenAI's function-tool format (Ollama's is the same, `type` optional). */
export const clientTool = z.object({
  type: z.literal('function').optional(),
  function: z.object({
    name: z.string().min(1).max(128),
    description: z.string().max(8192).nullish(),
    parameters: z.looseObject({}).nullish(),
  }),
});
export const clientTools = z.array(clientTool).max(MAX_TOOLS);

export function toClientTools(tools: z.infer<typeof clientTools> | undefined | null): ClientTool[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map(({ function: f }) => ({
    type: 'function',
    function: { name: f.name, ...(f.description ? { description: f.description } : {}), ...(f.parameters ? { parameters: f.parameters } : {}) },
  }));
}

/**
 * A tool call is kept only with its result and a result only with its call: a model API refuses
 * an unanswered call or an orphan result, and a client's trimmed history can cut between them.
 */
export function pairToolMessages(messages: ContextMessage[]): ContextMessage[] {
  const called = new Set<string>();
  const answered = new Set<string>();
  for (const m of messages) {
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) called.add(c.id);
    else if (m.role === 'tool') answered.add(m.tool_call_id);
  }
  const out: ContextMessage[] = [];
  for (const m of messages) {
    if (m.role === 'tool') {
      if (called.has(m.tool_call_id)) out.push(m);
    } else if (m.role === 'assistant' && m.tool_calls) {
      const calls = m.tool_calls.filter((c) => answered.has(c.id));
      out.push(calls.length ? { ...m, tool_calls: calls } : { role: 'assistant', content: m.content });
    } else out.push(m);
  }
  return out;
}

const withoutTools = (m: ContextMessage): ContextMessage[] =>
  m.role === 'tool' ? [] : m.role === 'assistant' && m.tool_calls ? [{ role: 'assistant', content: m.content }] : [m];

const worthSending = (m: ContextMessage): boolean => m.content.length > 0 || m.role === 'tool' || (m.role === 'assistant' && !!m.tool_calls?.length);

/** The turn a chat-style request asks for; a 400 when it has no user message or an unusable one. */
export function turnFromMessages(messages: ContextMessage[], tools: ClientTool[] | undefined, maxChars: number): TurnRequest {
  // Without tools a model API may refuse tool calls in the history (Anthropic's does): keep their text only.
  const paired = tools?.length ? pairToolMessages(messages) : messages.flatMap(withoutTools);
  let last = -1;
  for (let i = paired.length - 1; i >= 0; i--) {
    if (paired[i]!.role === 'user') {
      last = i;
      break;
    }
  }
  if (last < 0) throw new HttpError(400, 'invalid_request', 'messages: expected a message with role "user".');
  const turn: TurnRequest = { text: checkText(paired[last]!.content, maxChars), context: paired.slice(0, last).filter(worthSending) };
  const continuation = paired.slice(last + 1).filter(worthSending);
  if (continuation.length) turn.continuation = continuation;
  if (tools?.length) turn.tools = tools;
  return turn;
}
