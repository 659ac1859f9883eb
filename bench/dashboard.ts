/**
 * Does the dashboard keep up? The whole server (demo mode: the simulated model over HTTP/SSE) and
 * the page in Chromium, while N clients stream answers at once over SSE. The baseline, measured in
 * the same run and the same browser, is the bare WebSocket: for every turn, how long after its
 * first chunk and its turn.end *arrive* on the page's feed socket are they *visible* in the DOM?
 * Also the page's main-thread long tasks (> 50 ms) during the run. ("turns measured" can be a
 * little under the streams: Live keeps 40 finished cards, and a turn that finishes and is pruned
 * in the same frame is never seen in the DOM.)
 *
 *   npx tsx bench/dashboard.ts          # ~20 s: 1, 16 and 64 concurrent streams
 *   npx tsx bench/dashboard.ts --full   # adds 128 and 256
 *
 * Prints a table and writes bench/results/dashboard.json. Needs Chromium at /usr/bin/chromium
 * (or CHROMIUM_PATH) and a built dashboard (`npm run build`, or it is built here).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { startRuntime } from '../src/runtime.js';
import { createServer } from '../src/server/index.js';
import { dashboardRoutes } from '../src/server/routes/dashboard.js';

const FULL = process.argv.includes('--full');
const LEVELS = FULL ? [1, 16, 64, 128, 256] : [1, 16, 64];
const TOKENS_PER_S = 60;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface PageRecord {
  /** performance.now() in the page: when the feed socket received the first chunk / turn.end. */
  firstArrived: number | null;
  endArrived: number | null;
  /** ...and when the DOM first showed text / a final status. */
  firstShown: number | null;
  endShown: number | null;
}
interface Row {
  streams: number;
  turns_measured: number;
  events: number;
  first_lag_p50: number;
  first_lag_p95: number;
  end_lag_p50: number;
  end_lag_p95: number;
  end_lag_max: number;
  long_tasks: number;
  long_task_ms: number;
}

const quantile = (xs: number[], q: number) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))]! : NaN;
};

if (!existsSync(CHROMIUM)) {
  console.error(`Chromium not found at ${CHROMIUM}; set CHROMIUM_PATH.`);
  process.exit(1);
}
if (!existsSync(join(ROOT, 'dist', 'dashboard', 'app.js'))) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-dashboard.mjs')]);

const dir = mkdtempSync(join(tmpdir(), 'barnabee-bench-dash-'));
const config = loadConfig(
  {
    PORT: '0',
    LOG_LEVEL: 'silent',
    BARNABEE_DB: join(dir, 'bench.db'),
    DEMO_TTFT_MS: '100',
    DEMO_TOKENS_PER_S: String(TOKENS_PER_S),
    RATE_LIMIT_PER_MINUTE: '100000',
    MAX_TURNS_PER_CLIENT: '1000',
  },
  { envFile: false },
);
const runtime = await startRuntime(config, { quiet: true });
const app = await createServer(runtime, { defaultMetrics: false });
if (!app.hasRoute({ method: 'GET', url: '/api/v1/status' })) await app.register(dashboardRoutes, { runtime });
const url = await app.listen({ host: '127.0.0.1', port: 0 });

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// Counts the feed's events (what the page had to render).
let events = 0;
const watcher = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws/dashboard`);
watcher.on('message', (_data, binary) => {
  if (!binary) events++;
});
await new Promise((resolve) => watcher.once('open', resolve));

async function level(streams: number): Promise<Row> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  // The baseline: arrival on the page's own feed socket (a listener added before the page's own).
  await page.addInitScript(`(() => {
    const Native = WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (ev) => {
          if (typeof ev.data !== 'string' || !window.__bench) return;
          const now = performance.now();
          const e = JSON.parse(ev.data);
          if (!e.turn_id) return;
          const r = (window.__bench.turns[e.turn_id] ??= { firstArrived: null, endArrived: null, firstShown: null, endShown: null });
          if (e.type === 'chunk' && e.text && r.firstArrived === null) r.firstArrived = now;
          if (e.type === 'turn.end') r.endArrived = now;
        });
      }
    };
  })()`);
  await page.goto(url);
  await page.waitForSelector('#feed-state[data-state="open"]');
  await page.evaluate(`(() => {
    const seen = (window.__bench = { turns: {}, longTasks: 0, longTaskMs: 0 });
    const rec = (id) => (seen.turns[id] ??= { firstArrived: null, endArrived: null, firstShown: null, endShown: null });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { seen.longTasks++; seen.longTaskMs += e.duration; }
    }).observe({ type: 'longtask' });
    new MutationObserver(() => {
      const now = performance.now();
      for (const card of document.querySelectorAll('article.turn')) {
        const r = rec(card.getAttribute('data-turn-id'));
        if (r.firstShown === null && card.querySelector('.turn-answer').textContent) r.firstShown = now;
        if (r.endShown === null && card.getAttribute('data-status') !== 'running') r.endShown = now;
      }
    }).observe(document.getElementById('turns'), { subtree: true, childList: true, characterData: true, attributes: true });
  })()`);
  const before = events;
  await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      const res = await fetch(`${url}/api/v1/chat/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Tell me a story about otter number ${i}`, speak: false }),
      });
      await res.text();
    }),
  );
  await page.waitForTimeout(300);
  const pageData = (await page.evaluate('window.__bench')) as { turns: Record<string, PageRecord>; longTasks: number; longTaskMs: number };
  await context.close();

  const firstLags: number[] = [];
  const endLags: number[] = [];
  for (const r of Object.values(pageData.turns)) {
    if (r.firstArrived === null || r.endArrived === null || r.firstShown === null || r.endShown === null) continue;
    firstLags.push(r.firstShown - r.firstArrived);
    endLags.push(r.endShown - r.endArrived);
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    streams,
    turns_measured: endLags.length,
    events: events - before,
    first_lag_p50: round(quantile(firstLags, 0.5)),
    first_lag_p95: round(quantile(firstLags, 0.95)),
    end_lag_p50: round(quantile(endLags, 0.5)),
    end_lag_p95: round(quantile(endLags, 0.95)),
    end_lag_max: round(Math.max(...endLags)),
    long_tasks: pageData.longTasks,
    long_task_ms: Math.round(pageData.longTaskMs),
  };
}

const rows: Row[] = [];
try {
  for (const n of LEVELS) rows.push(await level(n));
} finally {
  watcher.terminate();
  await browser.close();
  await app.close();
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nArrival on the page's feed socket → visible in the DOM (ms), demo model at ${TOKENS_PER_S} tokens/s per stream\n`);
console.log('| streams | turns measured | feed events | first chunk lag p50 / p95 | final state lag p50 / p95 / max | long tasks (total ms) |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.streams} | ${r.turns_measured}/${r.streams} | ${r.events} | ${r.first_lag_p50} / ${r.first_lag_p95} | ${r.end_lag_p50} / ${r.end_lag_p95} / ${r.end_lag_max} | ${r.long_tasks} (${r.long_task_ms}) |`,
  );
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench', 'results', 'dashboard.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, tokens_per_s: TOKENS_PER_S, rows }, null, 2)}\n`,
);
