/**
 * Where a turn's time went: route → first chunk → first audio → end, from `turn.end` metrics.
 * Pure; the view draws these marks as bars on one time axis.
 */
import type { TurnMetrics } from './wire.js';

export type MarkKey = 'route' | 'first_chunk' | 'first_audio' | 'total';

export interface Mark {
  key: MarkKey;
  label: string;
  /** Milliseconds since the turn started, or null when it never happened (no speech, cancelled). */
  ms: number | null;
  /** Position on the axis, 0..1 of the total. */
  at: number | null;
}

const LABELS: Record<MarkKey, string> = {
  route: 'route',
  first_chunk: 'first chunk',
  first_audio: 'first audio',
  total: 'end',
};

export function waterfallMarks(metrics: TurnMetrics): Mark[] {
  const total = metrics.total_ms;
  const keys: MarkKey[] = ['route', 'first_chunk', 'first_audio', 'total'];
  return keys.map((key) => {
    const key_ms = key === 'route' ? 'route_ms' : key === 'total' ? 'total_ms' : `${key}_ms`;
    const raw = metrics[key_ms];
    const ms = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    const at = ms === null ? null : total > 0 ? Math.min(1, Math.max(0, ms / total)) : 1;
    return { key, label: LABELS[key], ms, at };
  });
}
