/**
 * Ollama API requests as Barnabee reads them (docs/protocol.md, "Ollama-compatible API"). Every
 * field Home Assistant's Ollama integration sends is accepted: `tools` (possibly empty), `think`,
 * `format`, `keep_alive`, `options` (`num_ctx` …) and message `images`, `thinking`, `tool_calls`
 * (arguments as an object), `tool_name`. Fields Barnabee has no use for are tolerated, not obeyed.
 */
import { z } from 'zod';
import type { ContextMessage, ToolCallRef, TurnRequest } from '../turn/index.js';
import { HttpError } from './errors.js';
import { MAX_TOOL_CALLS, clientTools, toClientTools, turnFromMessages } from './messages.js';

/** The model name Barnabee answers to; `barnabee:latest` is the same model (Ollama's default tag). */
export const OLLAMA_MODEL = 'barnabee';
const MODEL_NAMES: ReadonlySet<string> = new Set([OLLAMA_MODEL, `${OLLAMA_MODEL}:latest`]);

const modelName = z.string().max(200);

/** Ollama's answer to an unknown model: 404 `model '…' not found` (a pull of it says the same). */
export function checkModel(name: string | undefined): string {
  if (!name) throw new HttpError(400, 'invalid_request', 'model is required');
  if (!MODEL_NAMES.has(name)) throw new HttpError(404, 'model_not_found', `model '${name}' not found`);
  return name;
}

const toolCall = z.object({
  id: z.string().max(200).nullish(),
  type: z.string().max(32).nullish(),
  function: z.object({
    index: z.number().int().nullish(),
    name: z.string().min(1).max(128),
    // An object on Ollama's wire; some clients send the JSON text instead.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  }),
});
const message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullish(),
  thinking: z.string().nullish(),
  images: z.array(z.string()).max(16).nullish(),
  tool_calls: z.array(toolCall).max(MAX_TOOL_CALLS).nullish(),
  tool_name: z.string().max(128).nullish(),
  tool_call_id: z.string().max(200).nullish(),
});
type OllamaMessage = z.infer<typeof message>;

const tolerated = {
  format: z.union([z.string().max(32), z.looseObject({})]).nullish(),
  keep_alive: z.union([z.number(), z.string().max(32)]).nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
  think: z.union([z.boolean(), z.string().max(16)]).nullish(),
};

export const ollamaChatBody = z.object({
  model: modelName.optional(),
  // Empty: Ollama's way to load a model, answered with `done_reason: "load"`.
  messages: z.array(message).max(500).default([]),
  stream: z.boolean().nullish(),
  tools: clientTools.nullish(),
  ...tolerated,
});
export type OllamaChatBody = z.infer<typeof ollamaChatBody>;

export const ollamaGenerateBody = z.object({
  model: modelName.optional(),
  prompt: z.string().optional(),
  system: z.string().optional(),
  images: z.array(z.string()).max(16).nullish(),
  stream: z.boolean().nullish(),
  ...tolerated,
});
export type OllamaGenerateBody = z.infer<typeof ollamaGenerateBody>;

/** `/api/show` and `/api/pull` name the model as `model` (or the older `name`, which ollama-js still sends). */
export const ollamaModelBody = z.object({
  model: modelName.optional(),
  name: modelName.optional(),
  stream: z.boolean().nullish(),
  insecure: z.boolean().nullish(),
  verbose: z.boolean().nullish(),
});

/**
 * Ollama messages → context messages. Ollama's tool calls have no ids on the wire (Home Assistant
 * sends none, and its tool results carry no `tool_call_id`), so each call gets one and each result
 * is matched to the earliest unanswered call of its `tool_name` (or, without a name, the earliest).
 */
export function ollamaContext(messages: OllamaMessage[]): ContextMessage[] {
  const unanswered: ToolCallRef[] = [];
  return messages.map((m, i): ContextMessage => {
    const content = m.content ?? '';
    switch (m.role) {
      case 'assistant': {
        if (!m.tool_calls?.length) return { role: 'assistant', content };
        const calls = m.tool_calls.map(
          (c, j): ToolCallRef => ({
            id: c.id || `call_${i}_${j}`,
            type: 'function',
            function: { name: c.function.name, arguments: typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments ?? {}) },
          }),
        );
        unanswered.push(...calls);
        return { role: 'assistant', content, tool_calls: calls };
      }
      case 'tool': {
        let k = m.tool_call_id ? unanswered.findIndex((c) => c.id === m.tool_call_id) : -1;
        if (k < 0 && m.tool_name) k = unanswered.findIndex((c) => c.function.name === m.tool_name);
        if (k < 0 && !m.tool_call_id) k = unanswered.length ? 0 : -1;
        const id = k >= 0 ? unanswered.splice(k, 1)[0]!.id : (m.tool_call_id ?? `orphan_${i}`);
        return { role: 'tool', content, tool_call_id: id };
      }
      default:
        return { role: m.role, content };
    }
  });
}

export function fromOllamaChat(body: OllamaChatBody, maxChars: number): TurnRequest {
  return turnFromMessages(ollamaContext(body.messages), toClientTools(body.tools), maxChars);
}

export function fromOllamaGenerate(body: OllamaGenerateBody, maxChars: number): TurnRequest {
  const messages: ContextMessage[] = [];
  if (body.system) messages.push({ role: 'system', content: body.system });
  messages.push({ role: 'user', content: body.prompt ?? '' });
  return turnFromMessages(messages, undefined, maxChars);
}
