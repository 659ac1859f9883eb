/**
 * How fast a stop travels: from the moment a client leaves (or a caller aborts) to the moment the
 * upstream model request is closed, as the simulator records it. The tests only check that the
 * stop happens, long before the answer would have ended; the latencies live here.
 *
 *   npx tsx bench/abort.ts          # ~20 s: 30 trials per row
 *   npx tsx bench/abort.ts --full   # 150 trials per row
 *
 * Rows, each against the same simulator (a 400-token answer at 50 tokens/s, so 8 s if not stopped):
 * - baseline: plain `fetch` + `AbortController` + `eventsource-parser`, aborted after 3 tokens
 *   (the least a client can do);
 * - model client: `stream()` aborted after 3 tokens; and a consumer that `break`s after one;
 * - turn: the turn runner with the interaction agent, aborted after 3 chunks (abort → turn.end,
 *   and abort → upstream closed);
 * - server: the real runtime behind the server, an SSE reader that disconnects after its first
 *   chunk, and a WebSocket that is terminated (client gone → upstream closed).
 * Prints p50/p95/max per row and writes bench/results/abort.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import WebSocket from 'ws';
import { createInteractionAgent } from '../src/agents/interaction.js';
import { createLlmClient, startSimulator, type Simulator } from '../src/llm/index.js';
import { runTurn } from '../src/turn/index.js';
import { startRealHarness } from '../test/support/server-runtime.js';
import { agentsWith, fixedRouter } from '../test/support/turn-fixtures.js';
import { pct, r2 } from './server/stats.js';

const FULL = process.argv.includes('--full');
const TRIALS = FULL ? 150 : 30;
const ANSWER = { text: 'word '.repeat(400), ttftMs: 5, tokensPerSecond: 50 };

interface Row {
  name: string;
  trials: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

function summarize(name: string, ms: number[]): Row {
  const at = (p: number) => r2(pct(ms, p));
  return { name, trials: ms.length, p50_ms: at(50), p95_ms: at(95), max_ms: at(100) };
}

/** The close of the request the simulator received at index `i`, once it has happened. */
async function closedAt(sim: Simulator, i: number): Promise<number> {
  await sim.settled();
  const rec = sim.records[i]!;
  if (rec.closedBy !== 'client-closed' || rec.closedAt === null) throw new Error(`request ${i} ended ${rec.closedBy}, not closed by the client`);
  return rec.closedAt;
}

