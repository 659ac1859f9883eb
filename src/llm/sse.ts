/**
 * Bytes in, SSE `data` payloads out: a streaming UTF-8 decoder (multi-byte characters may be split
 * across reads) in front of eventsource-parser (lines may be split anywhere). Comments are dropped
 * here: they are liveness, never content or progress.
 */
import { createParser } from 'eventsource-parser';

export interface SseDecoder {
  feed(bytes: Uint8Array): void;
  /** Flushes a trailing partial character; an unterminated last event is discarded, per the SSE spec. */
  end(): void;
}

export function createSseDecoder(onData: (data: string) => void, options: { maxEventChars: number; onTooLarge(): void }): SseDecoder {
  const decoder = new TextDecoder('utf-8');
  // After max-buffer-size-exceeded the parser is terminated (feeding it throws): stop feeding.
  let tooLarge = false;
  const parser = createParser({
    maxBufferSize: options.maxEventChars,
    onEvent: (event) => onData(event.data),
    onError(err) {
      if (err.type !== 'max-buffer-size-exceeded') return;
      tooLarge = true;
      options.onTooLarge();
    },
  });
  return {
    feed(bytes) {
      if (!tooLarge) parser.feed(decoder.decode(bytes, { stream: true }));
    },
    end() {
      if (!tooLarge) parser.feed(decoder.decode());
    },
  };
}
