/**
 * Text deltas held back and passed on as one (`CallOptions.gather`). A model streams about a token
 * per event, and everything after the client — the agent, the turn runner, the store, each
 * transport — costs per part, not per character. Holding here, where the tokens are read, spares
 * them all: a held delta is never yielded, so it costs no promise through the stages after this one.
 *
 * Held text never waits longer than the window, and never behind anything: the next part that is
 * passed on, whatever it is, takes the held text with it (in front of it, or joined to it when it is
 * text too), and the window closing passes it on while the model is silent.
 */
import type { StreamPart, TextGathering } from './types.js';

/** What `until` gives when the held text's window closed before the read. */
export const DUE: unique symbol = Symbol('due');

export class HeldText {
  private text: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** Resolves the pending `until`, if any, with DUE. */
  private wake: ((due: typeof DUE) => void) | null = null;
  /** The window closed while no `until` was pending: pass the text on before reading again. */
  due = false;

  constructor(private readonly rule: TextGathering) {}

  get holding(): boolean {
    return this.text !== null;
  }

  /** Holds `part` when it is text the rule lets wait; false when it must be passed on now (after `release`). */
  hold(part: StreamPart): boolean {
    if (part.type !== 'text-delta' || part.text === '' || this.rule.urgent(part.text)) return false;
    if (this.text === null) {
      this.text = part.text;
      this.timer = setTimeout(this.onDue, this.rule.ms);
    } else this.text += part.text;
    return true;
  }

  /** The held text as a delta of its own, or joined to the front of `part` when that is text too. */
  release(part?: StreamPart): StreamPart {
    const text = this.text ?? '';
    this.text = null;
    this.due = false;
    clearTimeout(this.timer);
    return part?.type === 'text-delta' ? { type: 'text-delta', text: text + part.text } : { type: 'text-delta', text };
  }

  /** `read`, or DUE if the window closes first; `read` stays pending for the next call. */
  until<T>(read: Promise<T>): Promise<T | typeof DUE> {
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
