/**
 * Resumable SSE turns (docs/protocol.md "Reconnects and resuming (SSE)"). Every SSE turn's encoded
 * events are held — bounded per turn and in total — while it runs and for `windowMs` after it ends,
 * so a reconnect carrying `Last-Event-ID: <turn_id>:<seq>` continues that same turn after that
 * event instead of starting another. A turn whose stream dropped keeps running for `windowMs`,
 * waiting for a reconnect, and is cancelled after that. Who owns a turn (its client address) is
 * remembered longer than its events, so a late reconnect is served from the stored trace or told
 * with 204 that nothing more will come.
 */
import { setBounded } from '../bounded-map.js';
import type { TurnEvent, TurnTrace } from '../turn/index.js';
import type { HttpStream } from './outlets.js';
import type { Outlet } from './turns.js';

export interface ResumeLimits {
  /** How long a dropped stream's turn waits for a reconnect, and an ended turn's events stay held. */
  windowMs: number;
  /** Encoded bytes held per turn; past it the oldest events are dropped. */
  turnBytes: number;
  /** Encoded bytes held across all turns; past it ended turns' events go first, oldest turn first. */
  totalBytes: number;
}

/** Owners remembered once their turn's events are gone: enough to answer 204 or serve the trace. */
const OWNERS_KEPT = 10_000;
const OWNER_TTL_MS = 10 * 60_000;

/**
 * What is remembered of a turn once its events are gone: one small entry, not its SseTurn (with its
 * AbortController and timers), since there may be thousands for ten minutes — every one of them
 * marked by each major GC (bench/server/findings.json).
 */
interface Owner {
  clientId: string;
  endSeq: number | null;
  /** When it stops being remembered (ms, `Date.now()`). */
  until: number;
}

interface Held {
  seq: number;
  text: string;
}

/** Where a resumed stream's events come from. */
export type ResumePlan =
  | { kind: 'done' } // the turn ended and its turn.end was already delivered: 204
  | { kind: 'unknown' } // no such turn for this client (or forgotten): 404
  | { kind: 'memory'; turn: SseTurn }
  /**
   * Ended, and the events it needs are no longer held: the stored trace, if there is one (else
   * what the turn still holds, if anything).
   */
  | { kind: 'trace'; turn: SseTurn | null };

/** One SSE turn: its held events, the stream it currently writes to (if any), and its grace timer. */
export class SseTurn {
  turnId: string | undefined;
  /** Seq of `turn.end` once it was sent. */
  endSeq: number | null = null;
  lastSeq = -1;
  private held: Held[] = [];
  private bytes = 0;
  private live: HttpStream | null = null;
  private grace: NodeJS.Timeout | undefined;
  private forget: NodeJS.Timeout | undefined;
  private readonly abandon = new AbortController();

  constructor(
    readonly clientId: string,
    private readonly owner: SseTurns,
  ) {}

  /** Aborted when no stream has been attached for `windowMs` while the turn runs: the hub cancels it then. */
  get abandoned(): AbortSignal {
    return this.abandon.signal;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** What the hub writes to: every event is held, then written to the attached stream, if any. */
  outlet(encode: (event: TurnEvent) => string | null): Outlet {
    return {
      send: (event, urgent) => {
        const text = encode(event);
        if (this.turnId === undefined) {
          this.turnId = event.turn_id;
          this.owner.register(this);
        }
        this.lastSeq = event.seq;
        if (text !== null) this.hold({ seq: event.seq, text });
        if (text !== null) this.live?.write(text, urgent);
        if (event.type === 'turn.end') this.ended(event.seq);
      },
      buffered: () => this.live?.buffered() ?? 0,
      holds: true,
    };
  }

  /**
   * Make `stream` the one this turn writes to, after replaying the held events past `afterSeq`.
   * A stream already attached (the old connection of a reconnect) is ended.
   */
  attach(stream: HttpStream, afterSeq: number): void {
    for (const h of this.held) if (h.seq > afterSeq) stream.write(h.text, false);
    if (this.endSeq !== null) return stream.end();
    const old = this.live;
    this.live = stream;
    old?.end();
    clearTimeout(this.grace);
    const onGone = () => {
      if (this.live !== stream) return;
      this.live = null;
      this.waitForReconnect();
    };
    if (stream.gone.aborted) onGone();
    else stream.gone.addEventListener('abort', onGone, { once: true });
  }

  /** Whether the held events reach back to the one after `afterSeq` (nothing was dropped in between). */
  covers(afterSeq: number): boolean {
    const first = this.held[0];
    if (!first) return this.lastSeq <= afterSeq;
    return first.seq <= afterSeq + 1;
  }

  /** Drop held events, oldest first, until at most `keep` bytes remain. Returns the bytes freed. */
  trim(keep: number): number {
    let freed = 0;
    let n = 0;
    while (n < this.held.length && this.bytes - freed > keep) freed += this.held[n++]!.text.length;
    if (n) this.held = this.held.slice(n);
    this.bytes -= freed;
    return freed;
  }

  /** Called by the registry when the turn is forgotten entirely. */
  dispose(): void {
    clearTimeout(this.grace);
    clearTimeout(this.forget);
    this.owner.released(this.trim(0));
  }

  private hold(h: Held): void {
    this.held.push(h);
    this.bytes += h.text.length;
    this.owner.grew(this, h.text.length);
    // Trimmed to three quarters of the bound, so a turn at its bound is not trimmed (copied) per event.
    const { turnBytes } = this.owner.limits;
    if (this.bytes > turnBytes) this.owner.released(this.trim(Math.floor((turnBytes * 3) / 4)));
  }

  private waitForReconnect(): void {
    if (this.endSeq !== null) return;
    const { windowMs } = this.owner.limits;
    if (windowMs === 0) return this.abandon.abort();
    this.grace = setTimeout(() => this.abandon.abort(), windowMs);
    this.grace.unref();
  }

  private ended(seq: number): void {
    this.endSeq = seq;
    clearTimeout(this.grace);
    this.live?.end();
    this.live = null;
    this.owner.ended(this);
    // The events for an exact resume, for a while; the owner, longer (for 204 and the trace).
    this.forget = setTimeout(() => this.owner.retire(this), this.owner.limits.windowMs);
    this.forget.unref();
  }
}

/** The SSE turns of one server, by turn id. */
export class SseTurns {
  /** Turns running, or ended and still holding their events. */
  private readonly turns = new Map<string, SseTurn>();
  /** Turns whose events are gone, oldest first (insertion order is retirement order). */
  private readonly owners = new Map<string, Owner>();
  /** Ended turns still holding events, in the order they ended: the first to lose them under memory pressure. */
  private readonly holding = new Set<SseTurn>();
  private total = 0;

