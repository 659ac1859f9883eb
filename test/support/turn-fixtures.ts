/**
 * Collaborators for turn-runner tests: agents driven by a script, a router that always picks one
 * agent, and a small speech stage. They are the runner's real inputs (the runner only knows the
 * Agent/Router/SpeechStage contracts), not stand-ins for anything outside this machine.
 */
import type { Agent, AgentContext, AgentPart, Router, RouteDecision, SpeechStage, TurnPart } from '../../src/turn/index.js';
import type { AgentKind, TurnEvent } from '../../src/turn/index.js';

export type Step = AgentPart | { wait: number } | { throw: Error } | { block: true };

export interface ScriptedAgent extends Agent {
  /** Contexts the agent was run with, in order. */
  readonly runs: AgentContext[];
  /** How many of its runs reached their `finally` (cleanup ran). */
  readonly cleanups: number;
}

/**
 * An agent that plays `steps`. `{block: true}` waits for the turn's signal (like a network read
 * that the abort closes) unless `ignoreAbort`, in which case it never returns at all.
 */
export function scriptedAgent(kind: AgentKind, steps: Step[], options: { ignoreAbort?: boolean } = {}): ScriptedAgent {
  const runs: AgentContext[] = [];
  let cleanups = 0;
  return {
    kind,
    runs,
    get cleanups() {
      return cleanups;
    },
    async *run(ctx) {
      runs.push(ctx);
      try {
        for (const step of steps) {
          if ('wait' in step) await sleep(step.wait, options.ignoreAbort ? undefined : ctx.signal);
          else if ('throw' in step) throw step.throw;
          else if ('block' in step) await blockUntil(options.ignoreAbort ? undefined : ctx.signal);
          else yield step;
        }
      } finally {
        cleanups++;
      }
    },
  };
}

export function fixedRouter(decision: RouteDecision, refine?: Router['refine']): Router & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    classify(text) {
      calls.push(text);
      return decision;
    },
    ...(refine ? { refine } : {}),
  };
}

export function agentsWith(agent: Agent): Record<AgentKind, Agent> {
  const idle = (kind: AgentKind) => scriptedAgent(kind, [{ type: 'chunk', text: `(${kind})`, done: true }]);
  return { instant: idle('instant'), action: idle('action'), interaction: idle('interaction'), [agent.kind]: agent };
}

/**
 * A speech stage that "speaks" each chunk's text as one segment: speech.start, one audio part
 * (`msPerChar` ms of silence per character, sent after that long), speech.end. Enough to test
 * what the runner does with speech parts; the real stage is tested in test/speech.
 */
export function textSpeech(msPerChar = 0): SpeechStage {
  return async function* (parts, { signal }) {
    let segment = 0;
    for await (const part of parts) {
      yield part;
      if (part.type !== 'chunk' || !part.text.trim()) continue;
      const n = segment++;
      yield { type: 'speech.start', segment: n, text: part.text } satisfies TurnPart;
      await sleep(msPerChar * part.text.length, signal);
      yield { type: 'audio', segment: n, sample_rate: 16000, encoding: 'pcm_s16le', channels: 1, pcm: Buffer.alloc(32 * part.text.length) };
      yield { type: 'speech.end', segment: n, duration_ms: part.text.length } satisfies TurnPart;
    }
  };
}

export async function collect(events: AsyncIterable<TurnEvent>): Promise<TurnEvent[]> {
  const out: TurnEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** The protocol invariants every turn must keep, whatever happened in it. */
export function assertWellFormed(events: TurnEvent[]): void {
  if (events.length === 0) throw new Error('no events');
  const id = events[0]!.turn_id;
  events.forEach((e, i) => {
    if (e.seq !== i) throw new Error(`seq gap at ${i}: got ${e.seq}`);
    if (e.turn_id !== id) throw new Error(`turn_id changed at ${i}`);
    if (i > 0 && e.t_ms < events[i - 1]!.t_ms) throw new Error(`t_ms went backwards at ${i}`);
  });
  if (events[0]!.type !== 'turn.start') throw new Error(`first event is ${events[0]!.type}`);
  const ends = events.filter((e) => e.type === 'turn.end');
  if (ends.length !== 1 || events.at(-1)!.type !== 'turn.end') throw new Error('turn.end is not last exactly once');
  const chunks = events.filter((e) => e.type === 'chunk');
  if (chunks.length > 0 && !(chunks.at(-1) as { done: boolean }).done) throw new Error('text never closed with done');
  if (chunks.slice(0, -1).some((c) => (c as { done: boolean }).done)) throw new Error('chunk after done');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function blockUntil(signal?: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
