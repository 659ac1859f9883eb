/**
 * What Home Assistant's two doors add — the Wyoming server and the Ollama-compatible `/api/chat` —
 * against the same turn over SSE in the same run.
 *
 *   npx tsx bench/wyoming.ts          # 30 rounds
 *   npx tsx bench/wyoming.ts --full   # 100 rounds
 *
 * The real runtime in demo mode (the simulated model over real HTTP/SSE with a fixed answer, time to
 * first token 50 ms, 200 tokens/s; Flite speech) behind the real server, on loopback, client in the
 * same process. Each round runs, in rotating order:
 * - text: SSE `POST /api/v1/chat/stream` → first `chunk` with text, against Wyoming `transcript` →
 *   first `handled-chunk`, and against Ollama `POST /api/chat` (what Home Assistant's Ollama
 *   integration calls) → first NDJSON line with content;
 * - audio: SSE with `speak: true` → first `audio`, against the Home Assistant path through Wyoming:
 *   `transcript` on one connection, its `handled-chunk`s relayed as they come into a
 *   `synthesize-start` / `synthesize-chunk` stream on a second connection → first `audio-chunk`.
 *   (Home Assistant waits for 60 characters before it opens the TTS stream; that wait is its own
 *   and is left out here, so the number is what Barnabee's two Wyoming programs add.)
 * Times are from the request's first byte written to the event's bytes read. Prints a table and
 * writes bench/results/wyoming.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createParser } from 'eventsource-parser';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { startRuntime } from '../src/runtime.js';
import { startServer } from '../src/server/index.js';
import { createEventDecoder, encodeEvent, type WyomingEvent } from '../src/wyoming/index.js';

const ROUNDS = process.argv.includes('--full') ? 100 : 30;
const ANSWER =
  'The moon is about three hundred and eighty thousand kilometres away, and it takes light a little over a second to cross that distance. ' +
  'It turns once for every orbit, which is why we always see the same face. Its pull raises the tides in the oceans twice a day.';
const QUESTION = 'tell me about the moon';

// ---- clients ------------------------------------------------------------------------------------
/** Milliseconds from sending to the first SSE event that `hit` accepts; the turn is read to its end. */
async function sseFirst(url: string, speak: boolean, hit: (type: string, data: any) => boolean): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/chat/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: QUESTION, speak }),
  });
  let at = -1;
  const parser = createParser({
    onEvent: (m) => {
      if (at < 0 && m.event && hit(m.event, JSON.parse(m.data))) at = performance.now() - t0;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  if (at < 0) throw new Error('no matching SSE event');
  return at;
}

/** Milliseconds from sending to the first `/api/chat` NDJSON line with content; the answer is read to its end. */
async function ollamaFirst(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'barnabee', messages: [{ role: 'user', content: QUESTION }], stream: true }),
  });
  let at = -1;
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let nl: number;
    while (at < 0 && (nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as { message?: { content?: string } };
      buffered = buffered.slice(nl + 1);
      if (line.message?.content) at = performance.now() - t0;
    }
    if (at >= 0) buffered = '';
  }
  if (at < 0) throw new Error('no /api/chat line with content');
  return at;
}

