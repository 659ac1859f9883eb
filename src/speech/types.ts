/** Speech boundaries: the chunker's face and the TTS engine interface. */

/** Turns text deltas into speakable, normalized segments as early as is safe. */
export interface Chunker {
  /** Feed a delta; returns the segments completed by it (possibly none). */
  push(delta: string): string[];
  /** End of text: returns whatever is left as final segments. */
  flush(): string[];
}

/** Signed 16-bit little-endian mono PCM. */
export interface PcmChunk {
  pcm: Buffer;
  sampleRate: number;
}

export interface SynthesizeOptions {
  signal?: AbortSignal;
  voice?: string;
}

export interface TtsEngine {
  readonly name: string;
  readonly voice: string;
  synthesize(text: string, options?: SynthesizeOptions): AsyncIterable<PcmChunk>;
  /**
   * The voice names this engine can speak with, so a request naming another one is refused before
   * its turn starts; null (or no method) when the engine cannot tell.
   */
  voices?(signal?: AbortSignal): Promise<readonly string[] | null>;
  close?(): Promise<void>;
}
