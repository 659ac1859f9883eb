/**
 * A turn trace: what the store keeps of one turn. Built event by event (so audio bytes are dropped
 * as they pass), small enough to keep for every turn: runs of `chunk` events collapse into one
 * entry holding their text, runs of `audio` events into one entry holding their byte count.
 */
import type { ContextMessage, ToolCallRef, TurnEvent } from './events.js';
import type { EventSummary, TraceUsage, TurnTrace } from './protocol.js';

export type { EventSummary, TraceUsage, TurnTrace };

export interface TraceMeta {
  transport?: string;
}

/** Folds a turn's events into its trace; `finish` once `turn.end` has been added. */
export class TraceBuilder {
  private readonly trace: TurnTrace;
  private readonly startedAtMs: number;
  private usageTotals: TraceUsage | null = null;
  private last: EventSummary | null = null;
  ended = false;

  constructor(turnId: string, meta: TraceMeta = {}, startedAtMs = Date.now()) {
    this.startedAtMs = startedAtMs;
    this.trace = {
      turn_id: turnId,
      conversation_id: '',
      created_at: new Date(startedAtMs).toISOString(),
      input: '',
      agent: null,
      intent: null,
      confidence: null,
      model: null,
      status: 'failed',
      text: '',
      spoken_text: '',
      usage: null,
      metrics: null,
      events: [],
      transport: meta.transport ?? null,
    };
  }

  add(event: TurnEvent): void {
    const t = this.trace;
    switch (event.type) {
      case 'turn.start':
        t.conversation_id = event.conversation_id;
        t.input = event.input;
        this.push(event, { speak: event.speak });
        return;
      case 'route':
        t.agent = event.agent;
        t.intent = event.intent;
        t.confidence = event.confidence;
        this.push(event, { agent: event.agent, intent: event.intent, confidence: event.confidence, route_ms: event.route_ms });
        return;
      case 'chunk': {
        const run = this.last;
        if (run?.type === 'chunk' && run.done !== true) {
          this.extend(run, event);
          run.text = `${run.text as string}${event.text}`;
          run.done = event.done;
        } else this.push(event, { count: 1, text: event.text, done: event.done });
        return;
      }
      case 'audio': {
        const run = this.last;
        if (run?.type === 'audio' && run.segment === event.segment) {
          this.extend(run, event);
          run.bytes = (run.bytes as number) + event.pcm.length;
        } else {
          this.push(event, { count: 1, segment: event.segment, sample_rate: event.sample_rate, bytes: event.pcm.length });
        }
        return;
      }
      case 'action':
        this.push(event, { service: event.service, target: event.target, ok: event.ok, detail: event.detail });
        return;
      case 'tool_call':
        this.push(event, { id: event.id, name: event.name, arguments: event.arguments });
        return;
      case 'tool_result':
        this.push(event, { id: event.id, name: event.name, arguments: event.arguments, ok: event.ok, content: event.content });
        return;
      case 'speech.start':
        this.push(event, { segment: event.segment, text: event.text });
        return;
      case 'speech.end':
        this.push(event, { segment: event.segment, duration_ms: event.duration_ms });
        return;
      case 'usage': {
        // A turn may call a model more than once (e.g. a refine, then an answer): add them up.
        const prev = this.usageTotals;
        this.usageTotals = {
          model: event.model,
          prompt_tokens: (prev?.prompt_tokens ?? 0) + event.prompt_tokens,
          completion_tokens: (prev?.completion_tokens ?? 0) + event.completion_tokens,
          cost_usd: prev && prev.cost_usd === null && event.cost_usd === null ? null : (prev?.cost_usd ?? 0) + (event.cost_usd ?? 0),
        };
        t.model = event.model;
        t.usage = this.usageTotals;
        this.push(event, {
          model: event.model,
          prompt_tokens: event.prompt_tokens,
          completion_tokens: event.completion_tokens,
          cost_usd: event.cost_usd,
        });
        return;
      }
      case 'error':
        this.push(event, { code: event.code, message: event.message, retryable: event.retryable });
        return;
      case 'turn.end':
        t.status = event.status;
        t.text = event.text;
        t.spoken_text = event.spoken_text;
        t.metrics = event.metrics;
        this.ended = true;
        this.push(event, event.spoken_end === undefined ? { status: event.status } : { status: event.status, spoken_end: event.spoken_end });
        return;
    }
  }

  finish(): TurnTrace {
    return this.trace;
  }

  /** Wall-clock start of the turn, for the message timestamps. */
  get startedAt(): number {
    return this.startedAtMs;
  }

  private push(event: TurnEvent, fields: Record<string, unknown>): void {
    const entry: EventSummary = { type: event.type, seq: event.seq, t_ms: event.t_ms, ...fields };
    this.trace.events.push(entry);
    this.last = entry;
  }

  private extend(run: EventSummary, event: TurnEvent): void {
    run.last_seq = event.seq;
    run.last_t_ms = event.t_ms;
    run.count = (run.count ?? 1) + 1;
  }
}

