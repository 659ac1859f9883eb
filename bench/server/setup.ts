/**
 * What the server bench runs: the scripted model answer, the simulator's pace per phase, and how
 * long each phase lasts in each mode. Shared by the load client and the child processes.
 */

/**
 * The scripted model answer: fixed text so every stream's content can be checked. Five sentences of
 * twelve words, as an answer has: a sentence's end leaves at once (a listener's TTS waits for it),
 * so a bench answer without any would spare Barnabee writes a real one costs.
 */
export const ANSWER_WORDS = 60;
export const ANSWER = Array.from({ length: ANSWER_WORDS }, (_, i) => `word${i}${i % 12 === 11 ? '.' : ''}`).join(' ');
export const QUESTION = 'tell me about the history of the bicycle';

export interface SimPace {
  ttftMs: number;
  tokensPerSecond: number;
}

/** Short answers (~80 ms): many samples in a short window. The 1-stream level and the bursts. */
export const LATENCY_SIM: SimPace = { ttftMs: 20, tokensPerSecond: 1000 };
/**
 * A model's pace (100 tokens/s, ~0.6 s per answer): 100 streams in flight is ~150 turns/s rather
 * than a flood of 1,000 tiny turns/s. The 100-stream level, the headline.
 */
export const STEADY_SIM: SimPace = { ttftMs: 20, tokensPerSecond: 100 };
/** ~2 s answers, so every stream of a capacity level is open at the same time. */
export const CAPACITY_SIM: SimPace = { ttftMs: 50, tokensPerSecond: 30 };

/** One steady level: `streams` clients in flight continuously, every path loaded alone per round. */
export interface SteadyPlan {
  streams: number;
  sim: SimPace;
  rounds: number;
  /** Per path and round: turns started in the warm-up are not counted. */
  warmupMs: number;
  measureMs: number;
}

export interface Plan {
  mode: Mode;
  steady: SteadyPlan[];
  /** [streams started in one instant, rounds]. */
  bursts: Array<[number, number]>;
  capacityLevels: number[];
  /** Results are written (JSON and RESULTS.md) only by the default and full modes. */
  write: boolean;
}

/**
 * `default` (~5 min), `full` (more rounds and longer windows, capacity up to 4,000), `quick` (two
 * short rounds and one small level of each phase, printed only: a smoke check), `steady` (the
 * default steady levels only, printed only: quick before/after comparisons).
 */
export type Mode = 'default' | 'full' | 'quick' | 'steady';

export function plan(mode: Mode): Plan {
  const one = (rounds: number, warmupMs: number, measureMs: number): SteadyPlan => ({ streams: 1, sim: LATENCY_SIM, rounds, warmupMs, measureMs });
  const hundred = (rounds: number, warmupMs: number, measureMs: number): SteadyPlan => ({ streams: 100, sim: STEADY_SIM, rounds, warmupMs, measureMs });
  switch (mode) {
    case 'full':
      return { mode, steady: [one(5, 500, 10_000), hundred(5, 2000, 15_000)], bursts: [[100, 10], [1000, 3]], capacityLevels: [500, 1000, 2000, 3000, 4000], write: true };
    case 'quick':
      return { mode, steady: [one(2, 300, 1500), hundred(2, 1000, 2500)], bursts: [[100, 1]], capacityLevels: [500], write: false };
    case 'steady':
      return { ...plan('default'), mode, bursts: [], capacityLevels: [], write: false };
    default:
      return { mode, steady: [one(3, 500, 5000), hundred(3, 1500, 6000)], bursts: [[100, 3], [1000, 1]], capacityLevels: [500, 1000, 2000], write: true };
  }
}

/**
 * The Barnabee child's settings in every server bench: the simulator as its model, ports the OS
 * picks, no logging, its own database file, and limits out of the load's way.
 */
export function barnabeeEnv(simUrl: string, db: string): Record<string, string> {
  return {
    LLM_BASE_URL: simUrl,
    PORT: '0',
    WYOMING_SERVER_PORT: '0',
    LOG_LEVEL: 'silent',
    BARNABEE_DB: db,
    RATE_LIMIT_PER_MINUTE: '100000000',
    MAX_TURNS_PER_CLIENT: '100000',
    LLM_MAX_RETRIES: '0',
    SSE_HEARTBEAT_MS: '15000',
  };
}
