/**
 * The local bound on one answer, so an upstream that ignores `max_tokens` cannot grow memory:
 * `maxTokens` (the same number the request sends) and `maxChars` (text, reasoning and tool-call
 * arguments together).
 *
 * Tokens are counted as content-bearing stream events, or the upstream's reported
 * `completion_tokens` when a chunk carries a larger running count. A well-behaved server sends at
 * least one token per event, so this never undercuts it; the answer is cut only once the count
 * goes past `maxTokens`, i.e. when the upstream has shown it ignores the limit.
 */
import type { StreamPart } from './types.js';

export type AnswerCut = 'max_tokens' | 'max_answer_chars';

export class AnswerBudget {
  private chars = 0;
  /** Set once the answer reached a bound: nothing more is taken. */
  cut: AnswerCut | null = null;

  constructor(
    private readonly maxTokens: number,
    private readonly maxChars: number,
  ) {}

  /**
   * Checks the parts one content event appended to `out` (from index `from`) against the bound;
   * past it, trims them in place (the text part that crosses it keeps what fits) and sets `cut`.
   */
  take(out: StreamPart[], from: number, tokens: number): void {
    if (this.cut) {
      out.length = from;
      return;
    }
    if (tokens > this.maxTokens) {
      out.length = from;
      this.cut = 'max_tokens';
      return;
    }
    for (let i = from; i < out.length; i++) {
      const part = out[i]!;
      const text = part.type === 'text-delta' || part.type === 'reasoning-delta' ? part.text : part.type === 'tool-call-delta' ? part.arguments : '';
      const left = this.maxChars - this.chars;
      if (text.length <= left) {
        this.chars += text.length;
        continue;
      }
      const kept = clip(text, left);
      this.chars += kept.length;
      if (kept) {
        if (part.type === 'tool-call-delta') out[i++] = { ...part, arguments: kept };
        else if (part.type === 'text-delta' || part.type === 'reasoning-delta') out[i++] = { type: part.type, text: kept };
      }
      out.length = i;
      this.cut = 'max_answer_chars';
      return;
    }
  }
}

/** The first `n` UTF-16 units of `text`, never ending inside a surrogate pair. */
function clip(text: string, n: number): string {
  if (n <= 0) return '';
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}
