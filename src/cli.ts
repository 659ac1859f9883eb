#!/usr/bin/env node
/**
 * `barnabee serve | chat | help`. The CLI is one more client of the assistant: it reads the same
 * turn events every transport encodes, so what it prints is what any client would see.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openLlm } from './llm/index.js';
import { startRuntime, type Runtime } from './runtime.js';
import { startServer } from './server/index.js';
import { createWavFile, hasPlayer, openPlayer, type WavFile } from './speech/index.js';
import { TurnCancel, type TurnEvent, type TurnRequest } from './turn/events.js';
import { VERSION } from './version.js';

const HELP = `Barnabee ${VERSION}: a voice-assistant response server that answers as it thinks.

Usage:
  barnabee serve                    run the server (HTTP, WebSocket, SSE, OpenAI-compatible, dashboard)
  barnabee chat "text"              ask once: the answer streams to stdout, route and timings to stderr
  barnabee chat                     interactive session (history kept); Ctrl+D or /quit to leave
  barnabee help                     this text

Options for chat:
  --json                            print every turn event as a JSON line instead of the text
  --raw                             skip the router and agents: stream the model directly
                                    (with --json: the model client's typed stream parts)
  --speak                           speak the answer through aplay or paplay while it streams
  --out FILE.wav                    write the spoken answer to a WAV file (implies --speak)
  --voice NAME                      TTS voice (e.g. kal16, slt for Flite)
  --conversation ID                 continue a stored conversation

Settings come from environment variables or a .env file; see the README.`;

const DEMO_NOTE =
  'DEMO mode: answers come from the built-in simulated model. Set OPENROUTER_API_KEY or LLM_BASE_URL for a real one.';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
      speak: { type: 'boolean', default: false },
      out: { type: 'string' },
      voice: { type: 'string' },
      conversation: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  const [command = 'help', ...rest] = positionals;
  if (values.version) return print(VERSION);
  if (values.help || command === 'help') return print(HELP);

  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'chat': {
      const text = rest.join(' ').trim();
      const options: ChatOptions = {
        json: values.json,
        speak: values.speak || values.out !== undefined,
        out: values.out,
        voice: values.voice,
        conversationId: values.conversation,
      };
      if (values.raw) return rawChat(config, text, values.json);
      return chat(config, text, options);
    }
    default:
      process.stderr.write(`barnabee: unknown command "${command}"\n\n${HELP}\n`);
      return 2;
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

async function serve(config: Config): Promise<number> {
  const runtime = await startRuntime(config);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(runtime, { wyoming: true });
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const status = runtime.status();
  process.stderr.write(
    `Barnabee ${VERSION} listening on ${server.url}  (model: ${status.demo ? 'DEMO simulator' : `${status.provider} ${status.model}`}, ` +
      `speech: ${status.tts ? `${status.tts.engine} ${status.tts.voice}` : 'off'}, home: ${status.home})\n` +
      `Dashboard: ${server.url}/\n` +
      (server.wyoming ? `Wyoming (Home Assistant): ${server.wyoming.host}:${server.wyoming.port}\n` : '') +
      (status.demo ? `${DEMO_NOTE}\n` : ''),
  );
  // Said after the banner and never waited for: the server is already answering.
  void runtime.checks().then((checks) => {
    for (const c of checks.filter((c) => !c.ok)) {
      process.stderr.write(`barnabee: the ${c.part === 'model' ? 'model' : 'speech'} server at ${c.target} does not answer (${c.detail}); the server runs on, see /readyz\n`);
    }
  });
  // startServer installs the SIGTERM/SIGINT handlers that drain turns; wait for them to finish.
  await server.closed;
  await runtime.close();
  return 0;
}

interface ChatOptions {
  json: boolean;
  speak: boolean;
  out?: string;
  voice?: string;
  conversationId?: string;
}

async function chat(config: Config, text: string, options: ChatOptions): Promise<number> {
  const runtime = await startRuntime(config, { quiet: true });
  try {
    if (runtime.status().demo && !options.json) process.stderr.write(`${DEMO_NOTE}\n`);
    if (text) return (await askOnce(runtime, text, options)).status === 'completed' ? 0 : 1;
    return await interactive(runtime, options);
  } finally {
    await runtime.close();
  }
}

/** One turn: text to stdout as it streams, route and timings to stderr. Ctrl+C barges in. */
async function askOnce(runtime: Runtime, text: string, options: ChatOptions): Promise<{ status: string; conversationId?: string }> {
  const controller = new AbortController();
  const audio = options.speak ? audioSink(options.out) : null;
  // Ctrl+C barges in: the speaker falls silent and the turn keeps only what was played.
  const onSigint = () => {
    const played = audio?.stop();
    controller.abort(new TurnCancel('barge_in', 'Stopped by the listener.', false, false, played));
  };
  process.once('SIGINT', onSigint);
  const request: TurnRequest = {
    text,
    conversation_id: options.conversationId,
    speak: options.speak,
    voice: options.voice,
    transport: 'cli',
    confirm_scope: `cli:${process.pid}`, // the person at this terminal
  };
  let status = 'failed';
  let conversationId: string | undefined;
  try {
    for await (const event of runtime.assistant.run(request, controller.signal)) {
      if (options.json) {
        const { pcm, ...rest } = event as TurnEvent & { pcm?: Buffer };
        process.stdout.write(`${JSON.stringify(pcm ? { ...rest, bytes: pcm.length } : rest)}\n`);
      }
      if (event.type === 'audio') audio?.write(event.pcm, event.sample_rate);
      if (options.json) {
        if (event.type === 'turn.end') status = event.status;
        continue;
      }
      switch (event.type) {
        case 'turn.start':
          conversationId = event.conversation_id;
          break;
        case 'route':
          process.stderr.write(dim(`[${event.agent} · ${event.intent} · ${Math.round(event.confidence * 100)}%]\n`));
          break;
        case 'chunk':
          process.stdout.write(event.text);
          break;
        case 'action':
          process.stderr.write(dim(`  ${event.ok ? '✓' : '✗'} ${event.service} ${event.target}${event.detail ? `: ${event.detail}` : ''}\n`));
          break;
        case 'error':
          process.stderr.write(`\n[error ${event.code}] ${event.message}\n`);
          break;
        case 'turn.end': {
          status = event.status;
          const m = event.metrics;
          const parts = [
            `${event.status}`,
            `first chunk ${ms(m.first_chunk_ms)}`,
            m.ttft_ms != null ? `time to first token ${ms(m.ttft_ms)}` : null,
            m.tokens_per_s != null ? `${m.tokens_per_s.toFixed(1)} tokens/s` : null,
            m.first_audio_ms != null ? `first audio ${ms(m.first_audio_ms)}` : null,
            `total ${ms(m.total_ms)}`,
          ].filter(Boolean);
          process.stdout.write('\n');
          process.stderr.write(dim(`[${parts.join(' · ')}]\n`));
          break;
        }
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    await audio?.end();
  }
  return { status, conversationId };
}

async function interactive(runtime: Runtime, options: ChatOptions): Promise<number> {
  // The async iterator buffers lines, so piped input is not lost while a turn is streaming.
  const rl = createInterface({ input: process.stdin, terminal: false });
  let conversationId = options.conversationId;
  const prompt = () => process.stderr.write('> ');
  process.stderr.write(`Barnabee ${VERSION}: type a message, /quit to leave.\n`);
  prompt();
  try {
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '/quit' || line === '/exit') break;
      if (line) {
        const result = await askOnce(runtime, line, { ...options, conversationId });
        conversationId = result.conversationId ?? conversationId;
      }
      prompt();
    }
  } finally {
    rl.close();
  }
  process.stderr.write('\n');
  return 0;
}

