/**
 * What a tool round adds beyond the model's own time: from the moment the model finished the round
 * that called a tool (the simulator closed that response) to the moment the next round's request
 * reached the model (the simulator received it). In between: the client reads the end of the
 * stream, the call is validated, resolved and carried out on the simulated home (an `action` and a
 * `tool_result` event), the messages are rebuilt and the next request is sent.
 *
 *   npx tsx bench/tools.ts          # ~10 s: 300 rounds per row
 *   npx tsx bench/tools.ts --full   # 2000 rounds per row
 *
 * Rows, against the same simulator (every token at once, no time to first token, so the model's
 * own time is as near zero as a real socket allows):
 * - baseline: the model client alone, two requests back to back (the second carries the first's
 *   call and a ready-made result): the least any client pays between two rounds;
 * - tool round: a whole turn through the turn runner and the interaction agent with the home as its
 *   tools: `HassTurnOn`/`HassTurnOff` on a light of the simulated home, then the model's answer.
 * Target: tool round ≤ 2 ms at p50. Prints p50/p99 per row and writes bench/results/tools.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHomeControl } from '../src/agents/home-control.js';
import { HOME_TOOLS } from '../src/agents/home-tools.js';
import { createInteractionAgent } from '../src/agents/interaction.js';
import { createSimulatedHome } from '../src/agents/home/index.js';
import { createLlmClient, startSimulator, type ChatMessage, type Simulator } from '../src/llm/index.js';
import { runTurn, type TurnEvent } from '../src/turn/index.js';
import { clientOptions } from '../test/support/llm-sim.js';
import { agentsWith, fixedRouter } from '../test/support/turn-fixtures.js';
import { pct } from './server/stats.js';

const FULL = process.argv.includes('--full');
const ROUNDS = FULL ? 2000 : 300;
const WARMUP = 30;
const TARGET_P50_MS = 2;

interface Row {
  name: string;
  rounds: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

function summarize(name: string, ms: number[]): Row {
  const at = (p: number) => Math.round(pct(ms, p) * 1000) / 1000;
  return { name, rounds: ms.length, p50_ms: at(50), p99_ms: at(99), max_ms: at(100) };
}

/** From the close of request `i` (the model's finish) to the arrival of request `i + 1`. */
async function gap(sim: Simulator, i: number): Promise<number> {
  await sim.settled();
  const done = sim.records[i]!;
  const next = sim.records[i + 1]!;
  if (done.closedBy !== 'completed' || done.closedAt === null) throw new Error(`request ${i} ended ${done.closedBy}`);
  return next.startedAt - done.closedAt;
}

const started = Date.now();
const sim = await startSimulator({ ttftMs: 0, tokensPerSecond: 0, usage: 'always' });
const client = createLlmClient(clientOptions(sim, { model: 'bench-model', maxRetries: 0 }));
const rows: Row[] = [];
const call = (n: number) => ({ name: n % 2 ? 'HassTurnOff' : 'HassTurnOn', arguments: { name: 'porch light' } });

try {
  // ---- baseline: the model client, two requests back to back ------------------------------------
  {
    const ms: number[] = [];
    for (let n = 0; n < WARMUP + ROUNDS; n++) {
      const i = sim.records.length;
      sim.enqueue({ toolCalls: [call(n)] }, { text: 'Done.' });
      const messages: ChatMessage[] = [{ role: 'user', content: 'the porch light' }];
      let id = '';
      for await (const p of client.stream({ messages, tools: [...HOME_TOOLS] })) if (p.type === 'tool-call') id = p.id;
      messages.push(
        { role: 'assistant', content: '', tool_calls: [{ id, type: 'function', function: { name: call(n).name, arguments: JSON.stringify(call(n).arguments) } }] },
        { role: 'tool', content: '{"success":true,"result":"Okay, I turned on the porch light."}', tool_call_id: id },
      );
      for await (const _ of client.stream({ messages, tools: [...HOME_TOOLS] }));
      if (n >= WARMUP) ms.push(await gap(sim, i));
    }
    rows.push(summarize('baseline: model client, two requests back to back', ms));
  }

  // ---- tool round: a turn with the home as the model's tools -------------------------------------
  {
    const home = createSimulatedHome();
    const agent = createInteractionAgent({ llm: client, timeZone: 'UTC', control: createHomeControl(home) });
    const deps = { router: fixedRouter({ agent: 'interaction', intent: 'chat', confidence: 0.5 }), agents: agentsWith(agent), history: () => [] };
    const ms: number[] = [];
    for (let n = 0; n < WARMUP + ROUNDS; n++) {
      const i = sim.records.length;
      sim.enqueue({ toolCalls: [call(n)] }, { text: 'Done.' });
      const events: TurnEvent[] = [];
      for await (const e of runTurn({ text: 'the porch light', confirm_scope: 'bench' }, new AbortController().signal, deps)) events.push(e);
      const actions = events.filter((e) => e.type === 'action');
      const end = events.at(-1)!;
      if (actions.length !== 1 || end.type !== 'turn.end' || end.status !== 'completed') throw new Error(`round ${n} did not act once: ${JSON.stringify(events.map((e) => e.type))}`);
      if (n >= WARMUP) ms.push(await gap(sim, i));
    }
    rows.push(summarize('tool round: interaction agent + simulated home', ms));
  }
} finally {
  await client.close();
  await sim.close();
}

// ---- report -------------------------------------------------------------------------------------
const [baseline, tools] = rows as [Row, Row];
const added = Math.round((tools.p50_ms - baseline.p50_ms) * 1000) / 1000;
const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(`\ntools benchmark: ${ROUNDS} rounds per row, node ${process.version}, ${cpus().length} cpu, load ${loadavg()[0].toFixed(2)}\n`);
console.log(`${'row (model finished → next request arrived)'.padEnd(52)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}`);
for (const r of rows) console.log(`${r.name.padEnd(52)}${pad(r.p50_ms, 9)}${pad(r.p99_ms, 9)}${pad(r.max_ms, 9)}`);
console.log(`\ntool round p50 ${tools.p50_ms} ms (target ≤ ${TARGET_P50_MS} ms: ${tools.p50_ms <= TARGET_P50_MS ? 'met' : 'MISSED'}); ${added} ms above the client's own floor`);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'tools.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'tools',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      load: loadavg()[0],
      rounds: ROUNDS,
      target_p50_ms: TARGET_P50_MS,
      met: tools.p50_ms <= TARGET_P50_MS,
      added_over_baseline_p50_ms: added,
      rows,
      duration_s: (Date.now() - started) / 1000,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${out}`);
