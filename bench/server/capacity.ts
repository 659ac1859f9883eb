/**
 * Capacity: N Barnabee streams at once, every one checked (completed, `seq` 0,1,2… with no gap,
 * the expected text), with the server's memory sampled from just before the level to its end.
 */
import { childMemory, type Child } from './children.js';
import { openWs, turnStream, wsTurn, type StreamResult } from './client.js';
import { r1, r2 } from './stats.js';
import type { CapacityRow } from './types.js';

export async function runCapacity(barnabee: Child, transport: 'sse' | 'ws', streams: number, expected: string): Promise<CapacityRow> {
  const idle = await childMemory(barnabee, 'reset');
  const t0 = performance.now();
  const sockets = transport === 'ws' ? await Promise.all(Array.from({ length: streams }, () => openWs(barnabee.url))) : [];
  const results = await Promise.allSettled(
    transport === 'ws' ? sockets.map((ws) => wsTurn(ws)) : Array.from({ length: streams }, () => turnStream(barnabee.url)),
  );
  const peak = await childMemory(barnabee, 'peak');
  for (const ws of sockets) ws.close();
  const ok = results.filter((r): r is PromiseFulfilledResult<StreamResult> => r.status === 'fulfilled').map((r) => r.value);
  const inOrder = (seqs: number[]) => seqs.every((q, i) => q === i);
  const incomplete: Record<string, number> = {};
  const count = (how: string) => (incomplete[how] = (incomplete[how] ?? 0) + 1);
  for (const r of results) {
    if (r.status === 'rejected') count(`client error: ${String((r.reason as Error)?.message ?? r.reason).slice(0, 80)}`);
    else if (r.value.status !== 'completed') count(`${r.value.status ?? 'no turn.end'}${r.value.error ? ` (${r.value.error})` : ''}`);
  }
  return {
    transport,
    streams,
    completed: ok.filter((r) => r.status === 'completed').length,
    lost_or_reordered: ok.filter((r) => !inOrder(r.seqs)).length,
    wrong_text: ok.filter((r) => r.text !== expected).length,
    errors: results.length - ok.length,
    incomplete,
    rss_idle_mb: r1(idle.rss / 2 ** 20),
    rss_peak_mb: r1(peak.rss / 2 ** 20),
    heap_idle_mb: r1(idle.heap / 2 ** 20),
    heap_peak_mb: r1(peak.heap / 2 ** 20),
    kb_per_stream: r1((peak.heap - idle.heap) / 1024 / streams),
    seconds: r2((performance.now() - t0) / 1000),
  };
}
