/**
 * Bursts: that many turns started in the same instant, direct, Barnabee SSE and Barnabee WebSocket
 * each alone, in rotation. They measure queueing at a thundering-herd start, not steady latency.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { directStream, openWs, turnStream, wsTurn } from './client.js';
import { pct, r2 } from './stats.js';
import type { BurstRow } from './types.js';

export async function runBurst(simUrl: string, barnabeeUrl: string, streams: number, rounds: number): Promise<BurstRow> {
  const d: number[] = [];
  const s: number[] = [];
  const w: number[] = [];
  const sockets = await Promise.all(Array.from({ length: streams }, () => openWs(barnabeeUrl)));
  const firsts = async (turns: Array<Promise<{ firstChunkMs: number }>>) => (await Promise.all(turns)).map((r) => r.firstChunkMs);
  try {
    for (let round = 0; round < rounds; round++) {
      // Quiet gaps let the previous burst's sockets settle.
      d.push(...(await firsts(Array.from({ length: streams }, () => directStream(simUrl)))));
      await sleep(200);
      s.push(...(await firsts(Array.from({ length: streams }, () => turnStream(barnabeeUrl)))));
      await sleep(200);
      w.push(...(await firsts(sockets.map((ws) => wsTurn(ws)))));
      await sleep(200);
    }
  } finally {
    for (const ws of sockets) ws.close();
  }
  const at = (xs: number[]): [number, number] => [r2(pct(xs, 50)), r2(pct(xs, 99))];
  const added = (xs: number[]): [number, number] => [r2(pct(xs, 50) - pct(d, 50)), r2(pct(xs, 99) - pct(d, 99))];
  return { streams, rounds, samples: Math.min(d.length, s.length, w.length), direct: at(d), sse: at(s), ws: at(w), added_sse: added(s), added_ws: added(w) };
}