/** A trace as the store keeps it: the answer text once; the copies left out are rebuilt by `unpackTrace`. */
export interface PackedTrace {
  text: string;
  /** Null when it is what the events say was spoken (the usual case). */
  spoken_text: string | null;
  /** JSON of the event summary; chunk runs hold `chars` (their length in `text`) instead of their text. */
  events: string;
}

/** Leaves out every copy of the answer text that the rest of the trace can rebuild. */
export function packTrace(trace: Pick<TurnTrace, 'text' | 'spoken_text' | 'events'>): PackedTrace {
  const chunks = trace.events.filter((e) => e.type === 'chunk');
  const byLength = chunks.map((e) => (typeof e.text === 'string' ? e.text : '')).join('') === trace.text;
  const events = byLength
    ? trace.events.map((e) => {
        if (e.type !== 'chunk') return e;
        const { text, ...rest } = e;
        return { ...rest, chars: (text as string).length };
      })
    : trace.events;
  return {
    text: trace.text,
    spoken_text: spokenFrom(trace.text, trace.events) === trace.spoken_text ? null : trace.spoken_text,
    events: JSON.stringify(events),
  };
}

/** The trace's text fields and events as they were before `packTrace`. */
export function unpackTrace(packed: PackedTrace): Pick<TurnTrace, 'text' | 'spoken_text' | 'events'> {
  const events = JSON.parse(packed.events) as EventSummary[];
  let at = 0;
  for (const e of events) {
    if (e.type !== 'chunk' || typeof e.chars !== 'number') continue;
    e.text = packed.text.slice(at, at + e.chars);
    at += e.chars;
    delete e.chars;
  }
  return { text: packed.text, spoken_text: packed.spoken_text ?? spokenFrom(packed.text, events), events };
}

/**
 * What the history keeps of an answer: the model's own text up to where the listener stopped
 * hearing it (`turn.end.spoken_end`); for turns recorded without that mark, what was spoken.
 */
export function heardText(packed: PackedTrace): string {
  return heardIn(unpackTrace(packed));
}

function heardIn({ text, spoken_text, events }: Pick<TurnTrace, 'text' | 'spoken_text' | 'events'>): string {
  const end = events.find((e) => e.type === 'turn.end')?.spoken_end;
  return typeof end === 'number' ? text.slice(0, end).trimEnd() : spoken_text;
}

/**
 * What the history keeps of a turn's answer as messages: the answer as heard (`heardText`), and,
 * when Barnabee ran tools during it, each round's text with its tool calls, then their results, so
 * a follow-up knows what was done (docs/protocol.md, "Home tools"). Tool rounds stay even past a
 * barge-in: what they did to the home happened, heard or not.
 */
export function heardMessages(packed: PackedTrace): ContextMessage[] {
  const unpacked = unpackTrace(packed);
  const { text, events } = unpacked;
  if (!events.some((e) => e.type === 'tool_result')) {
    const heard = heardIn(unpacked);
    return heard.trim() ? [{ role: 'assistant', content: heard }] : [];
  }
  const mark = events.find((e) => e.type === 'turn.end')?.spoken_end;
  const end = typeof mark === 'number' ? mark : text.length;
  const out: ContextMessage[] = [];
  let at = 0;
  let from = 0;
  let round: { calls: ToolCallRef[]; results: ContextMessage[] } | null = null;
  const close = () => {
    if (!round) return;
    out.push({ role: 'assistant', content: text.slice(from, Math.min(at, end)).trim(), tool_calls: round.calls }, ...round.results);
    round = null;
    from = at;
  };
  for (const e of events) {
    if (e.type === 'chunk' && typeof e.text === 'string' && e.text) {
      close();
      at += e.text.length;
    } else if (e.type === 'tool_result') {
      round ??= { calls: [], results: [] };
      const id = String(e.id);
      round.calls.push({ id, type: 'function', function: { name: String(e.name), arguments: JSON.stringify(e.arguments ?? {}) } });
      round.results.push({ role: 'tool', content: String(e.content ?? ''), tool_call_id: id });
    }
  }
  close();
  const rest = text.slice(from, Math.max(from, end)).trim();
  if (rest) out.push({ role: 'assistant', content: rest });
  return out;
}

/**
 * What a turn's events say was spoken, by the runner's own rule (`TurnAccumulator.spokenText`):
 * with speech, the segments whose audio was all sent, in order; without, the whole text.
 */
function spokenFrom(text: string, events: readonly EventSummary[]): string {
  if (!events.some((e) => e.type === 'speech.start')) return text;
  const pending = new Map<unknown, string>();
  const said: string[] = [];
  for (const e of events) {
    if (e.type === 'speech.start') pending.set(e.segment, String(e.text ?? ''));
    else if (e.type === 'speech.end') {
      const s = pending.get(e.segment);
      pending.delete(e.segment);
      if (s) said.push(s.trim());
    }
  }
  return said.filter(Boolean).join(' ');
}
