/**
 * The garbage collector's share of a turn (`npx tsx bench/server/gc.ts [--rounds N]`): the floor,
 * Barnabee SSE and Barnabee WebSocket at 100 steady streams, each alone in rotating rounds, with V8's
 * own GC trace (`--trace-gc-nvp`) on both servers. Per turn: bytes allocated and promoted to the old
 * generation, the scavenges' pauses and their helper threads, the major GCs' pauses and their
 * background marking. Bytes allocated and promoted per turn hold to a few percent from run to run,
 * where whole-process CPU moves ±15 %; the milliseconds follow the machine's load (helper threads
 * most), and major GCs are lumpy: compare their count and marking over all the rounds, and runs
 * back to back. Prints a table and writes bench/results/gc.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pace, startChild, type Child } from './children.js';
import { directStream, dispatcher, openWs, turnStream, wsTurn } from './client.js';
import { steadyLoad } from './load.js';
import { ANSWER, STEADY_SIM, barnabeeEnv } from './setup.js';
import { median, r2, ratio } from './stats.js';

const PATHS = ['floor', 'sse', 'ws'] as const;
type Path = (typeof PATHS)[number];
const i = process.argv.indexOf('--rounds');
const ROUNDS = i > 0 ? Number(process.argv[i + 1]) : 3;
const STREAMS = 100;
const WINDOW = { warmupMs: 1500, measureMs: 6000 };

/** What V8 reported for one collection (the `name=value` pairs of an nvp line, in ms and bytes). */
type GcLine = Record<string, string>;

interface Tally {
  turns: number;
  allocated: number;
  promoted: number;
  scavenges: number;
  scavengePause: number;
  scavengeHelpers: number;
  majors: number;
  majorPause: number;
  majorBackground: number;
}

const empty = (): Tally => ({ turns: 0, allocated: 0, promoted: 0, scavenges: 0, scavengePause: 0, scavengeHelpers: 0, majors: 0, majorPause: 0, majorBackground: 0 });
const num = (line: GcLine, key: string) => Number(line[key] ?? 0) || 0;

function count(t: Tally, line: GcLine): void {
  t.allocated += num(line, 'allocated');
  if (line.gc === 's') {
    t.scavenges++;
    t.promoted += num(line, 'promoted');
    t.scavengePause += num(line, 'pause');
    t.scavengeHelpers += num(line, 'background.scavenge.parallel');
  } else if (line.gc === 'mc') {
    t.majors++;
    t.majorPause += num(line, 'pause');
    for (const k of ['background.mark', 'background.sweep', 'background.evacuate.copy', 'background.evacuate.update_pointers']) t.majorBackground += num(line, k);
  }
}

/** Per turn, from one path's tally: KB, ms, and collections per 100 turns. */
function perTurn(t: Tally) {
  const n = Math.max(1, t.turns);
  const gcMs = (t.scavengePause + t.scavengeHelpers + t.majorPause + t.majorBackground) / n;
  return {
    turns: t.turns,
    allocated_kb: r2(t.allocated / 1024 / n),
    promoted_kb: r2(t.promoted / 1024 / n),
    scavenges_per_100: r2((100 * t.scavenges) / n),
    scavenge_pause_ms: r2(t.scavengePause / n),
    scavenge_helpers_ms: r2(t.scavengeHelpers / n),
    majors: t.majors,
    major_pause_ms: r2(t.majorPause / n),
    major_background_ms: r2(t.majorBackground / n),
    gc_ms: r2(gcMs),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'barnabee-bench-gc-'));
const children: Child[] = [];
/** The path under load now: only its server's collections count, and only while it runs. */
let current: { path: Path; tally: Tally } | null = null;
const listen = (role: 'barnabee' | 'floor') => (text: string) => {
  if (!current || (current.path === 'floor') !== (role === 'floor')) return;
  count(current.tally, Object.fromEntries([...text.matchAll(/([\w.]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
};
try {
  const sim = await startChild('sim', {});
  children.push(sim);
  const trace = ['--trace-gc-nvp'];
  const barnabee = await startChild('barnabee', barnabeeEnv(sim.url, join(dir, 'gc.db')), trace, { onGcTrace: listen('barnabee') });
  const floor = await startChild('floor', { LLM_BASE_URL: sim.url }, trace, { onGcTrace: listen('floor') });
  children.push(barnabee, floor);
  await pace(sim, STEADY_SIM);
  const t0 = performance.now();
  await directStream(sim.url);
  const turnMs = performance.now() - t0;
  const sockets = await Promise.all(Array.from({ length: STREAMS }, () => openWs(barnabee.url)));
  const turn: Record<Path, (client: number) => ReturnType<typeof turnStream>> = {
    floor: () => turnStream(floor.url),
    sse: () => turnStream(barnabee.url),
    ws: (client) => wsTurn(sockets[client]!),
  };
  for (const path of PATHS) for (let n = 0; n < 30; n++) await turn[path](0);

  const rounds: Array<Record<Path, ReturnType<typeof perTurn>>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = [...PATHS.slice(round % PATHS.length), ...PATHS.slice(0, round % PATHS.length)];
    const got = {} as Record<Path, ReturnType<typeof perTurn>>;
    for (const path of order) {
      current = { path, tally: empty() };
      const out = await steadyLoad(STREAMS, turnMs, WINDOW, ANSWER, turn[path]);
      // The trace line of a collection in the window's last moments may still be on its way.
      await new Promise((resolve) => setTimeout(resolve, 200));
      current.tally.turns = out.allTurns;
      got[path] = perTurn(current.tally);
      current = null;
      if (out.failed) console.warn(`${path}: ${out.failed} failed turns`);
    }
    rounds.push(got);
    console.log(`round ${round + 1}/${ROUNDS}: GC ms per turn ${PATHS.map((p) => `${p} ${got[p].gc_ms}`).join(', ')}`);
  }
  for (const s of sockets) s.close();

  const keys = Object.keys(rounds[0]!.floor) as Array<keyof ReturnType<typeof perTurn>>;
  const medians = Object.fromEntries(PATHS.map((p) => [p, Object.fromEntries(keys.map((k) => [k, median(rounds.map((r) => r[p][k]))]))])) as Record<
    Path,
    Record<(typeof keys)[number], number | null>
  >;
  const gcRatio = (p: Path) => median(rounds.map((r) => ratio(r[p].gc_ms, r.floor.gc_ms)));
  console.log(`\n${STREAMS} steady streams, ${ROUNDS} rounds, medians of the rounds; per turn (ms, KB) unless said`);
  console.log('| path | allocated KB | promoted KB | scavenges per 100 turns | scavenge pause | scavenge helpers | major GCs (all rounds) | major pause | major background | GC in all | GC ÷ floor |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const p of PATHS) {
    const m = medians[p];
    const majors = rounds.reduce((a, r) => a + r[p].majors, 0);
    console.log(
      `| ${p} | ${m.allocated_kb} | ${m.promoted_kb} | ${m.scavenges_per_100} | ${m.scavenge_pause_ms} | ${m.scavenge_helpers_ms} | ${majors} | ${m.major_pause_ms} | ${m.major_background_ms} | ${m.gc_ms} | ${gcRatio(p)}× |`,
    );
  }
  const out = new URL('../results/gc.json', import.meta.url).pathname;
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, streams: STREAMS, window: WINDOW, medians, rounds }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
} finally {
  await dispatcher.close();
  await Promise.all(children.map((c) => c.stop()));
  rmSync(dir, { recursive: true, force: true });
}
