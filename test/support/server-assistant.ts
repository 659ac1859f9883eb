/**
 * A scripted assistant for server tests: the real turn runner and event bus, with a scripted agent
 * whose answer the utterance chooses, and real Flite speech when a turn asks to speak.
 *
 *   "echo <words>"          → "You said: <words>" streamed word by word
 *   "flood <n> <bytes>"     → n `action` events with `bytes`-character details, as fast as the runner
 *                             pulls (bulk that is not answer text, so turn.end stays small)
 *   "slow <n> <ms>"         → n chunks, one every ms (for disconnect and shutdown tests)
 *   anything else           → "Hello from the script." in three chunks
 *
 * `aborts` records when each turn's agent saw its signal abort (the upstream side of a turn).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createAssistant } from '../../src/assistant.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { ServerRuntime } from '../../src/server/index.js';
import { createFliteEngine } from '../../src/speech/index.js';
import { createEventBus, type Agent, type AgentContext, type AgentPart, type SpeechStage, type TurnPart } from '../../src/turn/index.js';

export interface ScriptRecord {
  text: string;
  startedAt: number;
  abortedAt: number | null;
  finished: boolean;
}

function scriptOf(text: string): { chunks: () => string[]; delayMs: number; actions?: number; actionBytes?: number } {
  const [cmd, a, b] = text.trim().split(/\s+/);
  if (cmd === 'echo') {
    const words = text.trim().slice(5).split(' ');
    return { chunks: () => ['You said:', ...words.map((w) => ` ${w}`)], delayMs: 2 };
  }
  if (cmd === 'flood') return { chunks: () => ['Flooding.'], delayMs: 0, actions: Number(a), actionBytes: Number(b) };
  if (cmd === 'slow') return { chunks: () => Array.from({ length: Number(a) }, (_, i) => `${i} `), delayMs: Number(b) };
  return { chunks: () => ['Hello', ' from the', ' script.'], delayMs: 2 };
}

export function scriptedAgent(records: ScriptRecord[]): Agent {
  return {
    kind: 'interaction',
    async *run(ctx: AgentContext): AsyncIterable<AgentPart> {
      const record: ScriptRecord = { text: ctx.request.text, startedAt: performance.now(), abortedAt: null, finished: false };
      records.push(record);
      const onAbort = () => (record.abortedAt = performance.now());
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
      const { chunks, delayMs, actions = 0, actionBytes = 0 } = scriptOf(ctx.request.text);
      for (let i = 0; i < actions; i++) {
        if (i % 64 === 0) await new Promise((r) => setImmediate(r));
        if (ctx.signal.aborted) return;
        yield { type: 'action', service: 'flood.test', target: `item.${i}`, ok: true, detail: String(i % 10).repeat(actionBytes) };
      }
      const all = chunks();
      for (let i = 0; i < all.length; i++) {
        if (delayMs) await sleep(delayMs, undefined, { signal: ctx.signal }).catch(() => {});
        else if (i % 64 === 0) await new Promise((r) => setImmediate(r));
        if (ctx.signal.aborted) return;
        yield { type: 'chunk', text: all[i]!, done: false };
      }
      yield { type: 'usage', model: 'script', prompt_tokens: 3, completion_tokens: all.length, cost_usd: 0.0001 };
      yield { type: 'chunk', text: '', done: true };
      record.finished = true;
    },
  };
}

/** Speaks the whole answer once its text is done (real Flite; enough for transport tests). */
export function fliteStage(): SpeechStage & { close(): Promise<void> } {
  const engine = createFliteEngine({ workers: 1 });
  const stage = async function* (parts: AsyncIterable<AgentPart>, options: { signal: AbortSignal }): AsyncIterable<AgentPart | TurnPart> {
    let text = '';
    for await (const part of parts) {
      yield part;
      if (part.type === 'chunk') text += part.text;
      if (part.type === 'chunk' && part.done && text.trim()) {
        yield { type: 'speech.start', segment: 0, text };
        let samples = 0;
        let rate = 16000;
        for await (const pcm of engine.synthesize(text, { signal: options.signal })) {
          rate = pcm.sampleRate;
          samples += pcm.pcm.length / 2;
          yield { type: 'audio', segment: 0, sample_rate: pcm.sampleRate, encoding: 'pcm_s16le', channels: 1, pcm: pcm.pcm };
        }
        yield { type: 'speech.end', segment: 0, duration_ms: Math.round((samples / rate) * 1000) };
      }
    }
  } as SpeechStage;
  return Object.assign(stage, { close: () => engine.close?.() ?? Promise.resolve() });
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env }, { envFile: false });
}

export interface ScriptedRuntime extends ServerRuntime {
  records: ScriptRecord[];
}

export function scriptedRuntime(env: Record<string, string> = {}, options: { speech?: SpeechStage } = {}): ScriptedRuntime {
  const config = testConfig(env);
  const bus = createEventBus();
  const records: ScriptRecord[] = [];
  const agent = scriptedAgent(records);
  const assistant = createAssistant({
    router: { classify: () => ({ agent: 'interaction', intent: 'chat', confidence: 1 }) },
    agents: { instant: agent, action: agent, interaction: agent },
    bus,
    speech: options.speech,
    historyTurns: 0,
  });
  return { config, assistant, bus, records };
}
