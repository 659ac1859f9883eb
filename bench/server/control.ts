/**
 * The child side of the parent's questions, for every server child (Barnabee, the floor, the peer):
 * the child prints its URL as its first stdout line, then answers one JSON line per stdin command.
 *
 *   load   → this process's CPU (user + system) and event-loop delay since the previous `load`
 *   reset  → a full GC (with --expose-gc), then memory sampled every 20 ms until `peak`; the baseline
 *   peak   → the highest RSS and JS heap in use since `reset`
 *
 * Memory is sampled only between `reset` and `peak`: each sample reads /proc, which the latency
 * phases should not pay for.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export interface ChildLoad {
  cpu_ms: number;
  /** The kernel's part of it (socket syscalls, loopback TCP). */
  system_ms: number;
  /** How long a ready callback waited in this process's event loop. */
  loop_delay_p50_ms: number;
  loop_delay_p99_ms: number;
}

export interface ChildMemory {
  rss: number;
  heap: number;
}

export function answerParent(url: string): void {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let cpu = process.cpuUsage();
  const load = (): ChildLoad => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const reading = {
      cpu_ms: Math.round((used.user + used.system) / 1000),
      system_ms: Math.round(used.system / 1000),
      loop_delay_p50_ms: Math.round(delay.percentile(50) / 1e4) / 100,
      loop_delay_p99_ms: Math.round(delay.percentile(99) / 1e4) / 100,
    };
    delay.reset();
    return reading;
  };

  let peak: ChildMemory = { rss: 0, heap: 0 };
  let sampler: NodeJS.Timeout | undefined;
  const sample = () => {
    const m = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed) };
  };
  const answers: Record<string, () => unknown> = {
    load,
    reset: () => {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      peak = { rss: m.rss, heap: m.heapUsed };
      clearInterval(sampler);
      sampler = setInterval(sample, 20).unref();
      return peak;
    },
    peak: () => {
      clearInterval(sampler);
      sample();
      return peak;
    },
  };
  createInterface({ input: process.stdin }).on('line', (command) => {
    const answer = answers[command.trim()];
    if (answer) process.stdout.write(`${JSON.stringify(answer())}\n`);
  });
  process.stdout.write(`${url}\n`);
}
