/**
 * What the page knows about one turn, folded from its events. Pure (no DOM) so the same fold
 * serves the live feed, a stored trace in History, and the unit tests.
 */
import type { AgentKind, EventOf, TurnEvent, TurnMetrics, TurnStatus, TurnTrace } from './wire.js';

export interface SegmentView {
  index: number;
  text: string;
  /** `speaking` from speech.start until speech.end; `spoken` after. */
  state: 'speaking' | 'spoken';
  duration_ms: number | null;
}

export interface TurnView {
  id: string;
  conversation_id: string | null;
  input: string | null;
  speak: boolean;
  route: { agent: AgentKind; intent: string; confidence: number; route_ms: number } | null;
  /** The model's thinking so far (`reasoning` events): shown dimmed, never part of the answer. */
  thinking: string;
  /** The answer so far: chunks appended in order. */
  text: string;
  chunks: number;
  textDone: boolean;
  segments: SegmentView[];
  actions: Omit<EventOf<'action'>, 'type' | 'turn_id' | 'seq' | 't_ms'>[];
  errors: Omit<EventOf<'error'>, 'type' | 'turn_id' | 'seq' | 't_ms'>[];
  usage: Omit<EventOf<'usage'>, 'type' | 'turn_id' | 'seq' | 't_ms'> | null;
  audioChunks: number;
  sampleRate: number | null;
  end: { status: TurnStatus; text: string; spoken_text: string; metrics: TurnMetrics | null } | null;
  /** Highest seq applied; events at or below it are duplicates. */
  lastSeq: number;
  /** Milliseconds since the turn started, as of the last event. */
  lastT: number;
  /** The first event seen was not `turn.start` (the page connected mid-turn). */
  joinedLate: boolean;
}

export function newTurn(id: string): TurnView {
  return {
    id,
    conversation_id: null,
    input: null,
    speak: false,
    route: null,
    thinking: '',
    text: '',
    chunks: 0,
    textDone: false,
    segments: [],
    actions: [],
    errors: [],
    usage: null,
    audioChunks: 0,
    sampleRate: null,
    end: null,
    lastSeq: -1,
    lastT: 0,
    joinedLate: false,
  };
}

/** A call of the client's own tool is shown with the actions: Barnabee asked, the client runs it. */
function toolView(name: string, args: unknown, ok: boolean, detail: string): TurnView['actions'][number] {
  return { service: `tool ${name}`, target: JSON.stringify(args ?? {}).slice(0, 200), ok, detail };
}

const toolCallView = (name: string, args: unknown) => toolView(name, args, true, 'run by the client');

/** One of Barnabee's home tools, run for the model: the call, and what the model was told (its error, else the start of it). */
function toolResultView(name: string, args: unknown, ok: boolean, content: string): TurnView['actions'][number] {
  let told = content;
  try {
    const parsed = JSON.parse(content) as { error?: unknown };
    if (typeof parsed?.error === 'string') told = parsed.error;
  } catch {
    // Not JSON: shown as it is.
  }
  return toolView(name, args, ok, told.length > 160 ? `${told.slice(0, 159)}…` : told);
}

/**
 * Applies one event to `turn` in place; returns false (and changes nothing) for an event that was
 * already applied or belongs to another turn. The feed delivers each turn's events in order, so
 * anything at or below the last seq is a repeat (e.g. after a reconnect).
 */
export function applyEvent(turn: TurnView, ev: TurnEvent): boolean {
  if (ev.turn_id !== turn.id || ev.seq <= turn.lastSeq) return false;
  if (turn.lastSeq === -1 && ev.type !== 'turn.start') turn.joinedLate = true;
  turn.lastSeq = ev.seq;
  turn.lastT = ev.t_ms;
  switch (ev.type) {
    case 'turn.start':
      turn.conversation_id = ev.conversation_id;
      turn.input = ev.input;
      turn.speak = ev.speak;
      break;
    case 'route':
      turn.route = { agent: ev.agent, intent: ev.intent, confidence: ev.confidence, route_ms: ev.route_ms };
      break;
    case 'reasoning':
      turn.thinking += ev.text;
      break;
    case 'chunk':
      turn.text += ev.text;
      turn.chunks += 1;
      if (ev.done) turn.textDone = true;
      break;
    case 'action':
      turn.actions.push({ service: ev.service, target: ev.target, ok: ev.ok, detail: ev.detail });
      break;
    case 'tool_call':
      turn.actions.push(toolCallView(ev.name, ev.arguments));
      break;
    case 'tool_result':
      turn.actions.push(toolResultView(ev.name, ev.arguments, ev.ok, ev.content));
      break;
    case 'speech.start':
      turn.segments.push({ index: ev.segment, text: ev.text, state: 'speaking', duration_ms: null });
      break;
    case 'audio':
      turn.audioChunks += 1;
      turn.sampleRate = ev.sample_rate;
      break;
    case 'speech.end': {
      const seg = turn.segments.find((s) => s.index === ev.segment);
      if (seg) {
        seg.state = 'spoken';
        seg.duration_ms = ev.duration_ms;
      }
      break;
    }
    case 'usage':
      turn.usage = {
        model: ev.model,
        prompt_tokens: ev.prompt_tokens,
        completion_tokens: ev.completion_tokens,
        cost_usd: ev.cost_usd,
      };
      break;
    case 'error':
      turn.errors.push({ code: ev.code, message: ev.message, retryable: ev.retryable });
      break;
    case 'turn.end':
      turn.end = { status: ev.status, text: ev.text, spoken_text: ev.spoken_text, metrics: ev.metrics };
      // A late joiner missed early chunks: the final text is authoritative.
      if (turn.joinedLate || !turn.text) turn.text = ev.text;
      for (const seg of turn.segments) seg.state = 'spoken';
      break;
  }
  return true;
}

