import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { createFliteEngine, type PcmChunk } from '../../src/speech/index.js';
import { findOnPath } from '../../src/speech/playback.js';
import { PROMPT_MS } from '../support/wait.js';

const engine = createFliteEngine({ workers: 2 });
after(() => engine.close());

async function synth(text: string, voice?: string, signal?: AbortSignal): Promise<{ pcm: Buffer; rate: number; chunks: PcmChunk[] }> {
  const chunks: PcmChunk[] = [];
  for await (const c of engine.synthesize(text, { voice, signal })) chunks.push(c);
  return { pcm: Buffer.concat(chunks.map((c) => c.pcm)), rate: chunks[0]?.sampleRate ?? 0, chunks };
}

function stats(pcm: Buffer, rate: number) {
  let sum = 0;
  let peak = 0;
  const n = pcm.length / 2;
  for (let i = 0; i < n; i++) {
    const v = pcm.readInt16LE(i * 2);
    sum += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  return { ms: (n / rate) * 1000, rms: Math.sqrt(sum / n), peak };
}

describe('Flite engine (WASI, helper processes)', () => {
  it('speaks: 16 kHz mono audio whose length follows the text and is not silence', async () => {
    const short = await synth('Hello there.');
    const long = await synth('Hello there. The quick brown fox jumps over the lazy dog, and then it runs into the dark forest.');
    assert.equal(short.rate, 16000);
    const s = stats(short.pcm, short.rate);
    const l = stats(long.pcm, long.rate);
    // Speech runs at roughly 2.5 to 4 words a second.
    assert.ok(s.ms > 500 && s.ms < 2500, `short: ${s.ms} ms`);
    assert.ok(l.ms > 4000 && l.ms < 12000, `long: ${l.ms} ms`);
    assert.ok(l.ms > 3 * s.ms);
    assert.ok(s.rms > 300 && s.peak > 3000, `short is audible (rms ${s.rms.toFixed(0)}, peak ${s.peak})`);
    assert.ok(l.rms > 300, `long is audible (rms ${l.rms.toFixed(0)})`);
  });

  it('has the kal16 and slt voices, and they differ', async () => {
    const a = await synth('Good evening.', 'kal16');
    const b = await synth('Good evening.', 'slt');
    assert.equal(a.rate, 16000);
    assert.equal(b.rate, 16000);
    assert.notDeepEqual(a.pcm, b.pcm);
    assert.ok(stats(b.pcm, b.rate).rms > 300);
  });

  it('rejects an unknown voice with a clear error', async () => {
    await assert.rejects(synth('Hi.', 'alloy'), /unknown flite voice "alloy" \(available: kal16, slt/);
    assert.throws(() => createFliteEngine({ voice: 'bogus' as never }), /unknown flite voice/);
  });

  it('treats the text as text: no shell, no option injection', async () => {
    const odd = await synth('-voice slt "; rm -rf / $(reboot) `id` -o /etc/passwd');
    assert.ok(stats(odd.pcm, odd.rate).ms > 1000);
  });

  it('yields nothing for text with nothing to say', async () => {
    assert.equal((await synth('  ... !! ')).chunks.length, 0);
    assert.equal((await synth('')).chunks.length, 0);
  });

  it('runs off the event loop: timers keep firing during a long synthesis', async () => {
    const text = 'This is a long passage that takes the synthesizer a little while to render into audio. '.repeat(12);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    const { pcm, rate } = await synth(text);
    const took = performance.now() - t0;
    clearInterval(timer);
    assert.ok(stats(pcm, rate).ms > 30_000);
    assert.ok(ticks >= Math.min(5, took / 10), `${ticks} timer ticks during ${took.toFixed(0)} ms of synthesis`);
  });

  it('synthesizes in parallel on its helpers and keeps results apart', async () => {
    const texts = ['First of three.', 'The second one is a bit longer than the first.', 'Third.'];
    const results = await Promise.all(texts.map((t) => synth(t)));
    const ms = results.map((r) => stats(r.pcm, r.rate).ms);
    assert.ok(ms[1] > ms[0] && ms[0] > ms[2], ms.join(', '));
  });

  it('abort: a queued call rejects at once; a running one too, and its helper is stopped', async () => {
    const one = createFliteEngine({ workers: 1 });
    const drain = async (text: string, signal: AbortSignal) => {
      for await (const _ of one.synthesize(text, { signal })) void _;
    };
    try {
      const long = 'A very long text keeps the single helper busy for a good while. '.repeat(60);
      const ac = new AbortController();
      const queuedAc = new AbortController();
      const busy = drain(long, ac.signal).catch((e: Error) => e);
      const queued = drain('Waiting in line.', queuedAc.signal).catch((e: Error) => e);
      queuedAc.abort();
      assert.equal(((await queued) as Error).name, 'AbortError');
      assert.equal(one.abortedRuns, 0, 'a queued job needs no kill');
      await new Promise((r) => setTimeout(r, 20));
      const t0 = performance.now();
      ac.abort();
      const err = (await busy) as Error;
      assert.equal(err.name, 'AbortError');
      assert.ok(performance.now() - t0 < PROMPT_MS, 'the running synthesis was stopped at once');
      assert.equal(one.abortedRuns, 1);
      // The pool replaces the stopped helper.
      const after = [];
      for await (const c of one.synthesize('Still working.')) after.push(c);
      assert.ok(after.length === 1 && after[0].pcm.length > 16000);
    } finally {
      await one.close();
    }
  });

  it('handles long inputs repeatedly (they crashed node:wasi fast calls on Node 20)', async () => {
    const text = 'Hello there my friend, how is the weather today in the city. '.repeat(10);
    for (let i = 0; i < 20; i++) {
      const { pcm, rate } = await synth(text);
      assert.ok(stats(pcm, rate).ms > 30_000);
    }
  });

  it('survives its helper dying mid-synthesis: that call fails clearly, the next one works', async (t) => {
    const pgrep = findOnPath('pgrep');
    if (!pgrep) return t.skip('pgrep not available');
    const one = createFliteEngine({ workers: 1 });
    try {
      const long = 'A very long text keeps the single helper busy for a good while. '.repeat(60);
      const call = (async () => {
        for await (const _ of one.synthesize(long)) void _;
      })().catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 20));
      // Our own helper processes: the children of this test process.
      const pids = execFileSync(pgrep, ['-P', String(process.pid)]).toString().trim().split(/\s+/).map(Number);
      assert.ok(pids.length >= 1);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      assert.match(((await call) as Error).message, /flite crashed \(SIGKILL\)/);
      let bytes = 0;
      for await (const c of one.synthesize('Back again.')) bytes += c.pcm.length;
      assert.ok(bytes > 16000);
    } finally {
      await one.close();
    }
  });

  it('refuses work once closed', async () => {
    const e = createFliteEngine();
    await e.close();
    await assert.rejects(async () => {
      for await (const _ of e.synthesize('Hello.')) void _;
    }, /closed/);
  });
});
