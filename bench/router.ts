/**
 * Router classification time over the labelled corpus, against baselines measured in the same run.
 *
 *   npx tsx bench/router.ts           # ~10 s
 *   npx tsx bench/router.ts --full    # 10x the passes
 *
 * Rows:
 * - baseline: lowercase + one regex test per utterance (the least any text router does);
 * - normalize: the router's normalization alone (contractions, punctuation, typo correction);
 * - classify: the whole rule router, with the default house's vocabulary (target: p99 ≤ 50 µs);
 * - classify, cottage: the cottage's fresh utterances with the cottage's vocabulary (its names
 *   are marked, so instant rules also run on the unmarked text);
 * - classify, fresh typos: utterances with a new misspelling every call, so the typo corrector's
 *   memo never helps (the worst case for the corrector);
 * - instant answer: classify + the instant agent's whole answer, for instant utterances;
 * - a 4,000-character utterance (the longest a request may carry): the baseline and classify on
 *   it, so a cost that grows faster than the text shows up as a ratio far above the short rows'
 *   (test/agents/router.test.ts used to hold this as a 20 ms wall-clock bound).
 * Each call is timed on its own (hrtime), after a warm-up; prints a table and writes
 * bench/results/router.json.
 *
 * Accuracy (share routed to the expected agent), beside the timings: the labelled corpus
 * (test/agents/router-corpus.ts, the default house) and the fresh corpus written after the rules
 * (test/agents/router-fresh.ts) for both homes — the default house and the cottage
 * (test/fixtures/cottage.ts) — with its held-out part reported apart. Each router is given its
 * home's vocabulary, as the runtime does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSimulatedHome } from '../src/agents/home/index.js';
import { createInstantAgent } from '../src/agents/instant.js';
import { createRouter, type Router } from '../src/agents/router.js';
import { readUtterance } from '../src/agents/router-text.js';
import { homeVocabulary } from '../src/agents/router-vocabulary.js';
import type { AgentContext } from '../src/turn/agent.js';
import { CORPUS } from '../test/agents/router-corpus.js';
import { FRESH, HELD_OUT, type FreshUtterance } from '../test/agents/router-fresh.js';
import { COTTAGE_LAYOUT } from '../test/fixtures/cottage.js';

const FULL = process.argv.includes('--full');
const PASSES = FULL ? 2000 : 200;
const WARMUP_PASSES = 20;
const TARGET_P99_US = 50;

const texts = CORPUS.map((c) => c.text);
const houseWords = homeVocabulary(await createSimulatedHome().listEntities());
const cottageWords = homeVocabulary(await createSimulatedHome({ layout: COTTAGE_LAYOUT }).listEntities());
const router = createRouter({ vocabulary: () => houseWords });
const cottageRouter = createRouter({ vocabulary: () => cottageWords });
const routers: Record<FreshUtterance['home'], Router> = { default: router, cottage: cottageRouter };
const instant = createInstantAgent({ timeZone: 'Europe/London' });
const instantTexts = CORPUS.filter((c) => c.agent === 'instant').map((c) => c.text);

interface Row {
  name: string;
  calls: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  mean_us: number;
}

let sink = 0; // keeps results alive so nothing is optimized away

function measure(name: string, inputs: readonly string[], passes: number, fn: (text: string) => unknown, warmup = true): Row {
  for (let p = 0; warmup && p < WARMUP_PASSES; p++) for (const t of inputs) sink += fn(t) ? 1 : 0;
  const samples = new Float64Array(inputs.length * passes);
  let k = 0;
  for (let p = 0; p < passes; p++) {
    for (const t of inputs) {
      const t0 = process.hrtime.bigint();
      const r = fn(t);
      samples[k++] = Number(process.hrtime.bigint() - t0) / 1000;
      sink += r ? 1 : 0;
    }
  }
  return summarize(name, samples);
}

function summarize(name: string, samples: Float64Array): Row {
  samples.sort();
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  let sum = 0;
  for (const s of samples) sum += s;
  const round = (x: number) => Math.round(x * 100) / 100;
  return { name, calls: samples.length, p50_us: round(at(0.5)), p99_us: round(at(0.99)), max_us: round(samples[samples.length - 1]), mean_us: round(sum / samples.length) };
}

/** A misspelling nobody typed before: two adjacent letters of a long word swapped, plus a counter. */
let typoCounter = 0;
function freshTypo(text: string): string {
  typoCounter++;
  return text.replace(/\b([a-z])([a-z])([a-z]{3,})\b/, (_, a: string, b: string, rest: string) => `${a}${b}${rest}${String.fromCharCode(97 + (typoCounter % 26))}${String.fromCharCode(97 + ((typoCounter / 26) % 26 | 0))}`);
}

async function measureAsync(name: string, inputs: readonly string[], passes: number, fn: (text: string) => Promise<unknown>): Promise<Row> {
  for (let p = 0; p < WARMUP_PASSES; p++) for (const t of inputs) sink += (await fn(t)) ? 1 : 0;
  const samples = new Float64Array(inputs.length * passes);
  let k = 0;
  for (let p = 0; p < passes; p++) {
    for (const t of inputs) {
      const t0 = process.hrtime.bigint();
      const r = await fn(t);
      samples[k++] = Number(process.hrtime.bigint() - t0) / 1000;
      sink += r ? 1 : 0;
    }
  }
  return summarize(name, samples);
}

