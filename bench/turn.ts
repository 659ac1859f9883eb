/**
 * What the turn machinery costs: the same agents iterated bare (the baseline) against the turn
 * runner (stamping, metrics, abort racing) and against the whole assistant (runner + a real SQLite
 * store recording every turn + the event bus with a subscriber), measured in the same run.
 *
 *   npx tsx bench/turn.ts           # ~15 s
 *   npx tsx bench/turn.ts --full    # 10x the rounds
 *
 * Also how long `turn.end` waits for the store to commit the turn (it leaves only once the turn is
 * on disk), as a share of the whole turn.
 *
 * Two workloads: an instant answer (real router + real instant agent, one chunk) and a long
 * streamed answer (an agent yielding 400 chunks as fast as they are pulled, so only the
 * per-event overhead shows). Prints a table and writes bench/results/turn.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createInstantAgent, createRouter } from '../src/agents/index.js';
import { createAssistant } from '../src/assistant.js';
import { createEventBus, openStore, runTurn, type Agent, type AgentKind, type AgentPart, type TurnRequest } from '../src/turn/index.js';

const FULL = process.argv.includes('--full');
const ROUNDS = { instant: FULL ? 50_000 : 5_000, stream: FULL ? 2_000 : 200 };
const STREAM_CHUNKS = 400;

const router = createRouter();
const instant = createInstantAgent({ timeZone: 'UTC' });
const streamer: Agent = {
  kind: 'interaction',
  async *run(): AsyncGenerator<AgentPart> {
    for (let i = 0; i < STREAM_CHUNKS; i++) yield { type: 'chunk', text: 'word ', done: false };
    yield { type: 'chunk', text: '', done: true };
    yield { type: 'usage', model: 'bench', prompt_tokens: 20, completion_tokens: STREAM_CHUNKS, cost_usd: 0 };
  },
};
const agentsFor = (main: Agent): Record<AgentKind, Agent> => ({ instant, action: main, interaction: main, [main.kind]: main });

type Runner = (request: TurnRequest) => Promise<number>;

/** The baseline: route, then drain the agent; nothing stamped, recorded or published. */
function bare(agents: Record<AgentKind, Agent>): Runner {
  return async (request) => {
    const route = router.classify(request.text);
    let n = 0;
    const ctx = { request, conversationId: 'c', route, history: [], signal: new AbortController().signal, now: new Date() };
    for await (const _ of agents[route.agent].run(ctx)) n++;
    return n;
  };
}

function runner(agents: Record<AgentKind, Agent>): Runner {
  return async (request) => {
    let n = 0;
    for await (const _ of runTurn(request, new AbortController().signal, { router, agents, history: () => [] })) n++;
    return n;
  };
}

/**
 * The whole assistant. `commitWaits` collects, per turn, how long `turn.end` waited for the store's
 * commit (from the runner making it to the consumer getting it): the price of durability.
 */
function assistant(agents: Record<AgentKind, Agent>, dbPath: string): { run: Runner; close(): void; commitWaits: number[] } {
  const store = openStore(dbPath);
  const commitWaits: number[] = [];
  let endMadeAt = 0;
  const record = store.record.bind(store);
  store.record = (event, meta) => {
    if (event.type === 'turn.end') endMadeAt = performance.now();
    return record(event, meta);
  };
  const bus = createEventBus();
  let published = 0;
  bus.subscribe(() => void published++);
  const a = createAssistant({ router, agents, store, bus, historyTurns: 8 });
  return {
    run: async (request) => {
      let n = 0;
      for await (const e of a.run(request, new AbortController().signal)) {
        n++;
        if (e.type === 'turn.end') commitWaits.push((performance.now() - endMadeAt) * 1000);
      }
      return n;
    },
    close: () => store.close(),
    commitWaits,
  };
}

interface Row {
  workload: string;
  variant: string;
  rounds: number;
  events_per_turn: number;
  p50_us: number;
  p99_us: number;
  mean_us: number;
  overhead_vs_bare_us: number | null;
}

