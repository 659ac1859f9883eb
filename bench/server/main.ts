/**
 * Server benchmark (`npx tsx bench/server.ts`): what going through Barnabee adds to the first chunk
 * of a model answer and what it costs in CPU, against two baselines measured in the same rounds
 * (the floor: a minimal Node proxy; the peer: the AI SDK endpoint a Node developer would write),
 * and how many concurrent streams it carries without losing or reordering a chunk.
 *
 *   --full          more rounds, longer windows, capacity up to 4,000 streams
 *   --quick         two short rounds and one small level of each phase, printed only (smoke check, ~2 min)
 *   --steady-only   the steady levels only, printed only (before/after comparisons, ~3 min)
 *   --profile       the Barnabee and floor children write V8 CPU profiles to bench/results/profile-ROLE/
 *   --report        no run: RESULTS.md's server section rendered again from results/server.json
 *                   (after editing notes.json or findings.json)
 *
 * Writes bench/results/server.json and the server section of bench/RESULTS.md (default and --full).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBurst } from './burst.js';
import { runCapacity } from './capacity.js';
import { pace, startChild, type Child } from './children.js';
import { dispatcher, openWs, pathTurns, PATHS, type PathName } from './client.js';
import { levelRatios, targets } from './judge.js';
import { machineCpu } from './load.js';
import { RESULTS_JSON, render, writeSection } from './report.js';
import { ANSWER, ANSWER_WORDS, CAPACITY_SIM, LATENCY_SIM, barnabeeEnv, plan, type Mode } from './setup.js';
import { runSteady, type Servers } from './steady.js';
import { r2 } from './stats.js';
import type { CapacityRow, ServerBenchResult } from './types.js';

const flag = (name: string) => process.argv.includes(name);

/** `--profile`: V8 CPU profiles of a child (and its threads) in bench/results/profile-ROLE/. */
const profileArgs = (role: string): string[] =>
  flag('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${new URL(`../results/profile-${role}`, import.meta.url).pathname}`] : [];

async function busyCores(ms: number): Promise<number | null> {
  const a = machineCpu();
  await sleep(ms);
  const b = machineCpu();
  return b.total > a.total ? r2(((b.busy - a.busy) / (b.total - a.total)) * availableParallelism()) : null;
}

async function run(mode: Mode): Promise<void> {
  const p = plan(mode);
  const machineBefore = { loadavg_1m: r2(loadavg()[0]!), busy_cores: await busyCores(1000) };
  const dir = mkdtempSync(join(tmpdir(), 'barnabee-bench-server-'));
  const children: Child[] = [];
  try {
    const sim = await startChild('sim', {});
    children.push(sim);
    const barnabee = await startChild('barnabee', barnabeeEnv(sim.url, join(dir, 'bench.db')), ['--expose-gc', ...profileArgs('barnabee')]);
    children.push(barnabee);
    const floor = await startChild('floor', { LLM_BASE_URL: sim.url }, profileArgs('floor'));
    children.push(floor);
    const peer = await startChild('peer', { LLM_BASE_URL: sim.url });
    children.push(peer);

    // Each path's text, checked against the model's answer, and a warm-up of every path (JIT, pools, SQLite).
    const ws = await openWs(barnabee.url);
    const turns = pathTurns({ sim: sim.url, floor: floor.url, peer: peer.url, barnabee: barnabee.url }, () => ws);
    const expected = {} as Record<PathName, string>;
    for (const path of PATHS) {
      const turn = () => turns[path](0);
      const probe = await turn();
      if (probe.status !== 'completed' || !probe.text) throw new Error(`warm-up turn on ${path} failed: ${JSON.stringify(probe)}`);
      expected[path] = probe.text;
      for (let i = 0; i < 10; i++) await turn();
    }
    ws.close();
    const textsMatch = Object.values(expected).every((t) => t.trim() === ANSWER);
    if (!textsMatch) console.warn(`not every path returns the model's answer: ${JSON.stringify(expected)}`);
    const servers: Servers = { sim, barnabee, floor, peer, expected };

    const steady = [];
    for (const level of p.steady) {
      steady.push(await runSteady(level, servers));
      await sleep(500);
    }

    await pace(sim, LATENCY_SIM);
    const bursts = [];
    for (const [streams, rounds] of p.bursts) {
      bursts.push(await runBurst(sim.url, barnabee.url, streams, rounds));
      console.log(`burst ${streams}: ${JSON.stringify(bursts.at(-1))}`);
      await sleep(500);
    }

    const capacity: CapacityRow[] = [];
    if (p.capacityLevels.length) await pace(sim, CAPACITY_SIM);
    for (const transport of ['ws', 'sse'] as const) {
      for (const n of p.capacityLevels) {
        await sleep(500);
        const row = await runCapacity(barnabee, transport, n, expected[transport]);
        capacity.push(row);
        console.log(`capacity: ${JSON.stringify(row)}`);
        if (row.completed !== n || row.lost_or_reordered || row.wrong_text) break;
      }
    }
    const held = (t: 'sse' | 'ws') =>
      Math.max(0, ...capacity.filter((c) => c.transport === t && c.completed === c.streams && !c.lost_or_reordered && !c.wrong_text).map((c) => c.streams));

    const measured = { steady, capacity, max_streams_held: { sse: held('sse'), ws: held('ws') } };
    const result: ServerBenchResult = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      mode,
      setup: { answer_words: ANSWER_WORDS, burst_sim: LATENCY_SIM, capacity_sim: CAPACITY_SIM, texts_match: textsMatch, machine_before: machineBefore },
      ...measured,
      ratios: steady.map(levelRatios),
      bursts,
      targets: targets(measured),
    };
    const markdown = render(result);
    console.log(`\n${markdown}`);
    if (p.write) {
      writeFileSync(RESULTS_JSON, `${JSON.stringify(result, null, 2)}\n`);
      writeSection(markdown);
    }
  } finally {
    await dispatcher.close();
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (flag('--report')) {
  const last = JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as ServerBenchResult;
  writeSection(render(last));
} else await run(flag('--full') ? 'full' : flag('--quick') ? 'quick' : flag('--steady-only') ? 'steady' : 'default');