  constructor(readonly limits: ResumeLimits) {}

  /** A new turn for `clientId`; it is findable once its first event names it. */
  begin(clientId: string): SseTurn {
    return new SseTurn(clientId, this);
  }

  /** Bytes held across all turns (for tests and metrics). */
  get heldBytes(): number {
    return this.total;
  }

  /**
   * How to serve a reconnect of `clientId` after `turnId:afterSeq`. A turn of another client looks
   * exactly like an unknown one, so a reconnect learns nothing about other clients' turns.
   */
  plan(turnId: string, afterSeq: number, clientId: string): ResumePlan {
    const turn = this.turns.get(turnId);
    if (!turn) {
      const owner = this.owners.get(turnId);
      if (!owner || owner.clientId !== clientId || owner.until <= Date.now()) return { kind: 'unknown' };
      return owner.endSeq !== null && afterSeq >= owner.endSeq ? { kind: 'done' } : { kind: 'trace', turn: null };
    }
    if (turn.clientId !== clientId) return { kind: 'unknown' };
    if (turn.endSeq !== null && afterSeq >= turn.endSeq) return { kind: 'done' };
    if (turn.endSeq !== null && !turn.covers(afterSeq)) return { kind: 'trace', turn };
    // A running turn that dropped events past its bound resumes from the oldest still held: the
    // jump in `seq` shows the gap, and `turn.end` carries the whole text.
    return { kind: 'memory', turn };
  }

  register(turn: SseTurn): void {
    this.turns.set(turn.turnId!, turn);
    if (this.turns.size <= OWNERS_KEPT) return;
    // Running turns are bounded by the hub's per-client limit; the oldest ended ones lose their events early.
    for (const old of this.turns.values()) {
      if (old.endSeq === null) continue;
      this.retire(old);
      if (this.turns.size <= OWNERS_KEPT) break;
    }
  }

  /** The turn's events go; its owner is remembered as one small entry for OWNER_TTL_MS. */
  retire(turn: SseTurn): void {
    const id = turn.turnId;
    this.drop(turn);
    if (id === undefined) return;
    // An expired owner is ignored when asked for and goes once the table is full (no timer per owner).
    setBounded(this.owners, id, { clientId: turn.clientId, endSeq: turn.endSeq, until: Date.now() + OWNER_TTL_MS }, OWNERS_KEPT);
  }

  grew(turn: SseTurn, n: number): void {
    this.total += n;
    if (this.total <= this.limits.totalBytes) return;
    for (const old of this.holding) {
      this.released(old.trim(0));
      this.holding.delete(old);
      if (this.total <= this.limits.totalBytes) return;
    }
    // Only running turns are left: the one growing gives up its oldest events (a quarter more than
    // needed, as above).
    const excess = this.total - Math.floor((this.limits.totalBytes * 3) / 4);
    this.released(turn.trim(Math.max(0, turn.heldBytes - excess)));
  }

  released(n: number): void {
    this.total -= n;
  }

  ended(turn: SseTurn): void {
    this.holding.add(turn);
  }

  drop(turn: SseTurn): void {
    this.holding.delete(turn);
    if (turn.turnId !== undefined && this.turns.get(turn.turnId) === turn) this.turns.delete(turn.turnId);
    turn.dispose();
  }
}

/**
 * The events of a stored trace after `afterSeq`, in wire form. A trace is condensed: a run of
 * chunks is one event (sent with the run's last seq and all its text, and skipped when the client
 * already has part of it), audio is not kept, and `turn.end` carries the whole answer (with `expects_reply: false`).
 */
export function traceEvents(trace: TurnTrace, afterSeq: number): Array<{ type: TurnEvent['type']; turn_id: string; seq: number } & Record<string, unknown>> {
  const out: Array<{ type: TurnEvent['type']; turn_id: string; seq: number } & Record<string, unknown>> = [];
  for (const entry of trace.events) {
    if (entry.seq <= afterSeq || entry.type === 'audio') continue;
    const { type, seq, t_ms, last_seq, last_t_ms, count: _count, ...fields } = entry;
    const base = { type, turn_id: trace.turn_id, seq: last_seq ?? seq, t_ms: last_t_ms ?? t_ms };
    switch (type) {
      case 'turn.start':
        out.push({ ...base, conversation_id: trace.conversation_id, input: trace.input, ...fields });
        break;
      case 'turn.end':
        // A trace does not keep expects_reply; this long after the turn, no microphone should reopen for it.
        out.push({ ...base, status: trace.status, text: trace.text, spoken_text: trace.spoken_text, expects_reply: false, metrics: trace.metrics });
        break;
      default:
        out.push({ ...base, ...fields });
    }
  }
  return out;
}
