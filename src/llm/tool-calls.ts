/**
 * Assembles a streamed answer's tool calls. OpenAI-style streams send each call in pieces:
 * `delta.tool_calls[{index, id?, type?, function: {name?, arguments?}}]`, where the first piece of
 * a call carries its id and name and the arguments' JSON text arrives split across many chunks,
 * several calls side by side (by `index`). Pure: pieces in, whole calls out; no I/O.
 *
 * Rules, in one place:
 * - A piece joins the call at its `index`; a piece whose `id` differs from that call's id starts a
 *   new call (some providers number every parallel call 0).
 * - Arguments are the concatenated text, parsed as JSON once the stream ends; empty text means
 *   `{}`. Anything that is not a JSON object makes the call broken: it is handed on with `error`
 *   set and empty `arguments`, never as if the model had meant something. Whoever runs the call
 *   decides: a home tool answers the model with the error, a client's call is refused
 *   (`malformed_tool_call`, `malformedToolCall`).
 * - A call without a name is broken the same way; a missing id gets `call_<prefix>_<n>`.
 * - Too many calls, or arguments past the size bound, are not a broken call but a broken stream:
 *   `push` throws `malformed_tool_call`.
 */
import { LlmError } from './errors.js';
import type { StreamPart, ToolCall } from './types.js';

type ToolCallDelta = Extract<StreamPart, { type: 'tool-call-delta' }>;

/** Largest arguments text accepted for one call: a model writing more is not calling a tool. */
export const MAX_TOOL_ARGUMENTS_CHARS = 256 * 1024;
/** Most calls accepted in one answer. */
export const MAX_TOOL_CALLS = 64;

interface Pending {
  index: number;
  id: string | undefined;
  name: string;
  args: string;
}

export class ToolCallAssembler {
  private readonly calls: Pending[] = [];
  /** The call each index currently writes to. */
  private readonly byIndex = new Map<number, Pending>();

  constructor(
    private readonly model: string | null = null,
    private readonly idPrefix = 'tool',
  ) {}

  get size(): number {
    return this.calls.length;
  }

  push(delta: ToolCallDelta): void {
    let call = this.byIndex.get(delta.index);
    if (!call || (delta.id !== undefined && call.id !== undefined && delta.id !== call.id)) {
      if (this.calls.length >= MAX_TOOL_CALLS) throw this.fail(`more than ${MAX_TOOL_CALLS} tool calls in one answer`);
      call = { index: delta.index, id: delta.id, name: '', args: '' };
      this.calls.push(call);
      this.byIndex.set(delta.index, call);
    }
    call.id ??= delta.id;
    // Names come whole in the first piece; a server that repeats the name must not double it.
    if (delta.name && !call.name.endsWith(delta.name)) call.name += delta.name;
    call.args += delta.arguments;
    if (call.args.length > MAX_TOOL_ARGUMENTS_CHARS) throw this.fail(`tool call arguments over ${MAX_TOOL_ARGUMENTS_CHARS} characters`);
  }

  /** The whole calls, in the order they began; a broken one carries `error` (and `{}` as arguments). */
  finish(): ToolCall[] {
    return this.calls.map((call, n) => {
      const id = call.id || `call_${this.idPrefix}_${n}`;
      if (!call.name) return { id, name: '', arguments: {}, error: `tool call ${n} has no function name` };
      const parsed = parseArguments(call.args, call.name);
      return typeof parsed === 'string' ? { id, name: call.name, arguments: {}, error: parsed } : { id, name: call.name, arguments: parsed };
    });
  }

  private fail(message: string): LlmError {
    return malformedToolCall(message, this.model);
  }
}

/** The error a broken call becomes where it cannot be answered (a client's tool): never handed on. */
export function malformedToolCall(message: string, model: string | null = null): LlmError {
  return new LlmError('malformed_tool_call', `the model wrote a malformed tool call: ${message}`, { model, retryable: false });
}

/** The arguments object, or what is wrong with the text. */
function parseArguments(text: string, name: string): Record<string, unknown> | string {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `the arguments of ${JSON.stringify(name)} are not valid JSON`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `the arguments of ${JSON.stringify(name)} are not a JSON object`;
  return value as Record<string, unknown>;
}
