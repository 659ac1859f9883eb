/**
 * Ratios to the baselines and the targets of issue 15, from the measured numbers alone (so an
 * older results file renders the same way again).
 *
 * Targets, at 100 steady streams in one run: Barnabee's added first-chunk latency over SSE and over
 * WebSocket ≤ 1.25× the floor's at p50 and at p99, and ≤ the peer's; Barnabee's CPU per turn
 * ≤ 1.1× the floor's; 2,000 streams at once with nothing lost (memory per open stream reported).
 */
import type { PathName } from './client.js';
import { median, ratio, spread } from './stats.js';
import type { CapacityRow, LevelRatios, PathNumbers, PathRatios, Ratio, ServerBenchResult, SteadyLevel, Target } from './types.js';

export const TARGET_STREAMS = 100;
export const LATENCY_VS_FLOOR = 1.25;
export const CPU_VS_FLOOR = 1.1;
export const CAPACITY_STREAMS = 2000;

type Measure = 'added_p50' | 'added_p99' | 'cpu';
const value = (n: PathNumbers, m: Measure) => (m === 'cpu' ? n.cpu_ms_per_turn : n[m]);

function pathRatios(level: SteadyLevel, path: Exclude<PathName, 'direct'>, base: 'floor' | 'peer'): PathRatios {
  const one = (m: Measure): Ratio => {
    const perRound = level.rounds.map((r) => ratio(value(r[path], m), value(r[base], m)));
    return { median: median(perRound), rounds: spread(perRound), per_round: perRound };
  };
  return { added_p50: one('added_p50'), added_p99: one('added_p99'), cpu: one('cpu') };
}

export function levelRatios(level: SteadyLevel): LevelRatios {
  const both = (p: Exclude<PathName, 'direct'>) => ({ floor: pathRatios(level, p, 'floor'), peer: pathRatios(level, p, 'peer') });
  return { streams: level.streams, paths: { floor: both('floor'), peer: both('peer'), sse: both('sse'), ws: both('ws') } };
}

/** `a ≤ k × b`; against a baseline at or below zero, `a ≤ b`. Null when either is missing. */
function within(a: number | null, b: number | null, k: number): boolean | null {
  if (a === null || b === null) return null;
  return b > 0 ? a <= k * b : a <= b;
}

const LABEL = { sse: 'SSE', ws: 'WebSocket' } as const;
const MEASURE = { added_p50: 'added first chunk p50', added_p99: 'added first chunk p99', cpu: 'CPU per turn' } as const;

export function targets(r: Pick<ServerBenchResult, 'steady' | 'capacity' | 'max_streams_held'>): Target[] {
  const out: Target[] = [];
  const level = r.steady.find((l) => l.streams === TARGET_STREAMS);
  if (level) {
    const check = (t: 'sse' | 'ws', m: Measure, base: 'floor' | 'peer', k: number) => {
      const q = pathRatios(level, t, base)[m];
      const held = level.rounds.map((x) => within(value(x[t], m), value(x[base], m), k));
      const [a, b] = [value(level.pooled[t], m), value(level.pooled[base], m)];
      out.push({
        what: `${LABEL[t]} ${MEASURE[m]} ≤ ${k === 1 ? '' : `${k}× `}the ${base}'s`,
        value: q.median === null ? `${a} against ${b} ms, pooled (absolute: the ${base} added nothing)` : `${q.median}× (ratio, median of the rounds)`,
        met: q.median === null ? within(a, b, k) : q.median <= k,
        rounds_met: `${held.filter(Boolean).length} of ${held.length}`,
      });
    };
    for (const t of ['sse', 'ws'] as const) {
      check(t, 'added_p50', 'floor', LATENCY_VS_FLOOR);
      check(t, 'added_p99', 'floor', LATENCY_VS_FLOOR);
      check(t, 'added_p50', 'peer', 1);
      check(t, 'added_p99', 'peer', 1);
    }
    for (const t of ['sse', 'ws'] as const) check(t, 'cpu', 'floor', CPU_VS_FLOOR);
  }
  if (r.capacity.length) {
    const at = (t: 'sse' | 'ws'): CapacityRow | undefined => r.capacity.find((c) => c.transport === t && c.streams === CAPACITY_STREAMS);
    const tried = Math.max(...r.capacity.map((c) => c.streams));
    const held = Math.min(r.max_streams_held.sse, r.max_streams_held.ws);
    out.push({
      what: `${CAPACITY_STREAMS.toLocaleString('en')} streams at once over SSE and over WebSocket, none lost or reordered`,
      value: `held SSE ${r.max_streams_held.sse}, WebSocket ${r.max_streams_held.ws} of up to ${tried} tried (absolute)`,
      // A short run that tried fewer streams and lost none has not answered the question.
      met: held >= CAPACITY_STREAMS ? true : tried < CAPACITY_STREAMS && held >= tried ? null : false,
    });
    const sse = at('sse');
    const ws = at('ws');
    if (sse || ws)
      out.push({
        what: `memory per open stream at ${CAPACITY_STREAMS.toLocaleString('en')} streams (JS heap, reported)`,
        value: `SSE ${sse?.kb_per_stream ?? '–'} KB, WebSocket ${ws?.kb_per_stream ?? '–'} KB (absolute)`,
        met: null,
      });
  }
  return out;
}
