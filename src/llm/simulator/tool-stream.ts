/**
 * Tool calls as real models stream them (OpenAI's `delta.tool_calls`, the shape docs/protocol.md
 * "Client tools" describes for Barnabee's own OpenAI endpoint): a call's first delta carries its `index`, `id`, `type` and `function.name` with empty
 * arguments, then its arguments' JSON text arrives in pieces, call after call. Variants that
 * clients must survive are script options: how many pieces, every call at index 0 (told apart by
 * id), arguments that are not JSON.
 */

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ToolStreamOptions {
  /** Argument deltas per call, after the one with its id and name. */
  argumentDeltas: number;
  indexes: 'distinct' | 'zero';
}

export const DEFAULT_ARGUMENT_DELTAS = 6;

/** The JSON of each chunk's `delta.tool_calls`, in order. */
export function toolCallDeltas(calls: WireToolCall[], options: ToolStreamOptions): string[] {
  const deltas: string[] = [];
  calls.forEach((call, n) => {
    const index = options.indexes === 'zero' ? 0 : n;
    deltas.push(JSON.stringify([{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }]));
    for (const piece of splitEven(call.function.arguments, options.argumentDeltas)) {
      deltas.push(JSON.stringify([{ index, function: { arguments: piece } }]));
    }
  });
  return deltas;
}

/**
 * `text` in exactly `n` pieces (at least one) of near-equal length; when it has fewer than `n`
 * characters some pieces are empty, as models send empty argument deltas too. Never cuts a
 * surrogate pair.
 */
export function splitEven(text: string, n: number): string[] {
  const chars = Array.from(text);
  const count = Math.max(1, Math.floor(n));
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    pieces.push(chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join(''));
  }
  return pieces;
}

/** Arguments a model broke off: the JSON text without its closing brace (never parses as an object). */
export function breakArguments(args: string): string {
  const cut = args.trimEnd().replace(/\}$/, '');
  return cut === args ? `${args}{` : cut;
}