/** A Wyoming connection whose events arrive through `on`. */
function wyoming(port: number, on: (e: WyomingEvent) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const decode = createEventDecoder();
    socket.on('data', (b: Buffer) => decode(b).forEach(on));
    socket.on('error', () => {});
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * A stopwatch started by `start()` and stopped by the first event of `type`. Every run is read to
 * its end (`over`) before the next starts, so no run's leftover synthesis slows the next one.
 */
function firstOf(type: string) {
  let t0 = 0;
  let done!: (ms: number) => void;
  const ms = new Promise<number>((r) => (done = r));
  let seen = false;
  let finish!: () => void;
  const over = new Promise<void>((r) => (finish = r));
  return {
    ms,
    over,
    finish,
    start: () => (t0 = performance.now()),
    see(e: WyomingEvent) {
      if (e.type !== type || seen) return;
      seen = true;
      done(performance.now() - t0);
    },
  };
}

const transcript = () => encodeEvent({ type: 'transcript', data: { text: QUESTION, language: 'en', context: { conversation_id: `bench-${Math.random()}` } } });

/** Milliseconds from the transcript to the first `handled-chunk` (the connection is opened beforehand, as both sides' are). */
async function wyomingText(port: number): Promise<number> {
  const first = firstOf('handled-chunk');
  const socket = await wyoming(port, (e) => {
    first.see(e);
    if (e.type === 'handled-stop') {
      socket.destroy();
      first.finish();
    }
  });
  first.start();
  socket.write(transcript());
  await first.over;
  return first.ms;
}

/** Transcript → handled-chunks relayed into a TTS stream on a second connection → first audio-chunk. */
async function wyomingAudio(port: number): Promise<number> {
  const first = firstOf('audio-chunk');
  const tts = await wyoming(port, (e) => {
    first.see(e);
    if (e.type === 'synthesize-stopped') {
      tts.destroy();
      first.finish();
    }
  });
  let opened = false;
  const conv = await wyoming(port, (e) => {
    if (e.type === 'handled-chunk') {
      if (!opened) tts.write(encodeEvent({ type: 'synthesize-start', data: {} }));
      opened = true;
      tts.write(encodeEvent({ type: 'synthesize-chunk', data: { text: String(e.data.text) } }));
    } else if (e.type === 'handled') {
      tts.write(encodeEvent({ type: 'synthesize', data: { text: String(e.data.text) } }));
      tts.write(encodeEvent({ type: 'synthesize-stop' }));
    } else if (e.type === 'handled-stop') conv.destroy();
  });
  first.start();
  conv.write(transcript());
  await first.over;
  return first.ms;
}

// ---- stats --------------------------------------------------------------------------------------
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

// ---- run ----------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'barnabee-bench-wyoming-'));
const config = loadConfig(
  { PORT: '0', LOG_LEVEL: 'silent', BARNABEE_DB: join(dir, 'bench.db'), RATE_LIMIT_PER_MINUTE: '100000', MAX_TURNS_PER_CLIENT: '16', WYOMING_SERVER_PORT: '0' },
  { envFile: false },
);
const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
runtime.simulator!.configure({ text: ANSWER, ttftMs: 50, tokensPerSecond: 200 });
const server = await startServer(runtime, { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'silent' }), wyoming: { port: 0 } });
const port = server.wyoming!.port;

const samples = { sse_text: [] as number[], wyoming_text: [] as number[], ollama_text: [] as number[], sse_audio: [] as number[], wyoming_audio: [] as number[] };
const runs: Array<[keyof typeof samples, () => Promise<number>]> = [
  ['sse_text', () => sseFirst(server.url, false, (type, d) => type === 'chunk' && !!d.text)],
  ['wyoming_text', () => wyomingText(port)],
  ['ollama_text', () => ollamaFirst(server.url)],
  ['sse_audio', () => sseFirst(server.url, true, (type) => type === 'audio')],
  ['wyoming_audio', () => wyomingAudio(port)],
];
// Warm-up: connections, the speech workers, the JIT.
for (const [, run] of runs) for (let i = 0; i < 3; i++) await run();
for (let round = 0; round < ROUNDS; round++) {
  // Rotating order, so neither side always runs first after a pause.
  for (let i = 0; i < runs.length; i++) {
    const [name, run] = runs[(round + i) % runs.length]!;
    samples[name].push(await run());
    await runtime.simulator!.settled();
  }
}
await server.close();
await runtime.close();
rmSync(dir, { recursive: true, force: true });

const row = (what: string, base: number[], door: number[]) => ({
  what,
  sse_p50: r2(pct(base, 50)),
  sse_p90: r2(pct(base, 90)),
  door_p50: r2(pct(door, 50)),
  door_p90: r2(pct(door, 90)),
  added_p50_ms: r2(pct(door, 50) - pct(base, 50)),
  ratio_p50: r2(pct(door, 50) / pct(base, 50)),
});
const rows = [
  row('Wyoming: first text (chunk / handled-chunk)', samples.sse_text, samples.wyoming_text),
  row('Ollama /api/chat: first text (chunk / NDJSON line)', samples.sse_text, samples.ollama_text),
  row('Wyoming: first audio (audio / audio-chunk)', samples.sse_audio, samples.wyoming_audio),
];

console.log(`Home Assistant doors vs SSE, same turn, ${ROUNDS} rounds each (ms from request sent)\n`);
console.log('| measure | SSE p50 | SSE p90 | door p50 | door p90 | added at p50 | ratio p50 |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.what} | ${r.sse_p50} | ${r.sse_p90} | ${r.door_p50} | ${r.door_p90} | ${r.added_p50_ms} | ${r.ratio_p50} |`);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'wyoming.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, rounds: ROUNDS, model: { ttft_ms: 50, tokens_per_s: 200 }, tts: runtime.status().tts, rows, samples },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out}`);
