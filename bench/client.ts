/**
 * Model-client overhead: Barnabee's streaming client against a minimal baseline (plain `fetch`,
 * a TextDecoderStream and line splitting) reading the same simulator in the same run.
 *
 *   npx tsx bench/client.ts            # ~1 minute: 1 and 200 concurrent streams
 *   npx tsx bench/client.ts --full     # more rounds, plus 2,000 concurrent paced streams
 *
 * The simulator runs in a child process so its CPU is not billed to the client. Two measures:
 * - first-token latency (request start → first text token) against a fixed simulated delay;
 * - per-token cost: client CPU time (process.cpuUsage) per token while reading bursts of tokens
 *   (in the short `ttft` answers, CPU per stream — connection, request, parsing — dominates).
 * Prints a table and writes bench/results/client.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLlmClient, startSimulator, type LlmClient } from '../src/llm/index.js';

const SIM_TTFT_MS = 20;
const BURST_TOKENS = 500;
const PACED_TPS = 40;
const SCENARIOS = {
  // A short answer after a fixed delay: what the client adds to time-to-first-token.
  'bench/ttft': { ttftMs: SIM_TTFT_MS, tokensPerSecond: 2000, text: words(20), usage: 'always' as const },
  // A long answer sent as fast as possible: what each token costs the client.
  'bench/burst': { ttftMs: 0, tokensPerSecond: 0, text: words(BURST_TOKENS), usage: 'always' as const },
  // A realistic pace, for many concurrent streams.
  'bench/paced': { ttftMs: 200, tokensPerSecond: PACED_TPS, text: words(80), usage: 'always' as const, keepaliveEveryMs: 100 },
};

function words(n: number): string {
  return Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
}

// ---- child: the simulator --------------------------------------------------------------------
if (process.argv.includes('--serve')) {
  const sim = await startSimulator({ byModel: SCENARIOS, recordLimit: 100 });
  process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
  // Any line on stdin asks for the simulator's CPU time so far (µs).
  createInterface({ input: process.stdin }).on('line', () => {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ cpu_us: cpu.user + cpu.system })}\n`);
  });
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
  await new Promise(() => undefined);
}

// ---- parent: the measurements ----------------------------------------------------------------
interface StreamResult {
  ttftMs: number;
  tokens: number;
}
type Reader = (url: string, model: string) => Promise<StreamResult>;

const messages = [{ role: 'user' as const, content: 'Benchmark, please.' }];

/** The baseline: what a careful hand-written client does with no library. */
async function baselineStream(url: string, model: string): Promise<StreamResult> {
  const start = performance.now();
  const res = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true } }),
  });
  if (!res.ok || !res.body) throw new Error(`baseline: HTTP ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ttftMs = -1;
  let tokens = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('data: ')) continue;
      const data = line.slice(6);
      if (data === '[DONE]') continue;
      const content = (JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content;
      if (content) {
        if (ttftMs < 0) ttftMs = performance.now() - start;
        tokens++;
      }
    }
  }
  return { ttftMs, tokens };
}

function barnabeeReader(client: LlmClient): Reader {
  return async (_url, model) => {
    const start = performance.now();
    let ttftMs = -1;
    let tokens = 0;
    for await (const part of client.stream({ model, messages })) {
      if (part.type === 'text-delta') {
        if (ttftMs < 0) ttftMs = performance.now() - start;
        tokens++;
      }
    }
    return { ttftMs, tokens };
  };
}

interface Row {
  scenario: string;
  client: 'baseline' | 'barnabee';
  concurrency: number;
  streams: number;
  tokens: number;
  ttft_p50_ms: number;
  ttft_p95_ms: number;
  cpu_us_per_token: number;
  cpu_us_per_stream: number;
  /** The simulator's CPU per token in the same measurement (its own process). */
  sim_cpu_us_per_token: number;
  wall_ms: number;
  errors: number;
  first_error: string | null;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const r2 = (v: number) => Math.round(v * 100) / 100;

async function measure(
  read: Reader,
  url: string,
  model: string,
  concurrency: number,
  rounds: number,
  simCpu: () => Promise<number>,
): Promise<Omit<Row, 'scenario' | 'client'>> {
  const sim0 = await simCpu();
  const ttfts: number[] = [];
  let tokens = 0;
  let errors = 0;
  let firstError: string | null = null;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let round = 0; round < rounds; round++) {
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => read(url, model)));
    for (const r of results) {
      if (r.status === 'fulfilled' && r.value.ttftMs >= 0) {
        ttfts.push(r.value.ttftMs);
        tokens += r.value.tokens;
      } else {
        errors++;
        firstError ??= r.status === 'rejected' ? String((r.reason as Error)?.cause ?? r.reason) : 'no token';
      }
    }
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const simUs = (await simCpu()) - sim0;
  ttfts.sort((a, b) => a - b);
  return {
    concurrency,
    streams: concurrency * rounds,
    tokens,
    ttft_p50_ms: r2(pct(ttfts, 50)),
    ttft_p95_ms: r2(pct(ttfts, 95)),
    cpu_us_per_token: tokens ? r2((cpu.user + cpu.system) / tokens) : NaN,
    cpu_us_per_stream: Math.round((cpu.user + cpu.system) / (concurrency * rounds)),
    sim_cpu_us_per_token: tokens ? r2(simUs / tokens) : NaN,
    wall_ms: Math.round(wall),
    errors,
    first_error: firstError,
  };
}

async function startChild(): Promise<{ url: string; child: ChildProcess; simCpu: () => Promise<number> }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, self, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const simCpu = () =>
    new Promise<number>((resolve) => {
      lines.once('line', (line) => resolve((JSON.parse(line) as { cpu_us: number }).cpu_us));
      child.stdin!.write('cpu\n');
    });
  return { url, child, simCpu };
}

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const { url, child, simCpu } = await startChild();
  const client = createLlmClient({
    provider: 'openai-compatible',
    baseUrl: url,
    model: 'bench/ttft',
    fallbacks: [],
    temperature: 0.7,
    maxTokens: 1000,
    firstTokenTimeoutMs: 30_000,
    idleTimeoutMs: 30_000,
    totalTimeoutMs: 120_000,
    maxRetries: 0,
    retryBaseMs: 100,
  });
  const readers: Record<Row['client'], Reader> = { baseline: baselineStream, barnabee: barnabeeReader(client) };
  const plan: Array<{ scenario: keyof typeof SCENARIOS; concurrency: number; rounds: number }> = [
    { scenario: 'bench/ttft', concurrency: 1, rounds: full ? 300 : 100 },
    { scenario: 'bench/ttft', concurrency: 200, rounds: full ? 15 : 5 },
    { scenario: 'bench/burst', concurrency: 1, rounds: full ? 150 : 50 },
    { scenario: 'bench/burst', concurrency: 200, rounds: full ? 8 : 3 },
  ];
  if (full) plan.push({ scenario: 'bench/paced', concurrency: 2000, rounds: 1 });

  const rows: Row[] = [];
  try {
    // Warm both paths (JIT, sockets) before measuring.
    for (const read of Object.values(readers)) await measure(read, url, 'bench/burst', 20, 2, simCpu);
    for (const step of plan) {
      // Alternate the order per step so neither client always runs on a warmer machine.
      const order: Row['client'][] = rows.length % 4 === 0 ? ['baseline', 'barnabee'] : ['barnabee', 'baseline'];
      for (const name of order) {
        const row = { scenario: step.scenario, client: name, ...(await measure(readers[name], url, step.scenario, step.concurrency, step.rounds, simCpu)) };
        rows.push(row);
        process.stderr.write(`${row.scenario} ×${row.concurrency} ${row.client}: done\n`);
      }
    }
  } finally {
    await client.close();
    child.stdin!.end();
    child.kill('SIGTERM');
  }

  console.log('\nModel client vs. minimal fetch baseline (same simulator, same run)\n');
  console.table(
    rows.map((r) => ({
      scenario: r.scenario.replace('bench/', ''),
      conc: r.concurrency,
      client: r.client,
      streams: r.streams,
      tokens: r.tokens,
      'ttft p50 ms': r.ttft_p50_ms,
      'ttft p95 ms': r.ttft_p95_ms,
      'cpu µs/token': r.cpu_us_per_token,
      'cpu µs/stream': r.cpu_us_per_stream,
      'sim cpu µs/token': r.sim_cpu_us_per_token,
      'wall ms': r.wall_ms,
      errors: r.errors,
    })),
  );
  const compare = plan.map((step) => {
    const ours = rows.find((r) => r.scenario === step.scenario && r.concurrency === step.concurrency && r.client === 'barnabee')!;
    const base = rows.find((r) => r.scenario === step.scenario && r.concurrency === step.concurrency && r.client === 'baseline')!;
    return {
      scenario: step.scenario,
      concurrency: step.concurrency,
      ttft_p50_delta_ms: r2(ours.ttft_p50_ms - base.ttft_p50_ms),
      cpu_us_per_token_delta: r2(ours.cpu_us_per_token - base.cpu_us_per_token),
      cpu_ratio: r2(ours.cpu_us_per_token / base.cpu_us_per_token),
    };
  });
  console.log('Barnabee minus baseline (negative = Barnabee cheaper)\n');
  console.table(compare);

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'client.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        bench: 'client',
        at: new Date().toISOString(),
        node: process.version,
        full,
        simulator: { ttft_ms: SIM_TTFT_MS, burst_tokens: BURST_TOKENS, process: 'child' },
        rows,
        compare,
      },
      null,
      2,
    )}\n`,
  );
  for (const r of rows) if (r.first_error) console.log(`${r.scenario} ×${r.concurrency} ${r.client}: ${r.errors} errors, first: ${r.first_error}`);
  console.log(`wrote ${out}`);
}

if (!process.argv.includes('--serve')) await main();
