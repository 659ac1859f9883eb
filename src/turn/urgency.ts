/**
 * Which of a turn's text must leave at once (docs/protocol.md, "When events leave"): the first text,
 * and the end of the first sentence together with the text after it — a client speaking the answer
 * itself splits it into sentences and knows one ended only from what follows. Later sentences are
 * not hurried: while the first is being spoken, a few tens of milliseconds on the next cannot be
 * heard. The text that may wait is gathered into fewer events where it is made (AgentContext.gather,
 * RunTurnDeps.gatherMs).
 */
import { mayEndSentence } from '../speech/segment-rules.js';

export class TextUrgency {
  private sentText = false;
  private sentenceOpen = false;
  private firstSentenceSent = false;

  /** Whether this text, the next of the answer, must leave at once. Ask once per piece of text, in order. */
  see(text: string): boolean {
    if (!text) return false;
    const first = !this.sentText;
    const confirms = this.sentenceOpen;
    this.sentText = true;
    this.sentenceOpen = !this.firstSentenceSent && mayEndSentence(text);
    if (confirms) this.firstSentenceSent = true;
    return first || confirms || this.sentenceOpen;
  }
}