/**
 * A stored turn (History) as a view. The store collapses runs of chunks and audio, so this reads
 * the trace's own fields rather than replaying events.
 */
export function turnFromTrace(trace: TurnTrace): TurnView {
  const turn = newTurn(trace.turn_id);
  turn.conversation_id = trace.conversation_id;
  turn.input = trace.input;
  if (trace.agent) {
    const route = trace.events.find((e) => e.type === 'route');
    turn.route = {
      agent: trace.agent,
      intent: trace.intent ?? '',
      confidence: trace.confidence ?? 0,
      route_ms: typeof route?.route_ms === 'number' ? route.route_ms : 0,
    };
  }
  turn.text = trace.text;
  turn.textDone = true;
  for (const e of trace.events) {
    const s = e as Record<string, unknown>;
    switch (e.type) {
      case 'turn.start':
        turn.speak = s.speak === true;
        break;
      case 'chunk':
        turn.chunks += e.count ?? 1;
        break;
      case 'speech.start':
        turn.segments.push({ index: Number(s.segment), text: String(s.text ?? ''), state: 'spoken', duration_ms: null });
        break;
      case 'speech.end': {
        const seg = turn.segments.find((x) => x.index === Number(s.segment));
        if (seg) seg.duration_ms = Number(s.duration_ms);
        break;
      }
      case 'audio':
        turn.audioChunks += e.count ?? 1;
        turn.sampleRate = Number(s.sample_rate);
        break;
      case 'action':
        turn.actions.push({ service: String(s.service), target: String(s.target), ok: s.ok === true, detail: String(s.detail ?? '') });
        break;
      case 'tool_call':
        turn.actions.push(toolCallView(String(s.name), s.arguments));
        break;
      case 'tool_result':
        turn.actions.push(toolResultView(String(s.name), s.arguments, s.ok === true, String(s.content ?? '')));
        break;
      case 'error':
        turn.errors.push({ code: String(s.code), message: String(s.message), retryable: s.retryable === true });
        break;
    }
    turn.lastSeq = Math.max(turn.lastSeq, e.last_seq ?? e.seq);
    turn.lastT = Math.max(turn.lastT, e.last_t_ms ?? e.t_ms);
  }
  turn.usage = trace.usage;
  turn.end = { status: trace.status, text: trace.text, spoken_text: trace.spoken_text, metrics: trace.metrics };
  return turn;
}

/**
 * The most recent turns, newest first, bounded so a long-running page does not grow without
 * limit: finished turns beyond `capacity` are dropped, running ones are always kept.
 */
export class TurnList {
  private readonly turns = new Map<string, TurnView>();

  constructor(private readonly capacity = 40) {}

  /** Applies an event; returns the turn it changed, or null for a duplicate. */
  apply(ev: TurnEvent): TurnView | null {
    let turn = this.turns.get(ev.turn_id);
    if (!turn) {
      turn = newTurn(ev.turn_id);
      this.turns.set(ev.turn_id, turn);
    }
    return applyEvent(turn, ev) ? turn : null;
  }

  get(id: string): TurnView | undefined {
    return this.turns.get(id);
  }

  /** Newest first. */
  list(): TurnView[] {
    return [...this.turns.values()].reverse();
  }

  /** Drops the oldest finished turns over capacity; returns the ids dropped. */
  prune(): string[] {
    const dropped: string[] = [];
    let excess = this.turns.size - this.capacity;
    for (const [id, turn] of this.turns) {
      if (excess <= 0) break;
      if (!turn.end) continue;
      this.turns.delete(id);
      dropped.push(id);
      excess -= 1;
    }
    return dropped;
  }
}
