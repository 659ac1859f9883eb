/**
 * The steady rounds of one level: `streams` clients in flight continuously on one path at a time,
 * every path in each round (direct, floor, peer, Barnabee SSE, Barnabee WebSocket) in an order that
 * rotates from round to round, so the drift of a shared machine hits them all alike.
 */
import { availableParallelism } from 'node:os';
import { childLoad, pace, type Child } from './children.js';
import { directStream, openWs, pathTurns, PATHS, type PathName } from './client.js';
import { machineCpu, steadyLoad } from './load.js';
import type { SteadyPlan } from './setup.js';
import { mean, pct, r1, r2 } from './stats.js';
import type { PathNumbers, SteadyLevel } from './types.js';

export interface Servers {
  sim: Child;
  barnabee: Child;
  floor: Child;
  peer: Child;
  /** Each path's answer text, from its warm-up turn: every counted turn must match it. */
  expected: Record<PathName, string>;
}

/** What one path did in one round (or several, merged). */
interface Raw {
  samples: number[];
  failed: number;
  rates: number[];
  allTurns: number;
  cpu: number;
  sys: number;
  delay: number | null;
  clientCpu: number;
  busy: number;
  total: number;
}

function merge(raws: Raw[]): Raw {
  const sum = (f: (r: Raw) => number) => raws.reduce((a, r) => a + f(r), 0);
  const delays = raws.map((r) => r.delay).filter((d): d is number => d !== null);
  return {
    samples: raws.flatMap((r) => r.samples),
    failed: sum((r) => r.failed),
    rates: raws.flatMap((r) => r.rates),
    allTurns: sum((r) => r.allTurns),
    cpu: sum((r) => r.cpu),
    sys: sum((r) => r.sys),
    delay: delays.length ? Math.max(...delays) : null,
    clientCpu: sum((r) => r.clientCpu),
    busy: sum((r) => r.busy),
    total: sum((r) => r.total),
  };
}

function numbers(raw: Raw, direct: Raw | null, server: boolean): PathNumbers {
  return {
    samples: raw.samples.length,
    failed: raw.failed,
    turns_per_s: r1(mean(raw.rates)),
    p50: r2(pct(raw.samples, 50)),
    p99: r2(pct(raw.samples, 99)),
    added_p50: direct ? r2(pct(raw.samples, 50) - pct(direct.samples, 50)) : null,
    added_p99: direct ? r2(pct(raw.samples, 99) - pct(direct.samples, 99)) : null,
    cpu_ms_per_turn: server ? r2(raw.cpu / raw.allTurns) : null,
    kernel_share: server && raw.cpu > 0 ? r2(raw.sys / raw.cpu) : null,
    loop_delay_p99_ms: server ? raw.delay : null,
    client_cpu_ms_per_turn: r2(raw.clientCpu / raw.allTurns),
    machine_busy_cores: raw.total > 0 ? r2((availableParallelism() * raw.busy) / raw.total) : null,
  };
}

function byPath<T>(f: (p: PathName) => T): Record<PathName, T> {
  return Object.fromEntries(PATHS.map((p) => [p, f(p)])) as Record<PathName, T>;
}

export async function runSteady(plan: SteadyPlan, s: Servers): Promise<SteadyLevel> {
  await pace(s.sim, plan.sim);
  const t0 = performance.now();
  await directStream(s.sim.url);
  const turnMs = performance.now() - t0;
  const sockets = await Promise.all(Array.from({ length: plan.streams }, () => openWs(s.barnabee.url)));
  const turn = pathTurns({ sim: s.sim.url, floor: s.floor.url, peer: s.peer.url, barnabee: s.barnabee.url }, (i) => sockets[i]!);
  const server: Record<PathName, Child | null> = { direct: null, floor: s.floor, peer: s.peer, sse: s.barnabee, ws: s.barnabee };

  const run = async (path: PathName): Promise<Raw> => {
    const child = server[path];
    if (child) await childLoad(child);
    const machine = machineCpu();
    const client = process.cpuUsage();
    const out = await steadyLoad(plan.streams, turnMs, plan, s.expected[path], turn[path]);
    const clientUsed = process.cpuUsage(client);
    const machineAfter = machineCpu();
    const load = child ? await childLoad(child) : null;
    return {
      samples: out.firstChunkMs,
      failed: out.failed,
      rates: [out.turnsPerS],
      allTurns: out.allTurns,
      cpu: load?.cpu_ms ?? 0,
      sys: load?.system_ms ?? 0,
      delay: load?.loop_delay_p99_ms ?? null,
      clientCpu: (clientUsed.user + clientUsed.system) / 1000,
      busy: machineAfter.busy - machine.busy,
      total: machineAfter.total - machine.total,
    };
  };

  const raws: Array<Record<PathName, Raw>> = [];
  try {
    // One pass of every path before the rounds, not counted: a server's first window at a level pays
    // for growing its heap and optimizing its code for that load (a Barnabee child's first 100-stream
    // window: 7.57 ms per SSE turn, later ones 4.6–5.4), and Barnabee's SSE path, ahead of its
    // WebSocket one in every round's order, would pay for both (bench/server/findings.json).
    for (const path of PATHS) await steadyLoad(plan.streams, turnMs, { warmupMs: 0, measureMs: 2 * plan.warmupMs }, s.expected[path], turn[path]);
    for (let round = 0; round < plan.rounds; round++) {
      const order = [...PATHS.slice(round % PATHS.length), ...PATHS.slice(0, round % PATHS.length)];
      const got: Partial<Record<PathName, Raw>> = {};
      for (const path of order) got[path] = await run(path);
      raws.push(got as Record<PathName, Raw>);
      const added = (p: PathName) => `${p} ${r2(pct(got[p]!.samples, 50) - pct(got.direct!.samples, 50))}/${r2(pct(got[p]!.samples, 99) - pct(got.direct!.samples, 99))}`;
      console.log(`steady ${plan.streams}, round ${round + 1}/${plan.rounds}: added p50/p99 ms ${PATHS.filter((p) => p !== 'direct').map(added).join(', ')}`);
    }
  } finally {
    for (const ws of sockets) ws.close();
  }

  const pooled = byPath((p) => merge(raws.map((r) => r[p])));
  return {
    streams: plan.streams,
    sim: plan.sim,
    rounds_n: plan.rounds,
    warmup_ms: plan.warmupMs,
    measure_ms: plan.measureMs,
    turn_ms: r1(turnMs),
    pooled: byPath((p) => numbers(pooled[p], p === 'direct' ? null : pooled.direct, server[p] !== null)),
    rounds: raws.map((r) => byPath((p) => numbers(r[p], p === 'direct' ? null : r.direct, server[p] !== null))),
  };
}
