/**
 * The `tts` program (docs/protocol.md, "Wyoming server"): text in, Barnabee's progressive speech
 * out. Streaming: `synthesize-start`, `synthesize-chunk`…, `synthesize-stop` feed the speech stage
 * (chunker → engine, segments synthesized ahead and sent in order) as the text arrives; each
 * segment leaves as `audio-start`, `audio-chunk`…, `audio-stop` as soon as it is ready, then
 * `synthesize-stopped`. The whole-text `synthesize` that Home Assistant also sends inside a stream
 * is ignored (it would speak everything twice); outside a stream it is answered as one audio
 * stream, `audio-start` … `audio-stop`, which is what a non-streaming client reads to.
 */
import type { AgentPart, SpeechStage } from '../../turn/index.js';
import { sendError, type Peer } from './peer.js';

export interface TtsOptions {
  speech: SpeechStage | null;
  /** Voice names a client may ask for; others get the engine's default. */
  voices: readonly string[];
  /** Most characters of text in one synthesis. */
  maxChars: number;
  /** True while the server drains for shutdown: no new synthesis starts. */
  draining(): boolean;
}

/** Text pushed by the client, read by the speech stage as `chunk` parts. */
function textFeed() {
  const queue: AgentPart[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    push(text: string, done = false) {
      if (ended) return;
      queue.push({ type: 'chunk', text, done });
      if (done) ended = true;
      poke();
    },
    end() {
      if (!ended) queue.push({ type: 'chunk', text: '', done: true });
      ended = true;
      poke();
    },
    async *parts(): AsyncGenerator<AgentPart> {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

type Feed = ReturnType<typeof textFeed>;

export function ttsProgram(peer: Peer, o: TtsOptions) {
  let stream: { feed: Feed; chars: number; controller: AbortController } | null = null;
  let queue: Promise<void> = Promise.resolve();
  const running = new Set<AbortController>();

  const voiceOf = (data: Record<string, unknown>): string | undefined => {
    const voice = data.voice as { name?: unknown } | undefined;
    const name = voice && typeof voice === 'object' ? voice.name : undefined;
    return typeof name === 'string' && o.voices.includes(name) && name !== 'default' ? name : undefined;
  };

  /** Speaks `feed` once the syntheses before it are done (answers never interleave). */
  const speak = (feed: Feed, voice: string | undefined, mode: 'stream' | 'once', controller: AbortController): Promise<void> => {
    running.add(controller);
    const job = queue.then(() => emit(feed, voice, mode, controller.signal)).finally(() => running.delete(controller));
    queue = job.catch(() => {});
    return job;
  };

  const emit = async (feed: Feed, voice: string | undefined, mode: 'stream' | 'once', signal: AbortSignal): Promise<void> => {
    const speech = o.speech!;
    let open = false; // an audio-start without its audio-stop
    let audio = false;
    let failure: string | undefined;
    try {
      for await (const part of speech(feed.parts(), { signal, voice })) {
        if (signal.aborted) return;
        if (part.type === 'audio') {
          const format = { rate: part.sample_rate, width: 2, channels: part.channels };
          if (!open && (mode === 'stream' || !audio)) peer.send('audio-start', format);
          open = audio = true;
          peer.send('audio-chunk', format, part.pcm);
        } else if (part.type === 'speech.end' && mode === 'stream' && open) {
          peer.send('audio-stop');
          open = false;
        } else if (part.type === 'error') {
          failure ??= part.message;
          peer.log.warn({ peer: peer.address, code: part.code, message: part.message }, 'wyoming: synthesis failed');
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      failure ??= err instanceof Error ? err.message : String(err);
      peer.log.warn({ err, peer: peer.address }, 'wyoming: synthesis failed');
    }
    if (signal.aborted) return;
    // Nothing could be said: tell the client why, then still end the way it waits for.
    if (!audio && failure) sendError(peer, 'tts_failed', `Speech synthesis failed: ${failure}`);
    if (open || mode === 'once') peer.send('audio-stop');
    if (mode === 'stream') peer.send('synthesize-stopped');
  };

  const refuse = (): boolean => {
    if (!o.speech) return sendError(peer, 'tts_unavailable', 'This server has no text-to-speech configured.'), true;
    if (o.draining()) return sendError(peer, 'shutting_down', 'The server is shutting down.'), true;
    return false;
  };

  const textOf = (data: Record<string, unknown>): string | null => {
    if (typeof data.text === 'string') return data.text;
    sendError(peer, 'invalid_request', 'text: expected a string.');
    return null;
  };

  const tooLong = (chars: number): boolean => {
    if (chars <= o.maxChars) return false;
    sendError(peer, 'input_too_long', `At most ${o.maxChars} characters may be synthesized at once.`);
    return true;
  };

  return {
    start(data: Record<string, unknown>): void {
      if (refuse()) return;
      if (stream) return sendError(peer, 'invalid_sequence', 'synthesize-start: a text stream is already open; send synthesize-stop first.');
      const controller = new AbortController();
      stream = { feed: textFeed(), chars: 0, controller };
      void speak(stream.feed, voiceOf(data), 'stream', controller);
    },
    chunk(data: Record<string, unknown>): void {
      if (!stream) return sendError(peer, 'invalid_sequence', 'synthesize-chunk: no text stream is open; send synthesize-start first.');
      const text = textOf(data);
      if (text === null) return;
      stream.chars += text.length;
      if (tooLong(stream.chars)) {
        stream.controller.abort();
        stream.feed.end();
        stream = null;
        return;
      }
      stream.feed.push(text);
    },
    stop(): void {
      if (!stream) return sendError(peer, 'invalid_sequence', 'synthesize-stop: no text stream is open.');
      stream.feed.end();
      stream = null;
    },
    synthesize(data: Record<string, unknown>): void {
      // Inside a stream this is the compatibility copy of text already streamed.
      if (stream) return;
      if (refuse()) return;
      const text = textOf(data);
      if (text === null || tooLong(text.length)) return;
      const feed = textFeed();
      feed.push(text, true);
      void speak(feed, voiceOf(data), 'once', new AbortController());
    },
    /** Stops every synthesis of this connection (it closed, or the server shuts down). */
    cancel(): void {
      stream?.feed.end();
      stream = null;
      for (const c of running) c.abort();
    },
    /** Resolves when no synthesis runs. */
    idle: (): Promise<void> => queue,
    get busy(): boolean {
      return running.size > 0;
    },
  };
}