/** Where spoken audio goes: a WAV file (with its real sizes once closed), or the first player found on the machine. */
function audioSink(out: string | undefined) {
  let player: ReturnType<typeof openPlayer> | undefined;
  // Writes are chained so the file's bytes stay in order whatever the caller awaits.
  let file: Promise<WavFile> | undefined;
  let writes: Promise<unknown> = Promise.resolve();
  // Said before the answer starts, not in the middle of its text.
  const playable = out !== undefined || hasPlayer();
  if (!playable) process.stderr.write('barnabee: no audio player (aplay or paplay) found; use --out answer.wav\n');
  return {
    write(pcm: Buffer, sampleRate: number) {
      if (out) {
        file ??= createWavFile(out, sampleRate);
        const f = file;
        writes = writes.then(async () => (await f).write(pcm));
        return;
      }
      if (!playable) return;
      if (player === undefined) player = openPlayer(sampleRate);
      player?.write(pcm);
    },
    /** Silences the speaker; returns how much it had played (undefined when writing a file: all of it counts). */
    stop(): number | undefined {
      if (!player) return out ? undefined : 0;
      const played = player.playedMs();
      player.stop();
      player = null;
      return played;
    },
    async end() {
      await writes;
      if (file) await (await file).close();
      if (player) await player.end().catch(() => {});
    },
  };
}

/** `--raw`: the model client alone, no router, no agents. */
async function rawChat(config: Config, text: string, json: boolean): Promise<number> {
  if (!text) {
    process.stderr.write('barnabee: --raw needs the text to send\n');
    return 2;
  }
  const llm = await openLlm(config);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    if (llm.simulator && !json) process.stderr.write(`${DEMO_NOTE}\n`);
    for await (const part of llm.client.stream({ messages: [{ role: 'user', content: text }] }, { signal: controller.signal })) {
      if (json) process.stdout.write(`${JSON.stringify(part)}\n`);
      else if (part.type === 'text-delta') process.stdout.write(part.text);
      else if (part.type === 'finish') {
        process.stdout.write('\n');
        const t = part.timing;
        process.stderr.write(
          dim(`[${part.model} · time to first token ${ms(t.ttft_ms)} · ${t.tokens_per_s == null ? '–' : t.tokens_per_s.toFixed(1)} tokens/s · total ${ms(t.total_ms)}]\n`),
        );
      }
    }
    return 0;
  } finally {
    await llm.close();
  }
}

const ms = (v: number | null | undefined) => (v == null ? '–' : `${Math.round(v)} ms`);
const dim = (s: string) => (process.stderr.isTTY ? `\x1b[2m${s}\x1b[22m` : s);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`barnabee: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      const e = err as { name?: string; message?: string; code?: string };
      process.stderr.write(`barnabee: ${e?.name ?? 'Error'}${e?.code ? ` (${e.code})` : ''}: ${e?.message ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
