/**
 * Deltas held back and passed on as one (`CallOptions.gather`). A model streams about a token per
 * event, and everything after the client — the agent, the turn runner, the store, each transport —
 * costs per part, not per character. Holding here, where the tokens are read, spares them all: a
 * held delta is never yielded, so it costs no promise through the stages after this one.
 *
 * Text is held when the caller's rule lets it wait; reasoning (never spoken) after the first of a
 * request, whose time the turn reports. Held deltas never wait longer than the window, and never
 * behind anything: the next part that is passed on, whatever it is, takes them with it (in front of
 * it, or joined to it when it is of their kind), and the window closing passes them on while the
 * model is silent.
 */
import type { StreamPart, TextGathering } from './types.js';

/** What `until` gives when the held text's window closed before the read. */
export const DUE: unique symbol = Symbol('due');

type Delta = Extract<StreamPart, { type: 'text-delta' | 'reasoning-delta' }>;

export class HeldDeltas {
  private text: string | null = null;
  private kind: Delta['type'] = 'text-delta';
  private sawReasoning = false;
  private timer: NodeJS.Timeout | undefined;
  /** Resolves the pending `until`, if any, with DUE. */
  private wake: ((due: typeof DUE) => void) | null = null;
  /** The window closed while no `until` was pending (the reader held a part): `until` gives DUE at once. */
  private due = false;

  constructor(private readonly rule: TextGathering) {}

  get holding(): boolean {
    return this.text !== null;
  }

  /**
   * Holds `part` when it may wait; false when it must be passed on now, after what is held
   * (`release`). A delta of another kind than the held ones is not held: what is held goes first.
   */
  hold(part: StreamPart): boolean {
    if (part.type === 'text-delta') {
      if (part.text === '' || this.rule.urgent(part.text)) return false;
    } else if (part.type === 'reasoning-delta') {
      if (part.text === '') return false;
      if (!this.sawReasoning) {
        this.sawReasoning = true;
        return false;
      }
    } else return false;
    if (this.text === null) {
      this.text = part.text;
      this.kind = part.type;
      this.timer = setTimeout(this.onDue, this.rule.ms);
    } else if (part.type === this.kind) this.text += part.text;
    else return false;
    return true;
  }

  /** Whether `release(part)` joins what is held to the front of `part`: it is a delta of the same kind. */
  joins(part: StreamPart): boolean {
    return part.type === this.kind;
  }

  /** What is held as a delta of its own, or joined to the front of `part` when that is of its kind. */
  release(part?: StreamPart): StreamPart {
    const text = this.text ?? '';
    this.text = null;
    this.due = false;
    clearTimeout(this.timer);
    return { type: this.kind, text: part?.type === this.kind ? text + part.text : text };
  }

  /** `read`, or DUE if the window closes first (or closed already); `read` stays pending for the next call. */
  until<T>(read: Promise<T>): Promise<T | typeof DUE> {
    if (this.due) return Promise.resolve(DUE);
    return new Promise<T | typeof DUE>((resolve, reject) => {
      this.wake = resolve;
      read.then(resolve, reject);
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.wake = null;
  }

  private readonly onDue = (): void => {
    this.due = true;
    this.wake?.(DUE);
  };
}
