/**
 * What the turn store costs per turn: the process's CPU (every thread — the main one, the store's
 * writer worker, SQLite's own syscalls) while streamed turns are recorded at a steady rate through
 * `openStore(path, { writerAfter: 0 })` + `record()`, and how long each `turn.end` waits for its
 * commit (the runner holds it until then).
 *
 *   npx tsx bench/store.ts                # 6 blocks per measurement, ~70 s
 *   npx tsx bench/store.ts --full         # 12 blocks
 *   npx tsx bench/store.ts --against DIR  # also DIR/src's store, block for block (an A/B)
 *   npx tsx bench/store.ts --rate 130     # one rate only
 *   npx tsx bench/store.ts --blocks 8     # that many blocks
 *
 * Each measurement is a child process of its own, all of a rate started together; they take
 * blocks of turns (~1 s at 130/s, 1.5 s at 10/s) one child at a time, in an order that rotates
 * from block to block, and a row's figure is the median over its blocks:
 * - baseline: the same pacing loop and the same prepared events, recorded nowhere. Its CPU (the
 *   harness's timers) is subtracted from every other row of its rate, block by block.
 * - floor: the least a durable write of the same turn costs: its row (packed beforehand, outside the
 *   measurement) INSERTed into a table with no index on the main thread, one transaction per turn,
 *   WAL with synchronous=NORMAL as the store.
 * - store: every event of a turn through `record()` (turn.start, route, 60 chunks, the last chunk,
 *   usage, turn.end with metrics), a new conversation per turn — what most bench/server turns are.
 * - store, writes kept on the main thread (`writerAfter: Infinity`): what the worker costs and
 *   saves, with how long each turn's recording then holds the event loop (SQLite's checkpoints
 *   included).
 * - store, 5 turns per conversation: 20 conversations in flight, each turn after a conversation's
 *   first reads its history first, as the assistant does.
 * Turns end at random (exponential) intervals around the rate, the same seeded sequence for every
 * child. Writes bench/results/store.json.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { TurnEvent } from '../src/turn/index.js';
import { median, pct, r1, r2 } from './server/stats.js';

const FULL = process.argv.includes('--full');
const blocksArg = process.argv.indexOf('--blocks');
/** Blocks of turns per measurement, taken in turn with the other measurements of the same rate. */
const BLOCKS = blocksArg > 0 ? Number(process.argv[blocksArg + 1]) : FULL ? 12 : 6;
const HERE = dirname(fileURLToPath(import.meta.url));
const OWN_SRC = resolve(HERE, '../src');
const CHUNKS = 60;
const HISTORY_TURNS = 8;
const CONVERSATIONS_IN_FLIGHT = 20;

type Variant = 'baseline' | 'floor' | 'store' | 'store-main';

interface Job {
  variant: Variant;
  /** Turns per conversation. */
  perConversation: 1 | 5;
  rate: number;
  warm: number;
  /** Turns per measured block. */
  block: number;
  blocks: number;
  /** The checkout's src the store is imported from. */
  src: string;
}

interface Measured {
  cpu_us: number;
  sys_us: number;
  wall_s: number;
  waits_ms: number[];
  blocked_ms: number[];
  wal_frames: number;
  commits: number;
  /** CPU by thread (Linux only, 10 ms ticks): the main thread, the threads the recorder started (the writer), the rest (V8's GC helpers). */
  threads: { main_us: number; writer_us: number; other_us: number } | null;
}

// ---------------------------------------------------------------------------------------------
// The child: one job, its result as one JSON line on stdout.

const WORDS = 'The quick brown fox jumps over the lazy dog while the kitchen lights stay on and the music plays softly tonight'.split(' ');

