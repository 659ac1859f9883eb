/**
 * A/B of the server's CPU per turn (`npx tsx bench/server/ab.ts OTHER_CHECKOUT [--rounds N]`): this
 * checkout's Barnabee against another checkout's (e.g. a `git worktree` of main), with the floor,
 * at 100 steady streams over SSE and WebSocket, every path alone in an order that rotates from
 * round to round. Before/after evidence for a change to the turn path, in minutes rather than the
 * whole bench's five; printed only. Each side runs its checkout's src/ as built (children.ts). The
 * other checkout needs its own node_modules (a symlink will do).
 * `--a-env K=V` / `--b-env K=V` (repeatable) set a setting on one side only: with OTHER_CHECKOUT `.`,
 * an A/B of a setting (e.g. `--b-env STREAM_BATCH_MS=50`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { childLoad, pace, startChild, type Child } from './children.js';
import { directStream, dispatcher, openWs, turnStream, wsTurn, type StreamResult } from './client.js';
import { steadyLoad } from './load.js';
import { ANSWER, STEADY_SIM, barnabeeEnv } from './setup.js';
import { pct, r2 } from './stats.js';

const other = process.argv[2];
if (!other || other.startsWith('--')) throw new Error('usage: npx tsx bench/server/ab.ts OTHER_CHECKOUT [--rounds N] [--streams N]');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const envArgs = (name: string): Record<string, string> =>
  Object.fromEntries(process.argv.flatMap((a, i) => (process.argv[i - 1] === name ? [a.split(/=(.*)/s).slice(0, 2)] : [])));
const ROUNDS = arg('--rounds', 4);
const STREAMS = arg('--streams', 100);
const WINDOW = { warmupMs: 1500, measureMs: 5000 };

const dir = mkdtempSync(join(tmpdir(), 'barnabee-ab-'));
const children: Child[] = [];
try {
  const sim = await startChild('sim', {});
  children.push(sim);
  const env = (name: string) => barnabeeEnv(sim.url, join(dir, `${name}.db`));
  const a = await startChild('barnabee', { ...env('a'), ...envArgs('--a-env') }, [], { checkout: resolve(other) });
  const b = await startChild('barnabee', { ...env('b'), ...envArgs('--b-env') });
  const floor = await startChild('floor', { LLM_BASE_URL: sim.url });
  children.push(a, b, floor);
  await pace(sim, STEADY_SIM);
  const t0 = performance.now();
  await directStream(sim.url);
  const turnMs = performance.now() - t0;

  const socketsA = await Promise.all(Array.from({ length: STREAMS }, () => openWs(a.url)));
  const socketsB = await Promise.all(Array.from({ length: STREAMS }, () => openWs(b.url)));
  const paths: Record<string, { child: Child; turn: (i: number) => Promise<StreamResult> }> = {
    floor: { child: floor, turn: () => turnStream(floor.url) },
    'A sse': { child: a, turn: () => turnStream(a.url) },
    'B sse': { child: b, turn: () => turnStream(b.url) },
    'A ws': { child: a, turn: (i) => wsTurn(socketsA[i]!) },
    'B ws': { child: b, turn: (i) => wsTurn(socketsB[i]!) },
  };
  const names = Object.keys(paths);
  for (const name of names) for (let i = 0; i < 20; i++) await paths[name]!.turn(0);

  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const added: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
    for (const name of order) {
      const { child, turn } = paths[name]!;
      await childLoad(child);
      const out = await steadyLoad(STREAMS, turnMs, WINDOW, ANSWER, turn);
      const load = await childLoad(child);
      cpu[name]!.push(load.cpu_ms / out.allTurns);
      added[name]!.push(pct(out.firstChunkMs, 50));
      if (out.failed) console.warn(`${name}: ${out.failed} failed turns`);
    }
    console.log(`round ${round + 1}: ${names.map((n) => `${n} ${r2(cpu[n]!.at(-1)!)}`).join(', ')} ms CPU/turn`);
  }
  const median = (v: number[]) => pct(v, 50);
  console.log(`\nA = ${resolve(other)}, B = this checkout; ${STREAMS} streams, ${ROUNDS} rounds; CPU per turn (ms), median of rounds [range]; first chunk p50 (ms)`);
  for (const name of names) {
    const c = cpu[name]!;
    console.log(
      `${name.padEnd(6)} ${r2(median(c)).toString().padStart(6)} [${r2(Math.min(...c))}–${r2(Math.max(...c))}]  ÷floor ${r2(median(c.map((v, i) => v / cpu.floor![i]!)))}  first chunk ${r2(median(added[name]!))}`,
    );
  }
  for (const s of [...socketsA, ...socketsB]) s.close();
} finally {
  await dispatcher.close();
  await Promise.all(children.map((c) => c.stop()));
  rmSync(dir, { recursive: true, force: true });
}
