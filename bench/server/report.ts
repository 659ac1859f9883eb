/**
 * The server section of bench/RESULTS.md, rendered from a results file plus two data files:
 * notes.json (what the runs, profiles and traces showed, dated) and findings.json (each change
 * tried on the server's overhead, kept or dropped, with its before and after).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { PATH_LABEL, PATHS, type PathName } from './client.js';
import { CAPACITY_STREAMS, CPU_VS_FLOOR, LATENCY_VS_FLOOR, levelRatios, TARGET_STREAMS } from './judge.js';
import { median, spread } from './stats.js';
import type { PathNumbers, Ratio, ServerBenchResult } from './types.js';

const here = (file: string) => new URL(file, import.meta.url).pathname;
export const RESULTS_JSON = here('../results/server.json');
const RESULTS_MD = here('../RESULTS.md');

const Notes = z.array(z.object({ date: z.string(), title: z.string(), text: z.string() }));
const Findings = z.array(z.object({ area: z.string(), change: z.string(), before: z.string(), after: z.string(), kept: z.boolean(), why: z.string() }));

function readData<T>(file: string, schema: z.ZodType<T>, empty: T): T {
  const path = here(file);
  if (!existsSync(path)) return empty;
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`bench/server/${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const show = (x: number | null | undefined, unit = '') => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${x}${unit}`);
const range = (r: [number, number] | null, unit = '') => (r ? (r[0] === r[1] ? `${r[0]}${unit}` : `${r[0]}–${r[1]}${unit}`) : '–');
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const ratioCell = (q: Ratio) => (q.median === null ? '–' : `${q.median}× (${range(q.rounds, '×')})`);
const verdict = (met: boolean | null) => (met === null ? 'not judged' : met ? '**met**' : '**not met**');

export function render(r: ServerBenchResult): string {
  const notes = readData('notes.json', Notes, []);
  const findings = readData('findings.json', Findings, []);
  const before = r.setup.machine_before;
  const out: string[] = [
    '## Server (`bench/server.ts`)',
    '',
    `${r.date.slice(0, 10)}, Node ${r.node}, mode \`${r.mode}\`. ${r.cpus} CPUs shared by five processes: the model simulator (${r.setup.answer_words}-word answer), ` +
      'the Barnabee server (real runtime: router → interaction agent → model client → simulator), the floor, the peer, and the load client; one path carries load at a time while the others idle. ' +
      `Before the run the machine was already busy ${show(before.busy_cores)} cores of ${r.cpus} (load average ${before.loadavg_1m}): other sessions' test suites share it, so absolute milliseconds move from run to run. ` +
      'The ratios compare paths measured in the same rounds, minutes apart at most, and are what the targets use.',
    '',
    'The paths:',
    '',
    '- **direct**: the load client streaming from the simulator itself; the baseline every "added" figure subtracts.',
    '- **floor**: the least a Node proxy of the same stream does (`bench/server/floor.ts`: `node:http` in, one pooled undici request out, eventsource-parser, each token written at once as a Barnabee-shaped SSE event). No framework, router, agents, store, bus, metrics, limits or auth: what this machine charges any proxy for the hop.',
    '- **peer**: the endpoint a Node developer would write instead of Barnabee (`bench/server/peer.ts`): the AI SDK 5 with `createOpenAICompatible` pointed at the same simulator, the request\'s UI messages (what `useChat` sends) through `convertToModelMessages`, `streamText`, and `pipeUIMessageStreamToResponse` (its UI-message stream as SSE, the response `useChat` reads) on a `node:http` server. No routing, store or speech.',
    '- **Barnabee SSE** (`POST /api/v1/chat/stream`) and **Barnabee WebSocket** (`turn.create` on an open `/api/v1/ws`): the whole server.',
    '',
    'First chunk = request sent (WebSocket: `turn.create` sent) → first answer text received. **Added** = the path\'s first chunk minus direct\'s at the same percentile in the same round, in ms. ' +
      '**CPU per turn** = the server process\'s user + kernel CPU over its windows ÷ the turns it served (whole turn, every chunk, warm-up turns included), in ms. Every counted turn is checked: ended as it should, with the model\'s exact text.',
  ];

  for (const level of r.steady) {
    out.push(
      '',
      `### ${level.streams} steady stream${level.streams === 1 ? '' : 's'}`,
      '',
      `${level.streams === 1 ? 'One client, starting' : `${level.streams} virtual clients, each starting`} its next turn the moment its previous one ends${level.streams === 1 ? '' : " (first turns spread over one answer's length)"}; the simulator answers after ${level.sim.ttftMs} ms at ${level.sim.tokensPerSecond} tokens/s (${level.turn_ms} ms per answer). ` +
        `Before the rounds, every path alone for ${(2 * level.warmup_ms) / 1000} s, not counted (a server's first window at a level grows its heap and optimizes its code). ${level.rounds_n} rounds; in each, every path alone for ${level.warmup_ms / 1000} s of warm-up (not counted) and ${level.measure_ms / 1000} s measured, in an order that rotates from round to round. First chunk: percentiles over every counted turn of the level; added: the median of the rounds, in parentheses the smallest and largest round; CPU: over all rounds, in parentheses the range of single rounds.`,
      '',
      '**Absolute** (ms; turns/s; cores):',
      '',
      '| path | turns (failed) | turns/s | first chunk p50 / p99 | added p50 | added p99 | server CPU per turn | kernel share | server loop delay p99 | load client CPU per turn | machine busy |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...PATHS.map((p) => {
        const n: PathNumbers = level.pooled[p];
        const each = (f: (x: PathNumbers) => number | null) => level.rounds.map((x) => f(x[p]));
        const added = (f: (x: PathNumbers) => number | null) => (f(n) === null ? '–' : `${show(median(each(f)))} (${range(spread(each(f)))})`);
        return `| ${PATH_LABEL[p]} | ${n.samples}${n.failed ? ` (${n.failed} failed)` : ''} | ${n.turns_per_s} | ${n.p50} / ${n.p99} | ${added((x) => x.added_p50)} | ${added((x) => x.added_p99)} | ${n.cpu_ms_per_turn === null ? '–' : `${n.cpu_ms_per_turn} (${range(spread(each((x) => x.cpu_ms_per_turn)))})`} | ${n.kernel_share === null ? '–' : `${Math.round(n.kernel_share * 100)} %`} | ${show(n.loop_delay_p99_ms)} | ${n.client_cpu_ms_per_turn} | ${show(n.machine_busy_cores)} |`;
      }),
      '',
      '**Ratios** (no unit): the path\'s figure ÷ the baseline\'s, taken within each round, so both were measured minutes apart at most; the median over the rounds, in parentheses the smallest and largest round; – where the baseline added nothing; below zero where the path came in under direct at that percentile (within the noise). A ratio from the pooled figures of the absolute table can differ: one slow round dominates a pooled p99.',
      '',
      '| path | added p50 ÷ floor | added p99 ÷ floor | CPU ÷ floor | added p50 ÷ peer | added p99 ÷ peer | CPU ÷ peer |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...(['peer', 'floor', 'sse', 'ws'] as const).map((p: Exclude<PathName, 'direct'>) => {
        const q = levelRatios(level).paths[p];
        const vs = (base: 'floor' | 'peer', x: typeof q.floor) => (p === base ? '1 | 1 | 1' : `${ratioCell(x.added_p50)} | ${ratioCell(x.added_p99)} | ${ratioCell(x.cpu)}`);
        return `| ${PATH_LABEL[p]} | ${vs('floor', q.floor)} | ${vs('peer', q.peer)} |`;
      }),
    );
  }

  if (r.targets.length)
    out.push(
      '',
      `### Targets (issue 15, ${TARGET_STREAMS} steady streams, one run)`,
      '',
      `Barnabee's added first chunk over SSE and over WebSocket ≤ ${LATENCY_VS_FLOOR}× the floor's at p50 and p99 and ≤ the peer's; its CPU per turn ≤ ${CPU_VS_FLOOR}× the floor's; ${CAPACITY_STREAMS.toLocaleString('en')} streams with nothing lost; memory per open stream reported. "Met" is judged on the median of the rounds' ratios; the last column says in how many single rounds the comparison held.`,
      '',
      '| target | measured | result | rounds where it held |',
      '|---|---:|---|---:|',
      ...r.targets.map((t) => `| ${t.what} | ${t.value} | ${verdict(t.met)} | ${t.rounds_met ?? '–'} |`),
    );

  if (r.bursts.length)
    out.push(
      '',
      '### Bursts',
      '',
      `That many turns started in the same instant (${r.setup.burst_sim.ttftMs} ms to first token, ${r.setup.burst_sim.tokensPerSecond} tokens/s), direct, SSE and WebSocket each alone in rotation: queueing at a thundering-herd start, not steady latency. Absolute, ms.`,
      '',
      '| streams | samples | direct p50 / p99 | SSE p50 / p99 | WS p50 / p99 | added SSE p50 / p99 | added WS p50 / p99 |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...r.bursts.map((b) => `| ${b.streams} | ${b.samples} | ${b.direct.join(' / ')} | ${b.sse.join(' / ')} | ${b.ws.join(' / ')} | ${b.added_sse.join(' / ')} | ${b.added_ws.join(' / ')} |`),
    );

  if (r.capacity.length)
    out.push(
      '',
      '### Concurrent streams and memory',
      '',
      `Every stream checked: completed, \`seq\` 0,1,2… in order with no gap, text equal to the model answer (the simulator at ${r.setup.capacity_sim.ttftMs} ms to first token, ${r.setup.capacity_sim.tokensPerSecond} tokens/s, so all streams are open together). Memory, sampled every 20 ms inside the server process: JS heap in use at peak minus the heap after a full GC just before the level, per stream; RSS shown too (it is sticky: memory freed by one level stays mapped for the next). Absolute.`,
      '',
      '| transport | streams | completed | lost/reordered | wrong text | errors | heap before → peak | heap per stream | RSS before → peak | wall |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.capacity.map(
        (c) =>
          `| ${c.transport} | ${c.streams} | ${c.completed}${Object.keys(c.incomplete ?? {}).length ? ` (others: ${Object.entries(c.incomplete).map(([how, n]) => `${n} ${how}`).join(', ')})` : ''} | ${c.lost_or_reordered} | ${c.wrong_text} | ${c.errors} | ${c.heap_idle_mb} → ${c.heap_peak_mb} MB | ${c.kb_per_stream} KB | ${c.rss_idle_mb} → ${c.rss_peak_mb} MB | ${c.seconds} s |`,
      ),
      '',
      `Most concurrent streams held with zero lost or reordered chunks: SSE ${r.max_streams_held.sse}, WebSocket ${r.max_streams_held.ws} (\`--full\` tries up to 4,000).`,
    );

  if (findings.length)
    out.push(
      '',
      '### Findings: the server\'s overhead, change by change',
      '',
      'Each change measured before it was kept or dropped (`bench/server/findings.json`).',
      '',
      '| area | change | before | after | kept | why |',
      '|---|---|---|---|---|---|',
      ...findings.map((f) => `| ${cell(f.area)} | ${cell(f.change)} | ${cell(f.before)} | ${cell(f.after)} | ${f.kept ? 'kept' : 'dropped'} | ${cell(f.why)} |`),
    );

  if (notes.length) out.push('', '### Notes', '', ...notes.flatMap((n) => [`**${n.title}** (${n.date}). ${n.text}`, '']));
  return out.join('\n').trimEnd();
}

/** Replaces the server section of bench/RESULTS.md (between its markers), or appends it. */
export function writeSection(body: string): void {
  const start = '<!-- server:start -->';
  const end = '<!-- server:end -->';
  const section = `${start}\n${body}\n${end}`;
  let text = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, 'utf8') : '# Benchmark results\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS_MD, text);
}
