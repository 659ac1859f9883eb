/**
 * The fault language: a short spec that chooses a request's behaviour where only a model name or
 * a header can be set (demo mode's `LLM_MODEL`, the CLI, tests of other processes).
 *
 * - model `sim/<spec>`: `sim/echo`, `sim/status:503`, `sim/tool-split:20+tool-text`
 * - header `x-sim-fault: <spec>`
 * - header `x-sim-script: <JSON SimScript>` (validated; `replay` cannot be set this way)
 *
 * A spec is one or more terms joined by `+` (the last fault wins):
 * - modes: `echo`, `demo`, `think` (demo answers after streamed reasoning)
 * - faults: `status:<code>[:<retry-after s>]`, `refuse`, `reset:<n>`, `error-chunk:<n>[:<status>]`,
 *   `malformed:<n>[:<count>]`, `truncate:<n>`, `stall:<n>`, `huge-event:<chars>`, `linger`,
 *   `runaway[:<chars>]` (n = tokens sent before the fault)
 * - tool calls: `tool-split:<n>` (arguments in n deltas), `tool-text` / `tool-silent` (text before
 *   the calls, or none), `tool-parallel[:<n>]` (at least n calls, default 2), `tool-index0` (every
 *   call at index 0, told apart by id), `tool-malformed` (arguments that are not JSON), `tool-loop`
 *   (call again after every tool result, forever)
 */
import { z } from 'zod';
import type { SimFault, SimScript } from './types.js';

/** What `sim/think` thinks before it answers, streamed as `delta.reasoning`. */
export const THINKING =
  'The question is short, so the answer should be too. Say the main point first, then one detail, and nothing the listener has to look at.';

const count = z.number().int().min(0).max(100_000_000);
const ms = z.number().min(0).max(600_000);

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('status'), status: z.number().int().min(100).max(599), retryAfterS: count.optional(), message: z.string().max(10_000).optional() }),
  z.strictObject({ kind: z.literal('refuse') }),
  z.strictObject({ kind: z.literal('reset'), afterTokens: count }),
  z.strictObject({ kind: z.literal('error-chunk'), afterTokens: count, status: z.number().int().optional(), message: z.string().max(10_000).optional() }),
  z.strictObject({ kind: z.literal('malformed'), afterTokens: count, count: count.optional() }),
  z.strictObject({ kind: z.literal('truncate'), afterTokens: count }),
  z.strictObject({ kind: z.literal('stall'), afterTokens: count }),
  z.strictObject({ kind: z.literal('huge-event'), chars: count }),
  z.strictObject({ kind: z.literal('linger') }),
  z.strictObject({ kind: z.literal('runaway'), chars: count }),
]);

/** A script as a header may carry it: everything but `replay` (no header reads a file). */
const headerScriptSchema = z.strictObject({
  mode: z.enum(['demo', 'echo', 'text']).optional(),
  text: z.string().optional(),
  reasoning: z.string().optional(),
  ttftMs: ms.optional(),
  tokensPerSecond: z.number().min(0).optional(),
  keepaliveEveryMs: ms.optional(),
  usage: z.enum(['always', 'requested', 'never']).optional(),
  cost: z.number().min(0).optional(),
  reportModel: z.string().optional(),
  finishReason: z.string().optional(),
  fault: faultSchema.nullable().optional(),
  ignoreStream: z.boolean().optional(),
  split: z.enum(['none', 'utf8', 'lines']).optional(),
  toolCalls: z.array(z.strictObject({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]) })).max(1000).optional(),
  toolArgumentDeltas: z.number().int().min(1).max(100_000).optional(),
  toolIndexes: z.enum(['distinct', 'zero']).optional(),
  toolText: z.union([z.string(), z.boolean()]).optional(),
  toolParallel: z.number().int().min(1).max(1000).optional(),
  toolMalformed: z.boolean().optional(),
  toolLoop: z.boolean().optional(),
});

// The schema and the type must describe the same thing.
type HeaderScript = z.infer<typeof headerScriptSchema>;
const _fits: (s: HeaderScript) => SimScript = (s) => s;
void _fits;

/** A header's JSON script, checked; throws a readable message for a bad one. */
export function parseScriptHeader(json: string): SimScript {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('x-sim-script is not JSON');
  }
  const parsed = headerScriptSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`x-sim-script: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** One fault from its short form, or null when unreadable. */
export function parseFault(spec: string): SimFault | null {
  const [kind, a, b] = spec.trim().split(':');
  const num = (v: string | undefined, d: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : d);
  switch (kind) {
    case 'status': {
      const status = num(a, 500);
      if (status < 100 || status > 599) return null;
      return b === undefined ? { kind, status } : { kind, status, retryAfterS: num(b, 1) };
    }
    case 'refuse':
    case 'linger':
      return { kind };
    case 'reset':
    case 'truncate':
    case 'stall':
      return { kind, afterTokens: num(a, 0) };
    case 'error-chunk':
      return { kind, afterTokens: num(a, 0), status: num(b, 502) };
    case 'malformed':
      return { kind, afterTokens: num(a, 0), count: num(b, 1) };
    case 'huge-event':
      return { kind, chars: num(a, 1_000_000) };
    case 'runaway':
      return { kind, chars: num(a, 8_000_000) };
    default:
      return null;
  }
}

/** One term that is not a fault: a mode or a tool-call behaviour. Null when unreadable. */
function parseTerm(term: string): SimScript | null {
  const [kind, a] = term.trim().split(':');
  const num = (d: number, max: number) => (a === undefined ? d : /^\d+$/.test(a) && Number(a) >= 1 && Number(a) <= max ? Number(a) : null);
  switch (kind) {
    case 'echo':
    case 'demo':
      return { mode: kind };
    case 'think':
      return { mode: 'demo', reasoning: THINKING };
    case 'tool-split': {
      const n = num(6, 100_000);
      return n === null ? null : { toolArgumentDeltas: n };
    }
    case 'tool-parallel': {
      const n = num(2, 1000);
      return n === null ? null : { toolParallel: n };
    }
    case 'tool-text':
      return { toolText: true };
    case 'tool-silent':
      return { toolText: false };
    case 'tool-index0':
      return { toolIndexes: 'zero' };
    case 'tool-malformed':
      return { toolMalformed: true };
    case 'tool-loop':
      return { toolLoop: true };
    default: {
      const fault = parseFault(term);
      return fault ? { fault } : null;
    }
  }
}

/** A whole spec (`tool-split:20+tool-text`) as one script, or null when any term is unreadable. */
export function parseSpec(spec: string): SimScript | null {
  let script: SimScript = {};
  for (const term of spec.split('+')) {
    const part = parseTerm(term);
    if (!part) return null;
    script = { ...script, ...part };
  }
  return script;
}

/** `sim/<spec>`: behaviour chosen by model name; null for any other model (or an unreadable spec). */
export function scriptFromModelName(model: string): SimScript | null {
  return model.startsWith('sim/') ? parseSpec(model.slice(4)) : null;
}
