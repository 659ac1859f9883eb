/** The shape of bench/results/server.json: what the run measured and what the report renders. */
import type { PathName } from './client.js';
import type { Mode, SimPace } from './setup.js';

/** One path's numbers, for one round or pooled over the rounds of a level. */
export interface PathNumbers {
  /** Turns counted (started inside the measured window) that ended correctly. */
  samples: number;
  failed: number;
  turns_per_s: number;
  /** First chunk, absolute: request sent → first answer text received. */
  p50: number;
  p99: number;
  /** Added over direct at the same percentile (the same round's direct, or all of the level's when pooled). Null for direct itself. */
  added_p50: number | null;
  added_p99: number | null;
  /** The server child's CPU (user + system) per turn, whole turn, warm-up turns included. Null for direct (no server). */
  cpu_ms_per_turn: number | null;
  /** The kernel's share of that CPU. */
  kernel_share: number | null;
  /** The server child's event-loop delay p99 (pooled: the worst round). */
  loop_delay_p99_ms: number | null;
  /** The load client's own CPU per turn on this path (parsing an SSE stream costs it more than a WebSocket message). */
  client_cpu_ms_per_turn: number;
  /** How busy the whole machine was during this path's windows, in cores. */
  machine_busy_cores: number | null;
}

export interface SteadyLevel {
  streams: number;
  sim: SimPace;
  rounds_n: number;
  warmup_ms: number;
  measure_ms: number;
  /** One answer's length at this pace, measured on the direct path before the rounds. */
  turn_ms: number;
  /** The paths run one after another in each round, in an order that rotates from round to round. */
  pooled: Record<PathName, PathNumbers>;
  rounds: Array<Record<PathName, PathNumbers>>;
}

/**
 * A ratio of one path's figure to a baseline's, taken within each round (both measured minutes
 * apart at most, so the machine's drift cancels): the median over the rounds, and their range.
 */
export interface Ratio {
  median: number | null;
  rounds: [number, number] | null;
  /** Per round; null where the baseline added nothing (no yardstick). */
  per_round: Array<number | null>;
}

export interface PathRatios {
  added_p50: Ratio;
  added_p99: Ratio;
  cpu: Ratio;
}

export interface LevelRatios {
  streams: number;
  /** Per path: against the floor and against the peer. */
  paths: Record<Exclude<PathName, 'direct'>, { floor: PathRatios; peer: PathRatios }>;
}

export interface Target {
  what: string;
  /** The measured value as the report prints it (a ratio or an absolute figure, said which). */
  value: string;
  /** null: reported, no limit. */
  met: boolean | null;
  /** In how many of the level's rounds the same comparison held. */
  rounds_met?: string;
}

export interface BurstRow {
  streams: number;
  rounds: number;
  samples: number;
  direct: [number, number];
  sse: [number, number];
  ws: [number, number];
  added_sse: [number, number];
  added_ws: [number, number];
}

export interface CapacityRow {
  transport: 'sse' | 'ws';
  streams: number;
  completed: number;
  lost_or_reordered: number;
  wrong_text: number;
  errors: number;
  /** How the streams that did not complete ended (`turn.end` status and `error` code, or the client's error) → count. */
  incomplete: Record<string, number>;
  rss_idle_mb: number;
  rss_peak_mb: number;
  heap_idle_mb: number;
  heap_peak_mb: number;
  /** JS heap in use at peak minus before, per stream (RSS is sticky: freed memory stays mapped). */
  kb_per_stream: number;
  seconds: number;
}

export interface ServerBenchResult {
  date: string;
  node: string;
  cpus: number;
  mode: Mode;
  setup: {
    answer_words: number;
    burst_sim: SimPace;
    capacity_sim: SimPace;
    /** Every path's warm-up turn returned the same text as the simulator's. */
    texts_match: boolean;
    /** The machine before the bench started its load: other processes (other test runs share it). */
    machine_before: { loadavg_1m: number; busy_cores: number | null };
  };
  steady: SteadyLevel[];
  ratios: LevelRatios[];
  bursts: BurstRow[];
  capacity: CapacityRow[];
  max_streams_held: { sse: number; ws: number };
  targets: Target[];
}
