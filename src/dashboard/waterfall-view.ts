/** Draws a turn's waterfall: one row per mark, a bar from the turn's start to the mark, and its number. */
import { el } from './dom.js';
import { fmtMs } from './format.js';
import { waterfallMarks } from './waterfall.js';
import type { TurnMetrics } from './wire.js';

export function waterfallView(metrics: TurnMetrics): HTMLElement {
  const rows = waterfallMarks(metrics).map((m) => {
    const bar = el('span', { class: 'wf-bar' });
    if (m.at !== null) bar.style.width = `${(m.at * 100).toFixed(2)}%`;
    return el(
      'div',
      { class: 'wf-row', attrs: { 'data-mark': m.key, 'data-ms': m.ms ?? '' } },
      el('span', { class: 'wf-label' }, m.label),
      el('span', { class: 'wf-track' }, bar),
      el('span', { class: 'wf-ms' }, fmtMs(m.ms)),
    );
  });
  const extra: string[] = [];
  if (typeof metrics.ttft_ms === 'number') extra.push(`model TTFT ${fmtMs(metrics.ttft_ms)}`);
  if (typeof metrics.tokens_per_s === 'number') extra.push(`${metrics.tokens_per_s.toFixed(1)} tok/s`);
  return el(
    'div',
    { class: 'waterfall', attrs: { role: 'group', 'aria-label': 'Where the time went' } },
    ...rows,
    extra.length ? el('p', { class: 'wf-extra' }, extra.join(' · ')) : null,
  );
}
