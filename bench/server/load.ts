/** Steady load: a number of virtual clients, each starting its next turn the moment its previous one ends. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamResult } from './client.js';

export interface SteadyOutcome {
  /** First-chunk times of the turns started inside the measured window that ended correctly. */
  firstChunkMs: number[];
  /** Counted turns that failed: an error, no `completed` end, no text, or text other than `expected`. */
  failed: number;
  /** Counted turns per second of the window. */
  turnsPerS: number;
  /** Every turn started, warm-up included: what the CPU readings (taken over the whole run) divide by. */
  allTurns: number;
}

/**
 * `clients` virtual clients; their first turns are spread over one turn's length so starts do not
 * bunch. Turns that start during the warm-up are not counted; no turn starts after the window closes.
 */
export async function steadyLoad(
  clients: number,
  turnMs: number,
  window: { warmupMs: number; measureMs: number },
  expected: string,
  turn: (client: number) => Promise<StreamResult>,
): Promise<SteadyOutcome> {
  const firstChunkMs: number[] = [];
  let failed = 0;
  let allTurns = 0;
  const countFrom = performance.now() + window.warmupMs;
  const stopAt = countFrom + window.measureMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      await sleep((i * turnMs) / clients);
      while (performance.now() < stopAt) {
        const startedAt = performance.now();
        allTurns++;
        const r = await turn(i).catch(() => null);
        if (startedAt < countFrom) continue;
        if (r && r.status === 'completed' && !Number.isNaN(r.firstChunkMs) && r.text === expected) firstChunkMs.push(r.firstChunkMs);
        else failed++;
      }
    }),
  );
  const turns = firstChunkMs.length + failed;
  return { firstChunkMs, failed, turnsPerS: Math.round((turns / ((performance.now() - countFrom) / 1000)) * 10) / 10, allTurns };
}

/** The machine's CPU time so far, all cores together (from /proc/stat; zeros where there is none). */
export function machineCpu(): { busy: number; total: number } {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq!;
    return { busy, total: busy + idle! + iowait! + (steal ?? 0) };
  } catch {
    return { busy: 0, total: 0 };
  }
}
