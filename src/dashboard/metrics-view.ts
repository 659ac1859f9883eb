/**
 * Metrics: the server's running totals (from the feed's snapshots) as tiles, and recent turns'
 * timings as uPlot charts — first chunk, first audio and total time, one series per agent.
 */
import uPlot from 'uplot';
import { $, el, replace } from './dom.js';
import { fmtCost, fmtInt, fmtMs, fmtPct } from './format.js';
import type { AgentKind, MetricsSnapshot, TurnMetrics } from './wire.js';

interface Point {
  turnId: string;
  /** Unix seconds when the turn ended. */
  t: number;
  agent: AgentKind;
  first_chunk: number | null;
  first_audio: number | null;
  total: number;
}

const AGENTS: AgentKind[] = ['instant', 'action', 'interaction'];
const MAX_POINTS = 200;

type Key = 'first_chunk' | 'first_audio' | 'total';
const CHARTS: { key: Key; el: string }[] = [
  { key: 'first_chunk', el: '#chart-first-chunk' },
  { key: 'first_audio', el: '#chart-first-audio' },
  { key: 'total', el: '#chart-total' },
];

export class MetricsView {
  private points: Point[] = [];
  private readonly seen = new Set<string>();
  private snapshot: MetricsSnapshot | null = null;
  private charts: { key: Key; plot: uPlot; host: HTMLElement }[] = [];
  private visible = false;
  private readonly tiles = $('#tiles');
  private readonly agents = $('#agents');
  private resize: ResizeObserver | null = null;

  constructor() {
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.rebuild());
    this.renderTiles();
  }

  setSnapshot(s: MetricsSnapshot): void {
    this.snapshot = s;
    this.renderTiles();
  }

  /** Adds a finished turn; ignores one already counted (seeded from history, then seen live). */
  addTurn(turnId: string, agent: AgentKind | null, metrics: TurnMetrics | null, endedAt: number): void {
    if (!agent || !metrics || this.seen.has(turnId)) return;
    this.seen.add(turnId);
    this.points.push({
      turnId,
      t: endedAt / 1000,
      agent,
      first_chunk: metrics.first_chunk_ms,
      first_audio: metrics.first_audio_ms,
      total: metrics.total_ms,
    });
    this.points.sort((a, b) => a.t - b.t);
    if (this.points.length > MAX_POINTS) {
      for (const p of this.points.splice(0, this.points.length - MAX_POINTS)) this.seen.delete(p.turnId);
    }
    if (this.visible) this.update();
  }

  show(): void {
    this.visible = true;
    if (this.charts.length === 0) this.build();
    this.update();
  }

  hide(): void {
    this.visible = false;
  }

  private update(): void {
    this.renderTiles();
    for (const c of this.charts) c.plot.setData(this.data(c.key));
  }

  private data(key: Key): uPlot.AlignedData {
    const xs = this.points.map((p) => p.t);
    // One series per agent, aligned on the shared x: null where the turn was another agent's.
    const ys = AGENTS.map((a) => this.points.map((p) => (p.agent === a ? p[key] : null)));
    return [xs, ...ys];
  }

  private rebuild(): void {
    for (const c of this.charts) c.plot.destroy();
    this.charts = [];
    if (this.visible) {
      this.build();
      this.update();
    }
  }

  private build(): void {
    const css = getComputedStyle(document.documentElement);
    const color = (name: string) => css.getPropertyValue(name).trim() || '#888';
    const axis: uPlot.Axis = { stroke: color('--muted'), grid: { stroke: color('--grid'), width: 1 }, ticks: { stroke: color('--grid') } };
    this.resize?.disconnect();
    this.resize = new ResizeObserver(() => {
      for (const c of this.charts) c.plot.setSize({ width: Math.max(200, c.host.clientWidth), height: 180 });
    });
    for (const { key, el: sel } of CHARTS) {
      const host = $(sel);
      replace(host);
      const opts: uPlot.Options = {
        width: Math.max(200, host.clientWidth),
        height: 180,
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
        axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((v) => `${v}`) }],
        series: [
          { label: 'time' },
          ...AGENTS.map((agent) => ({
            label: agent,
            stroke: color(`--agent-${agent}`),
            width: 2,
            spanGaps: true,
            points: { show: true, size: 5, fill: color(`--agent-${agent}`) },
            value: (_u: uPlot, v: number | null) => fmtMs(v),
          })),
        ],
      };
      const plot = new uPlot(opts, this.data(key), host);
      this.charts.push({ key, plot, host });
      this.resize.observe(host);
    }
  }

  private renderTiles(): void {
    const s = this.snapshot;
    const rate = s && s.turns_total > 0 ? s.errors_total / s.turns_total : null;
    const tile = (label: string, value: string, key: string) =>
      el('div', { class: 'tile', attrs: { 'data-tile': key } }, el('span', { class: 'tile-value' }, value), el('span', { class: 'tile-label' }, label));
    replace(
      this.tiles,
      tile('turns', fmtInt(s?.turns_total), 'turns'),
      tile('active now', fmtInt(s?.active_turns), 'active'),
      tile('errors', fmtInt(s?.errors_total), 'errors'),
      tile('error rate', fmtPct(rate), 'error-rate'),
      tile('tokens', fmtInt(s?.tokens_total), 'tokens'),
      tile('cost', fmtCost(s?.cost_usd_total), 'cost'),
    );
    const median = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? v[Math.floor((v.length - 1) / 2)]! : null;
    };
    const rows = AGENTS.map((a) => {
      const ps = this.points.filter((p) => p.agent === a);
      return el(
        'tr',
        { attrs: { 'data-agent': a } },
        el('th', { attrs: { scope: 'row' } }, el('span', { class: 'agent', attrs: { 'data-agent': a } }, a)),
        el('td', { class: 'num' }, fmtInt(ps.length)),
        el('td', { class: 'num' }, fmtMs(median(ps.map((p) => p.first_chunk)))),
        el('td', { class: 'num' }, fmtMs(median(ps.map((p) => p.first_audio)))),
        el('td', { class: 'num' }, fmtMs(median(ps.map((p) => p.total)))),
      );
    });
    replace(
      this.agents,
      el(
        'table',
        { class: 'agent-table' },
        el('caption', null, `Recent turns per agent (medians of the last ${this.points.length})`),
        el(
          'thead',
          null,
          el('tr', null, el('th', null, 'agent'), el('th', null, 'turns'), el('th', null, 'first chunk'), el('th', null, 'first audio'), el('th', null, 'total')),
        ),
        el('tbody', null, ...rows),
      ),
    );
  }
}