function turnEvents(conversationId: string, n: number): TurnEvent[] {
  const turnId = randomUUID();
  let seq = 0;
  let t = 0;
  const ev = (part: object): TurnEvent => ({ ...part, turn_id: turnId, seq: seq++, t_ms: r2((t += 7.3)) }) as TurnEvent;
  const out = [
    ev({ type: 'turn.start', conversation_id: conversationId, input: `tell me a story about a fox, part ${n}`, speak: false }),
    ev({ type: 'route', agent: 'interaction', intent: 'chat', confidence: 0.9, route_ms: 0.05 }),
  ];
  let text = '';
  for (let i = 0; i < CHUNKS; i++) {
    const word = (i ? ' ' : '') + WORDS[i % WORDS.length]!;
    text += word;
    out.push(ev({ type: 'chunk', text: word, done: false }));
  }
  out.push(ev({ type: 'chunk', text: '', done: true }));
  out.push(ev({ type: 'usage', model: 'default', prompt_tokens: 420, completion_tokens: CHUNKS, cost_usd: null }));
  const metrics = { route_ms: 0.05, first_chunk_ms: 22.1, first_audio_ms: null, total_ms: r2(t), ttft_ms: 20.3, tokens_per_s: 99.1 };
  out.push(ev({ type: 'turn.end', status: 'completed', text, spoken_text: text, expects_reply: false, metrics }));
  return out;
}

/** Turn i's conversation: its own, or one of 20 in flight that each last 5 turns. */
function conversationOf(i: number, perConversation: number, runId: string): { id: string; nth: number } {
  if (perConversation === 1) return { id: `${runId}-${i}`, nth: 0 };
  const slot = i % CONVERSATIONS_IN_FLIGHT;
  const round = Math.floor(i / CONVERSATIONS_IN_FLIGHT);
  return { id: `${runId}-${slot}-${Math.floor(round / perConversation)}`, nth: round % perConversation };
}

/** Seeded exponential gaps: turns of many independent streams end at random, not on a grid. */
function schedule(count: number, rate: number): number[] {
  let s = 0x9e3779b9;
  const random = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const at: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) at.push((t += (-Math.log(random()) * 1000) / rate));
  return at;
}

/**
 * The WAL's frame count and commit counter, read from the wal-index (the -shm file: SQLite's
 * WalIndexHdr, native byte order): `iChange` at byte 8 counts write transactions, `mxFrame` at 16
 * is the last frame in the log, reset to 0 when a checkpointed log restarts.
 */
class WalCounter {
  private readonly fd: number;
  private readonly header = Buffer.alloc(24);
  private lastFrame = 0;
  private firstChange: number;
  frames = 0;

  constructor(dbPath: string) {
    this.fd = openSync(`${dbPath}-shm`, 'r');
    this.firstChange = this.read().change;
    this.lastFrame = this.read().frame;
  }

  sample(): void {
    const { frame } = this.read();
    this.frames += frame >= this.lastFrame ? frame - this.lastFrame : frame;
    this.lastFrame = frame;
  }

  commits(): number {
    return (this.read().change - this.firstChange) >>> 0;
  }

  close(): void {
    closeSync(this.fd);
  }

  private read(): { change: number; frame: number } {
    readSync(this.fd, this.header, 0, 24, 0);
    return { change: this.header.readUInt32LE(8), frame: this.header.readUInt32LE(16) };
  }
}

/** Each thread's CPU so far, µs, from /proc (null elsewhere). */
function threadCpu(): Map<string, number> | null {
  if (!existsSync('/proc/self/task')) return null;
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10_000);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

function threadSplit(before: Map<string, number> | null, after: Map<string, number> | null, started: Set<string>): Measured['threads'] {
  if (!before || !after) return null;
  const split = { main_us: 0, writer_us: 0, other_us: 0 };
  for (const [tid, us] of after) {
    const spent = us - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) split.main_us += spent;
    else if (started.has(tid)) split.writer_us += spent;
    else split.other_us += spent;
  }
  return split;
}

interface Recorder {
  /** Records turn i; resolves (if at all) once it is committed. */
  turn(events: TurnEvent[], conversation: { id: string; nth: number }): Promise<unknown> | undefined;
  wal?: WalCounter;
  /** How long each turn's recording held the event loop, ms. */
  blocked?: number[];
  close(): void;
}

