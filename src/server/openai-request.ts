/**
 * The OpenAI Chat Completions request as Barnabee reads it (docs/protocol.md, "Transports" and
 * "Client tools"): messages with text or text parts, the assistant's earlier tool calls and the
 * client's tool results, and the client's `tools`. Unknown fields are ignored.
 */
import { z } from 'zod';
import type { ContextMessage, TurnRequest } from '../turn/index.js';
import { MAX_TOOL_CALLS, clientTools, toClientTools, turnFromMessages } from './messages.js';

const contentPart = z.object({ type: z.string(), text: z.string().optional() });
const toolCall = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1).max(128), arguments: z.string() }),
});
const openAiMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  tool_calls: z.array(toolCall).max(MAX_TOOL_CALLS).nullish(),
  tool_call_id: z.string().max(200).optional(),
});
export const chatCompletionBody = z.object({
  model: z.string().max(200).optional(),
  messages: z.array(openAiMessage).min(1, 'messages: expected at least one message').max(500),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().max(200).optional(),
  tools: clientTools.nullish(),
  // Accepted and left to the model's defaults: Barnabee offers every tool the client sends.
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
});
export type ChatCompletionBody = z.infer<typeof chatCompletionBody>;

type OpenAiMessage = z.infer<typeof openAiMessage>;
const contentText = (m: OpenAiMessage): string =>
  typeof m.content === 'string'
    ? m.content
    : (m.content ?? [])
        .filter((p) => p.type === 'text')
        .map((p) => p.text ?? '')
        .join('');

function toContext(m: OpenAiMessage): ContextMessage {
  const content = contentText(m);
  switch (m.role) {
    case 'tool':
      return { role: 'tool', content, tool_call_id: m.tool_call_id ?? '' };
    case 'assistant':
      return m.tool_calls?.length
        ? { role: 'assistant', content, tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: c.function.arguments } })) }
        : { role: 'assistant', content };
    case 'developer':
      return { role: 'system', content };
    default:
      return { role: m.role, content };
  }
}

/** The last user message is the utterance; everything before it is context (see messages.ts). */
export function fromChatCompletion(body: ChatCompletionBody, maxChars: number): TurnRequest {
  return turnFromMessages(body.messages.map(toContext), toClientTools(body.tools), maxChars);
}
