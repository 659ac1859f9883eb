/**
 * An agent that fails still closes its text with a spoken apology ("Sorry, I couldn't get an
 * answer just now") and then reports an `error` event: right for a voice, wrong for a protocol
 * with its own error channel (Ollama, OpenAI), whose client would read the apology as the model's
 * answer. `FailureHold` holds back a turn's closing text chunk until the next event shows whether
 * the turn failed, and drops the text of a failed turn; the encoder then reports the error instead.
 */
import type { EventOf, TurnEvent } from '../../turn/index.js';

export class FailureHold {
  /** The turn's first error, once one came. */
  failure: EventOf<'error'> | undefined;
  private held: TurnEvent | null = null;

  /** The events to encode now, in order (the held chunk goes out ahead of the next event). */
  pass(event: TurnEvent): TurnEvent[] {
    if (event.type === 'error') {
      this.failure ??= event;
      this.held = null;
      return [event];
    }
    if (event.type === 'chunk' && this.failure) return [];
    const out: TurnEvent[] = [];
    if (this.held) out.push(this.held);
    this.held = null;
    if (event.type === 'chunk' && event.done && event.text) this.held = event;
    else out.push(event);
    return out;
  }
}