async function recorderFor(job: Job, dbPath: string, turns: TurnEvent[][]): Promise<Recorder> {
  if (job.variant === 'baseline') return { turn: () => undefined, close: () => {} };
  if (job.variant === 'floor') return floorRecorder(dbPath, turns);
  const { openStore } = (await import(pathToFileURL(join(job.src, 'turn/store.ts')).href)) as typeof import('../src/turn/store.js');
  // store-main: the writes never leave the event loop (the worker is never started).
  const store = openStore(dbPath, { writerAfter: job.variant === 'store' ? 0 : Infinity });
  const meta = { transport: 'sse' };
  const blocked: number[] = [];
  return {
    turn(events, conversation) {
      const write = () => {
        const start = performance.now();
        let done: Promise<boolean> | undefined;
        for (const e of events) done = store.record(e, meta) ?? done;
        blocked.push(performance.now() - start);
        return done;
      };
      if (conversation.nth === 0) return write();
      return store.history(conversation.id, HISTORY_TURNS).then(write);
    },
    wal: new WalCounter(dbPath),
    blocked,
    close: () => store.close(),
  };
}

async function floorRecorder(dbPath: string, turns: TurnEvent[][]): Promise<Recorder> {
  const { TraceBuilder, packTrace } = await import('../src/turn/trace.js');
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE turns (id INTEGER PRIMARY KEY, turn_id TEXT, conversation_id TEXT, created_at TEXT, ended_at TEXT, input TEXT,
    agent TEXT, intent TEXT, confidence REAL, model TEXT, status TEXT, text TEXT, spoken_text TEXT, usage TEXT, metrics TEXT, events TEXT, transport TEXT)`);
  const insert = db.prepare(`INSERT INTO turns VALUES (NULL, @turn_id, @conversation_id, @created_at, @ended_at, @input, @agent, @intent,
    @confidence, @model, @status, @text, @spoken_text, @usage, @metrics, @events, @transport)`);
  const rows = new Map<TurnEvent[], Record<string, unknown>>();
  const blocked: number[] = [];
  for (const events of turns) {
    const builder = new TraceBuilder(events[0]!.turn_id, { transport: 'sse' });
    for (const e of events) builder.add(e);
    const trace = builder.finish();
    rows.set(events, {
      ...trace,
      ...packTrace(trace),
      ended_at: trace.created_at,
      usage: JSON.stringify(trace.usage),
      metrics: JSON.stringify(trace.metrics),
    });
  }
  return {
    turn(events) {
      const start = performance.now();
      insert.run(rows.get(events));
      blocked.push(performance.now() - start);
      return Promise.resolve();
    },
    blocked,
    wal: new WalCounter(dbPath),
    close: () => db.close(),
  };
}

/**
 * The child: prepares its recorder and turns, then runs one block of turns per `block` line on
 * stdin (the first one a warm-up) and answers each with its measurement, until `stop`.
 */
async function child(job: Job): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'barnabee-bench-store-'));
  const runId = randomUUID().slice(0, 8);
  const count = job.warm + job.block * job.blocks;
  const conversations = Array.from({ length: count }, (_, i) => conversationOf(i, job.perConversation, runId));
  const turns = conversations.map((c, i) => turnEvents(c.id, i));
  const threadsBefore = new Set(threadCpu()?.keys());
  const recorder = await recorderFor(job, join(dir, 'b.db'), turns);
  const started = new Set([...(threadCpu()?.keys() ?? [])].filter((tid) => !threadsBefore.has(tid)));
  const at = schedule(count, job.rate);
  const pace = async (from: number, to: number): Promise<Measured> => {
    const waits: number[] = [];
    if (recorder.blocked) recorder.blocked.length = 0;
    const wal = recorder.wal;
    if (wal) wal.frames = 0;
    const commitsBefore = wal?.commits() ?? 0;
    const threads0 = threadCpu();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const pending: Array<Promise<unknown>> = [];
    const t0 = performance.now() - at[from]!;
    for (let i = from; i < to; i++) {
      const wait = t0 + at[i]! - performance.now();
      if (wait >= 1) await sleep(wait);
      const start = performance.now();
      const done = recorder.turn(turns[i]!, conversations[i]!);
      if (done)
        pending.push(
          done.then(() => {
            waits.push(performance.now() - start);
            wal?.sample();
          }),
        );
    }
    await Promise.all(pending);
    const cpu = process.cpuUsage(cpu0);
    return {
      cpu_us: cpu.user + cpu.system,
      sys_us: cpu.system,
      wall_s: (performance.now() - wall0) / 1000,
      waits_ms: waits,
      blocked_ms: [...(recorder.blocked ?? [])],
      wal_frames: wal?.frames ?? 0,
      commits: (wal?.commits() ?? 0) - commitsBefore,
      threads: threadSplit(threads0, threadCpu(), started),
    };
  };
  let next = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== 'block') break;
    const size = next === 0 ? job.warm : job.block;
    process.stdout.write(`${JSON.stringify(await pace(next, next + size))}\n`);
    next += size;
  }
  recorder.wal?.close();
  recorder.close();
  rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// The parent: every job's child started, then their blocks in turn, and the report.

interface Child {
  job: Job;
  block(): Promise<Measured>;
  stop(): Promise<void>;
}

function startChild(job: Job): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((done) => proc.on('exit', done));
  return {
    job,
    async block() {
      proc.stdin.write('block\n');
      const line = await lines.next();
      if (line.done) throw new Error(`the ${job.variant} child exited with ${await exited}`);
      return JSON.parse(line.value) as Measured;
    },
    async stop() {
      proc.stdin.end('stop\n');
      await exited;
    },
  };
}

interface Row {
  label: string;
  src: string;
  variant: Variant;
  per_conversation: number;
  rate: number;
  turns: number;
  /** Process CPU per turn, less the baseline's in the same block, median of the blocks. */
  cpu_us_per_turn: number | null;
  cpu_blocks: number[];
  kernel_share: number | null;
  vs_floor: number | null;
  wait_p50_ms: number | null;
  wait_p99_ms: number | null;
  /** How long recording a turn held the event loop. */
  blocked_p50_ms: number | null;
  blocked_p99_ms: number | null;
  wal_frames_per_turn: number | null;
  turns_per_commit: number | null;
  /** Per turn, by thread, over all blocks (main and other less the baseline's). */
  threads_us_per_turn: { main: number; writer: number; other: number } | null;
}

function jobsFor(rates: number[], srcs: string[]): Job[] {
  const jobs: Job[] = [];
  for (const rate of rates) {
    // Blocks of ~1 s at 130/s, 1.5 s at 10/s.
    const block = Math.max(15, rate);
    const warm = Math.max(10, rate);
    const job = (variant: Variant, perConversation: 1 | 5, src = OWN_SRC): Job => ({ variant, perConversation, rate, warm, block, blocks: BLOCKS, src });
    jobs.push(job('baseline', 1));
    // An A/B compares two stores: the floor would only lengthen the run.
    if (srcs.length === 1) jobs.push(job('floor', 1), job('store-main', 1));
    for (const src of srcs) {
      jobs.push(job('store', 1, src));
      if (rate >= 50) jobs.push(job('store', 5, src));
    }
  }
  return jobs;
}

function threadsPerTurn(ms: Measured[], base: Measured[], turns: number): Row['threads_us_per_turn'] {
  const sum = (list: Measured[], key: 'main_us' | 'writer_us' | 'other_us') => list.reduce((a, m) => a + (m.threads?.[key] ?? NaN), 0);
  const per = (x: number) => (Number.isFinite(x) ? Math.round(x / turns) : NaN);
  const split = {
    main: per(sum(ms, 'main_us') - sum(base, 'main_us')),
    writer: per(sum(ms, 'writer_us')),
    other: per(sum(ms, 'other_us') - sum(base, 'other_us')),
  };
  return Number.isNaN(split.main) ? null : split;
}

function labelOf(job: Job, srcs: string[]): string {
  if (job.variant === 'baseline') return 'baseline (pacing only)';
  if (job.variant === 'floor') return 'floor (one INSERT, main thread)';
  if (job.variant === 'store-main') return 'store, writes kept on the main thread';
  const which = srcs.length > 1 ? (job.src === OWN_SRC ? ' [this]' : ' [against]') : '';
  return `store, ${job.perConversation === 1 ? 'new conversation per turn' : '5 turns per conversation'}${which}`;
}

async function main(): Promise<void> {
  const rateArg = process.argv.indexOf('--rate');
  const rates = rateArg > 0 ? [Number(process.argv[rateArg + 1])] : [130, 10];
  const againstArg = process.argv.indexOf('--against');
  const srcs = againstArg > 0 ? [OWN_SRC, resolve(process.argv[againstArg + 1]!, 'src')] : [OWN_SRC];
  const jobs = jobsFor(rates, srcs);
  const results = new Map<Job, Measured[]>(jobs.map((j) => [j, []]));
  for (const rate of rates) {
    // Every measurement of a rate has its child running; one runs a block at a time, in an order
    // that rotates from block to block, so a noisy spell on the machine hits them all.
    const children = jobs.filter((j) => j.rate === rate).map(startChild);
    for (const c of children) await c.block();
    for (let b = 0; b < BLOCKS; b++) {
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + b) % children.length]!;
        results.get(c.job)!.push(await c.block());
      }
      console.error(`${rate}/s: block ${b + 1} of ${BLOCKS}`);
    }
    await Promise.all(children.map((c) => c.stop()));
  }

  const rows: Row[] = jobs.map((job) => {
    const ms = results.get(job)!;
    const base = results.get(jobs.find((j) => j.variant === 'baseline' && j.rate === job.rate)!)!;
    const net = ms.map((m, b) => (job.variant === 'baseline' ? m.cpu_us : m.cpu_us - base[b]!.cpu_us) / job.block);
    const turns = job.block * ms.length;
    const waits = ms.flatMap((m) => m.waits_ms);
    const blocked = ms.flatMap((m) => m.blocked_ms);
    const frames = ms.reduce((a, m) => a + m.wal_frames, 0);
    const commits = ms.reduce((a, m) => a + m.commits, 0);
    return {
      label: labelOf(job, srcs),
      src: job.src,
      variant: job.variant,
      per_conversation: job.perConversation,
      rate: job.rate,
      turns,
      cpu_us_per_turn: median(net.map(r1)),
      cpu_blocks: net.map(r1),
      kernel_share: r2(ms.reduce((a, m) => a + m.sys_us, 0) / ms.reduce((a, m) => a + m.cpu_us, 0)),
      vs_floor: null,
      wait_p50_ms: waits.length ? r2(pct(waits, 50)) : null,
      wait_p99_ms: waits.length ? r2(pct(waits, 99)) : null,
      blocked_p50_ms: blocked.length ? r2(pct(blocked, 50)) : null,
      blocked_p99_ms: blocked.length ? r2(pct(blocked, 99)) : null,
      wal_frames_per_turn: job.variant === 'baseline' ? null : r1(frames / turns),
      turns_per_commit: commits ? r2(turns / commits) : null,
      threads_us_per_turn: job.variant === 'baseline' ? null : threadsPerTurn(ms, base, turns),
    };
  });
  for (const row of rows) {
    const floor = rows.find((r) => r.variant === 'floor' && r.rate === row.rate);
    if (row.variant !== 'baseline' && floor?.cpu_us_per_turn && row.cpu_us_per_turn !== null) row.vs_floor = r2(row.cpu_us_per_turn / floor.cpu_us_per_turn);
  }
  printTable(rows);
  const out = join(HERE, 'results', 'store.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, full: FULL, blocks: BLOCKS, rows }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

function printTable(rows: Row[]): void {
  const header = ['rate/s', 'what', 'turns', 'CPU µs/turn', 'kernel', '÷ floor', 'turn.end wait p50 / p99 ms', 'loop held p50 / p99 ms', 'WAL frames/turn', 'turns/commit', 'main / writer / other µs'];
  const show = (x: number | null, unit = '') => (x === null ? '—' : `${x}${unit}`);
  const lines = rows.map((r) => [
    String(r.rate),
    r.label,
    String(r.turns),
    r.variant === 'baseline' ? `${show(r.cpu_us_per_turn)} (subtracted)` : show(r.cpu_us_per_turn),
    r.kernel_share === null ? '—' : `${Math.round(r.kernel_share * 100)} %`,
    r.vs_floor === null ? '—' : `${r.vs_floor}×`,
    r.wait_p50_ms === null ? '—' : `${r.wait_p50_ms} / ${r.wait_p99_ms}`,
    r.blocked_p50_ms === null ? '—' : `${r.blocked_p50_ms} / ${r.blocked_p99_ms}`,
    show(r.wal_frames_per_turn),
    show(r.turns_per_commit),
    r.threads_us_per_turn ? `${r.threads_us_per_turn.main} / ${r.threads_us_per_turn.writer} / ${r.threads_us_per_turn.other}` : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

const childArg = process.argv.indexOf('--child');
if (childArg > 0) await child(JSON.parse(process.argv[childArg + 1]!) as Job);
else await main();