/** Reads an SSE response with plain `fetch` until `stop` says so, then aborts; returns when it aborted. */
async function fetchSseUntil(url: string, init: RequestInit, stop: (m: EventSourceMessage) => boolean): Promise<number> {
  const ac = new AbortController();
  let abortAt = 0;
  const parser = createParser({
    onEvent: (m) => {
      if (abortAt || !stop(m)) return;
      abortAt = performance.now();
      ac.abort();
    },
  });
  try {
    const res = await fetch(url, { ...init, signal: ac.signal });
    const decoder = new TextDecoder();
    for await (const chunk of res.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } catch {
    // our own abort
  }
  return abortAt;
}

async function trials(name: string, one: () => Promise<number>): Promise<Row> {
  await one(); // warm-up: JIT, a pooled socket
  const ms: number[] = [];
  for (let i = 0; i < TRIALS; i++) ms.push(await one());
  process.stderr.write(`${name}: done\n`);
  return summarize(name, ms);
}

const started = Date.now();
const rows: Row[] = [];

// ---- model client -------------------------------------------------------------------------------
{
  const sim = await startSimulator({ ...ANSWER, usage: 'always' });
  const client = createLlmClient({
    provider: 'openai-compatible',
    baseUrl: sim.url,
    model: 'bench/abort',
    fallbacks: [],
    temperature: 0.5,
    maxTokens: 1000,
    firstTokenTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    totalTimeoutMs: 60_000,
    maxRetries: 0,
    retryBaseMs: 100,
  });
  const body = JSON.stringify({ model: 'bench/abort', stream: true, messages: [{ role: 'user', content: 'x' }] });
  const messages = [{ role: 'user' as const, content: 'x' }];
  try {
    rows.push(
      await trials('baseline: fetch + AbortController', async () => {
        const i = sim.records.length;
        let tokens = 0;
        const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
        const abortAt = await fetchSseUntil(`${sim.url}/chat/completions`, init, (m) => m.data !== '[DONE]' && ++tokens === 3);
        return (await closedAt(sim, i)) - abortAt;
      }),
    );
    rows.push(
      await trials('model client: abort', async () => {
        const i = sim.records.length;
        const ac = new AbortController();
        let tokens = 0;
        let abortAt = 0;
        try {
          for await (const part of client.stream({ messages }, { signal: ac.signal })) {
            if (part.type === 'text-delta' && ++tokens === 3) {
              abortAt = performance.now();
              ac.abort();
            }
          }
        } catch {
          // aborted
        }
        return (await closedAt(sim, i)) - abortAt;
      }),
    );
    rows.push(
      await trials('model client: consumer break', async () => {
        const i = sim.records.length;
        let stopAt = 0;
        for await (const part of client.stream({ messages })) {
          if (part.type === 'text-delta') {
            stopAt = performance.now();
            break;
          }
        }
        return (await closedAt(sim, i)) - stopAt;
      }),
    );

    // ---- turn runner ----------------------------------------------------------------------------
    const deps = {
      router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 0.5 }),
      agents: agentsWith(createInteractionAgent({ llm: client, timeZone: 'UTC' })),
      history: () => [],
    };
    const upstream: number[] = [];
    rows.push(
      await trials('turn: abort → turn.end', async () => {
        const i = sim.records.length;
        const controller = new AbortController();
        let chunks = 0;
        let abortAt = 0;
        let endAt = 0;
        for await (const e of runTurn({ text: 'talk' }, controller.signal, deps)) {
          if (e.type === 'chunk' && ++chunks === 3) {
            abortAt = performance.now();
            controller.abort();
          }
          if (e.type === 'turn.end') endAt = performance.now();
        }
        upstream.push((await closedAt(sim, i)) - abortAt);
        return endAt - abortAt;
      }),
    );
    rows.push(summarize('turn: abort → upstream closed', upstream.slice(1)));
  } finally {
    await client.close();
    await sim.close();
  }
}

// ---- server -------------------------------------------------------------------------------------
{
  const h = await startRealHarness();
  const QUESTION = 'tell me about the history of the bicycle';
  try {
    rows.push(
      await trials('server: SSE reader gone → upstream closed', async () => {
        h.simulator.enqueue(ANSWER);
        const i = h.simulator.records.length;
        const leftAt = await fetchSseUntil(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent(QUESTION)}`, {}, (m) => m.event === 'chunk');
        return (await closedAt(h.simulator, i)) - leftAt;
      }),
    );
    rows.push(
      await trials('server: WebSocket terminated → upstream closed', async () => {
        h.simulator.enqueue(ANSWER);
        const i = h.simulator.records.length;
        const ws = new WebSocket(`${h.wsUrl}/api/v1/ws`);
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        const leftAt = await new Promise<number>((resolve) => {
          ws.on('message', (data) => {
            if ((JSON.parse(String(data)) as { type: string }).type !== 'chunk') return;
            const at = performance.now();
            ws.terminate();
            resolve(at);
          });
          ws.send(JSON.stringify({ type: 'turn.create', text: QUESTION }));
        });
        return (await closedAt(h.simulator, i)) - leftAt;
      }),
    );
  } finally {
    await h.close();
  }
}

// ---- report -------------------------------------------------------------------------------------
const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(`\nabort benchmark: ${TRIALS} trials per row, node ${process.version}, ${cpus().length} cpu, load ${loadavg()[0].toFixed(2)}\n`);
console.log(`${'row'.padEnd(48)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('max ms', 9)}`);
for (const r of rows) console.log(`${r.name.padEnd(48)}${pad(r.p50_ms, 9)}${pad(r.p95_ms, 9)}${pad(r.max_ms, 9)}`);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'abort.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'abort', date: new Date().toISOString(), node: process.version, cpus: cpus().length, load: loadavg()[0], trials: TRIALS, rows, duration_s: (Date.now() - started) / 1000 }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