async function answerInstant(text: string): Promise<string> {
  const route = router.classify(text);
  const ctx: AgentContext = { request: { text }, conversationId: 'bench', route, history: [], signal: new AbortController().signal, now: new Date() };
  let out = '';
  for await (const part of instant.run(ctx)) if (part.type === 'chunk') out += part.text;
  return out;
}

const started = Date.now();
const LONG = 'please tell me more about the history of the world '.repeat(80).slice(0, 4000);
const baselineRe = /\b(?:turn|switch|lock|unlock|dim|set)\b.*\b(?:on|off|lights?|door|thermostat)\b/;
const rows: Row[] = [
  measure('baseline: lowercase + 1 regex', texts, PASSES, (t) => baselineRe.test(t.toLowerCase())),
  measure('normalize only', texts, PASSES, (t) => readUtterance(t).tokens.length),
  measure('classify', texts, PASSES, (t) => router.classify(t).intent),
  measure('classify, cottage (fresh set)', FRESH.filter((u) => u.home === 'cottage').map((u) => u.text), PASSES, (t) => cottageRouter.classify(t).intent),
  measure('classify, fresh typos', Array.from({ length: 20 }, () => texts.map(freshTypo)).flat(), 1, (t) => router.classify(t).intent, false),
  await measureAsync('instant: route + answer', instantTexts, PASSES, answerInstant),
  measure('baseline, 4000 chars', [LONG], PASSES, (t) => baselineRe.test(t.toLowerCase())),
  measure('classify, 4000 chars', [LONG], PASSES, (t) => router.classify(t).intent),
];
const classify = rows.find((r) => r.name === 'classify')!;

/** Each utterance's own median over many calls: the algorithm's worst case, free of scheduler noise. */
function slowestMedian(): { text: string; median_us: number } {
  let worst = { text: '', median_us: 0 };
  const s = new Float64Array(51);
  for (const t of texts) {
    for (let i = 0; i < s.length; i++) {
      const t0 = process.hrtime.bigint();
      sink += router.classify(t).confidence;
      s[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    s.sort();
    if (s[25] > worst.median_us) worst = { text: t, median_us: Math.round(s[25] * 100) / 100 };
  }
  return worst;
}
const slowest = slowestMedian();

interface Accuracy {
  set: string;
  utterances: number;
  correct: number;
  percent: number;
  misrouted: string[];
}
function accuracy(set: string, items: readonly { text: string; agent: string; home?: FreshUtterance['home'] }[]): Accuracy {
  const misrouted = items.filter((u) => (u.home ? routers[u.home] : router).classify(u.text).agent !== u.agent).map((u) => u.text);
  const correct = items.length - misrouted.length;
  return { set, utterances: items.length, correct, percent: Math.round((correct / items.length) * 1000) / 10, misrouted };
}
const accuracies: Accuracy[] = [
  accuracy('corpus (default house)', CORPUS),
  ...(['default', 'cottage'] as const).flatMap((home) => [
    accuracy(`fresh, ${home}`, FRESH.filter((u) => u.home === home)),
    accuracy(`held out, ${home}`, HELD_OUT.filter((u) => u.home === home)),
  ]),
];
const ok = classify.p99_us <= TARGET_P99_US;

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(`\nrouter benchmark: ${texts.length} utterances, ${PASSES} passes (${FULL ? 'full' : 'quick'}), node ${process.version}, ${cpus().length} cpu, load ${loadavg()[0].toFixed(2)}\n`);
console.log(`${'row'.padEnd(32)}${pad('calls', 9)}${pad('p50 µs', 10)}${pad('p99 µs', 10)}${pad('max µs', 10)}${pad('mean µs', 10)}`);
for (const r of rows) console.log(`${r.name.padEnd(32)}${pad(r.calls, 9)}${pad(r.p50_us, 10)}${pad(r.p99_us, 10)}${pad(r.max_us, 10)}${pad(r.mean_us, 10)}`);
const base = rows[0];
console.log(`\n${'accuracy'.padEnd(32)}${pad('right', 9)}${pad('of', 6)}${pad('%', 8)}`);
for (const a of accuracies) {
  console.log(`${a.set.padEnd(32)}${pad(a.correct, 9)}${pad(a.utterances, 6)}${pad(a.percent, 8)}`);
  for (const m of a.misrouted) console.log(`    misrouted: ${JSON.stringify(m)}`);
}
console.log(`\nslowest utterance by its own median: ${slowest.median_us} µs (${JSON.stringify(slowest.text)})`);
console.log(`classify p99 ${classify.p99_us} µs (target ≤ ${TARGET_P99_US} µs): ${ok ? 'OK' : 'OVER TARGET'}; ` + `p50 is ${(classify.p50_us / Math.max(base.p50_us, 0.01)).toFixed(0)}x the baseline's\n`);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'router.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'router',
      date: new Date().toISOString(),
      mode: FULL ? 'full' : 'quick',
      node: process.version,
      cpus: cpus().length,
      load: loadavg()[0],
      utterances: texts.length,
      passes: PASSES,
      target_p99_us: TARGET_P99_US,
      target_met: ok,
      rows,
      slowest_utterance: slowest,
      accuracy: accuracies,
      duration_s: (Date.now() - started) / 1000,
      sink: sink % 2,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);
if (!ok) process.exitCode = 1;