async function measure(workload: string, variant: string, rounds: number, run: Runner, texts: string[]): Promise<Row> {
  for (let i = 0; i < Math.min(200, rounds); i++) await run({ text: texts[i % texts.length]!, conversation_id: `warm-${i % 20}` });
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    events = await run({ text: texts[i % texts.length]!, conversation_id: `c-${i % 50}` });
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return {
    workload,
    variant,
    rounds,
    events_per_turn: events,
    p50_us: round(q(0.5)),
    p99_us: round(q(0.99)),
    mean_us: round(times.reduce((a, b) => a + b, 0) / times.length),
    overhead_vs_bare_us: null,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

interface CommitWait {
  workload: string;
  p50_us: number;
  p99_us: number;
  share_of_turn_p50: number;
}

function commitWait(workload: string, waits: number[], turn: Row): CommitWait {
  const sorted = [...waits].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { workload, p50_us: round(q(0.5)), p99_us: round(q(0.99)), share_of_turn_p50: Math.round((q(0.5) / turn.p50_us) * 1000) / 1000 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'barnabee-bench-turn-'));
  const rows: Row[] = [];
  const waits: CommitWait[] = [];
  try {
    const instantTexts = ["what's twelve times seven", 'what time is it', 'flip a coin', 'thank you', 'what day is it'];
    const instantAgents = agentsFor(instant);
    const a1 = assistant(instantAgents, join(dir, 'instant.db'));
    rows.push(await measure('instant answer', 'bare agent (baseline)', ROUNDS.instant, bare(instantAgents), instantTexts));
    rows.push(await measure('instant answer', 'runTurn', ROUNDS.instant, runner(instantAgents), instantTexts));
    rows.push(await measure('instant answer', 'assistant + store + bus', ROUNDS.instant, a1.run, instantTexts));
    waits.push(commitWait('instant answer', a1.commitWaits.slice(-ROUNDS.instant), rows.at(-1)!));
    a1.close();

    const streamAgents = agentsFor(streamer);
    const chatTexts = ['tell me a long story about the sea'];
    const a2 = assistant(streamAgents, join(dir, 'stream.db'));
    rows.push(await measure(`${STREAM_CHUNKS}-chunk stream`, 'bare agent (baseline)', ROUNDS.stream, bare(streamAgents), chatTexts));
    rows.push(await measure(`${STREAM_CHUNKS}-chunk stream`, 'runTurn', ROUNDS.stream, runner(streamAgents), chatTexts));
    rows.push(await measure(`${STREAM_CHUNKS}-chunk stream`, 'assistant + store + bus', ROUNDS.stream, a2.run, chatTexts));
    waits.push(commitWait(`${STREAM_CHUNKS}-chunk stream`, a2.commitWaits.slice(-ROUNDS.stream), rows.at(-1)!));
    a2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  for (const row of rows) {
    const base = rows.find((r) => r.workload === row.workload && r.variant.startsWith('bare'))!;
    row.overhead_vs_bare_us = row === base ? null : round(row.p50_us - base.p50_us);
  }
  const header = ['workload', 'variant', 'rounds', 'events', 'p50 µs', 'p99 µs', 'mean µs', 'p50 overhead µs'];
  const lines = rows.map((r) => [
    r.workload,
    r.variant,
    String(r.rounds),
    String(r.events_per_turn),
    String(r.p50_us),
    String(r.p99_us),
    String(r.mean_us),
    r.overhead_vs_bare_us === null ? '—' : String(r.overhead_vs_bare_us),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));

  console.log("\nturn.end's wait for the store's commit (worker thread), within the assistant's turn:");
  for (const w of waits) {
    console.log(`  ${w.workload}: p50 ${w.p50_us} µs, p99 ${w.p99_us} µs — ${(w.share_of_turn_p50 * 100).toFixed(1)}% of the turn's p50`);
  }

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'turn.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, full: FULL, rows, commit_wait: waits }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

await main();
