/**
 * What the simulator answers a chat request with, decided before a byte is sent: the text, the
 * reasoning, the tool calls and how they stream. The HTTP side (server.ts, stream.ts) only paces
 * and frames it.
 */
import { answerFromResults, demoToolCalls, sayBeforeCalls, toolsOffered, type DemoCall, type OfferedTool } from './demo-tools.js';
import { countTokens, demoReply, tokenize } from './text.js';
import { breakArguments, DEFAULT_ARGUMENT_DELTAS, toolCallDeltas, type WireToolCall } from './tool-stream.js';
import type { SimFault, SimScript, SimToolCall } from './types.js';

export interface ChatMessageIn {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
}

export interface ChatBody {
  model?: unknown;
  models?: unknown;
  messages?: ChatMessageIn[];
  tools?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

export interface Answer {
  id: string;
  model: string;
  reasoning: string[];
  tokens: string[];
  text: string;
  toolCalls: WireToolCall[];
  /** Each chunk's `delta.tool_calls`, as JSON. */
  toolDeltas: string[];
  promptTokens: number;
  finishReason: string;
  cost: number | undefined;
}

/** Message content as text: a string, or the text parts of an OpenAI content array. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: { type?: unknown; text?: unknown }) => (p && p.type === 'text' && typeof p.text === 'string' ? p.text : ''))
    .join('');
}

/** The calls of the last assistant message, as a model would make them again. */
function previousCalls(messages: ChatMessageIn[]): SimToolCall[] {
  const assistant = [...messages].reverse().find((m) => m?.role === 'assistant' && Array.isArray(m.tool_calls));
  return ((assistant?.tool_calls ?? []) as Array<{ function?: { name?: unknown; arguments?: unknown } } | null>)
    .filter((c) => typeof c?.function?.name === 'string')
    .map((c) => ({ name: c!.function!.name as string, arguments: typeof c!.function!.arguments === 'string' ? c!.function!.arguments : '{}' }));
}

/** The calls this answer makes (empty: it answers in text). */
function chooseCalls(script: SimScript, messages: ChatMessageIn[], tools: OfferedTool[], userText: string, afterTool: boolean): Array<SimToolCall & Partial<DemoCall>> {
  if (!tools.length) return [];
  const mode = script.mode ?? 'demo';
  const named = () => script.toolCalls ?? (mode === 'text' ? [] : demoToolCalls(userText, tools));
  let calls: Array<SimToolCall & Partial<DemoCall>>;
  if (!afterTool) calls = named();
  else if (!script.toolLoop) return [];
  else {
    // A model stuck in a loop asks again for what it asked before (or, failing that, anything).
    const again = previousCalls(messages);
    calls = again.length ? again : named();
    if (!calls.length) calls = [{ name: tools[0]!.name, arguments: {} }];
  }
  const want = script.toolParallel ?? 1;
  if (calls.length && calls.length < want) calls = Array.from({ length: want }, (_, i) => calls[i % calls.length]!);
  return calls;
}

export function buildAnswer(body: ChatBody & { messages: ChatMessageIn[] }, script: SimScript, id: string, model: string, fault: SimFault | null): Answer {
  const messages = body.messages;
  const lastUser = [...messages].reverse().find((m) => m?.role === 'user');
  const userText = contentText(lastUser?.content);
  const mode = script.mode ?? 'demo';
  const last = messages[messages.length - 1];
  const afterTool = last?.role === 'tool';
  const tools = toolsOffered(body.tools);
  const calls = chooseCalls(script, messages, tools, userText, afterTool);

  let text: string;
  if (calls.length) {
    // The demo model says what it is doing when it chose the calls itself; scripted calls come as scripted.
    const say = script.toolText ?? (mode === 'text' ? (script.text ?? false) : mode === 'demo' && !script.toolCalls);
    text = say === true ? sayBeforeCalls(calls, tools) : say || '';
  } else if (mode === 'text') text = script.text ?? '';
  else if (afterTool) {
    // Every tool result since the model last spoke.
    const results: string[] = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) results.unshift(contentText(messages[i]!.content));
    text = mode === 'echo' ? results.join('\n') : answerFromResults(results);
  } else text = mode === 'echo' ? userText : demoReply(userText);
  if (fault?.kind === 'huge-event') text = 'x'.repeat(fault.chars);

  const toolCalls: WireToolCall[] = calls.map((c, i) => {
    const args = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    return { id: `call_${id}_${i}`, type: 'function', function: { name: c.name, arguments: script.toolMalformed ? breakArguments(args) : args } };
  });
  return {
    id,
    model,
    reasoning: script.reasoning ? tokenize(script.reasoning) : [],
    tokens: fault?.kind === 'huge-event' ? [text] : tokenize(text),
    text,
    toolCalls,
    toolDeltas: toolCallDeltas(toolCalls, { argumentDeltas: script.toolArgumentDeltas ?? DEFAULT_ARGUMENT_DELTAS, indexes: script.toolIndexes ?? 'distinct' }),
    promptTokens: countTokens(messages.map((m) => contentText(m?.content)).join(' ')),
    finishReason: script.finishReason ?? (calls.length ? 'tool_calls' : 'stop'),
    cost: script.cost,
  };
}
