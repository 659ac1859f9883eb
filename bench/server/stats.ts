/** The few numbers the server bench computes: percentiles, rounding, spreads and ratios. */

/** Nearest-rank percentile (NaN for no samples). */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
}

export const r1 = (x: number): number => Math.round(x * 10) / 10;
export const r2 = (x: number): number => Math.round(x * 100) / 100;
export const mean = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;

/** The median of the values that exist (null when none does). */
export function median(xs: ReadonlyArray<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : r2((v[m - 1]! + v[m]!) / 2);
}

/** Smallest and largest of the values that exist (null when none does). */
export function spread(xs: ReadonlyArray<number | null>): [number, number] | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? [Math.min(...v), Math.max(...v)] : null;
}

/**
 * `a / b`, or null when the quotient means nothing: either side missing, or a baseline at or below
 * zero (a hop that added no latency cannot be a yardstick).
 */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return r2(a / b);
}
