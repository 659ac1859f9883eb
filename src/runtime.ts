/**
 * The composition root: everything the server and the CLI run on, built from the config in one
 * place and closed in one place. Anything that can be wrong with the settings or the machine
 * (an unusable database, a bad voice) fails here, at start, with a clear message.
 */
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import {
  createActionAgent,
  createHomeControl,
  createInstantAgent,
  createInteractionAgent,
  createRouter,
  homeFromConfig,
  watchHomeVocabulary,
  type HomeBackend,
} from './agents/index.js';
import { createAssistant } from './assistant.js';
import { openLlm, type LlmClient, type LlmClientOptions, type Simulator } from './llm/index.js';
import { createSpeechStage, createTtsEngine, type TtsEngine } from './speech/index.js';
import {
  createEventBus,
  openStore,
  type Agent,
  type AgentKind,
  type Assistant,
  type EventBus,
  type OpenStoreOptions,
  type Router,
  type RuntimeStatus,
  type SpeechStage,
  type Store,
} from './turn/index.js';
import { VERSION } from './version.js';
import { probeAll, type Dependency, type Reachability } from './reachability.js';

export type { RuntimeStatus };

export interface Runtime {
  config: Config;
  assistant: Assistant;
  bus: EventBus;
  store: Store;
  llm: LlmClient;
  /** The in-process model simulator in demo mode, else null. */
  simulator: Simulator | null;
  home: HomeBackend;
  router: Router;
  agents: Record<AgentKind, Agent>;
  speech: SpeechStage | null;
  tts: TtsEngine | null;
  logger: Logger;
  status(): RuntimeStatus;
  /** Whether the model server and an external speech server answer (built-in parts are not listed). */
  checks(): Promise<Reachability[]>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Overrides for the model client (tests, benchmarks). */
  llm?: Partial<LlmClientOptions>;
  /** Overrides for the store (tests, benchmarks): e.g. `writerAfter: 0` writes on the worker thread from the first turn. */
  store?: Pick<OpenStoreOptions, 'writerAfter'>;
  /** Only errors on the log (the CLI's chat, whose stdout and stderr are for the answer). */
  quiet?: boolean;
}

export async function startRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  // Logs go to stderr: stdout belongs to answers (`barnabee chat`).
  const logger =
    options.logger ?? pino({ name: 'barnabee', level: options.quiet ? 'error' : config.LOG_LEVEL }, pino.destination(2));
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        logger.warn({ err }, 'runtime: a part failed to close');
      }
    }
    closers.length = 0;
  };

  try {
    const store = openStore(config.BARNABEE_DB, { logger: logger.child({ part: 'store' }), ...options.store });
    closers.push(() => store.close());

    const llm = await openLlm(config, { logger: logger.child({ part: 'llm' }), ...options.llm });
    closers.push(() => llm.close());
    const client = llm.client;

    const home = homeFromConfig(config, store.kv, logger.child({ part: 'home' }));
    closers.push(() => home.close?.());
    // The router knows the home's names; read in the background, refreshed when the home changes.
    const vocabulary = watchHomeVocabulary(home, { onError: (err) => logger.warn({ err: String(err) }, 'could not read the home for the router') });
    closers.push(() => vocabulary.close());
    const router = createRouter({
      llm: config.ROUTER_MODEL_FALLBACK ? client : undefined,
      model: config.ROUTER_MODEL,
      // "Hey Barnabee, …": the wake name is stripped before routing, whatever the assistant is called.
      assistantName: config.ASSISTANT_NAME,
      vocabulary: vocabulary.current,
      realHome: home.name === 'home-assistant',
    });
    // One home for both agents that act on it, with one memory of questions waiting for a yes: an
    // unlock the model's tool asked about is confirmed by the action agent on the next turn.
    const control = createHomeControl(home);
    const agents: Record<AgentKind, Agent> = {
      instant: createInstantAgent({ timeZone: config.TIME_ZONE, assistantName: config.ASSISTANT_NAME }),
      // The simulator answers prose, not a JSON plan: in demo mode the rules alone drive the home.
      action: createActionAgent({ control, assistantName: config.ASSISTANT_NAME, llm: config.provider === 'demo' ? undefined : client, model: config.ACTION_MODEL }),
      interaction: createInteractionAgent({
        control,
        llm: client,
        temperature: config.LLM_TEMPERATURE,
        maxTokens: config.LLM_MAX_TOKENS,
        timeZone: config.TIME_ZONE,
        assistantName: config.ASSISTANT_NAME,
      }),
    };

    // Speech plugs in here: one engine for the process, one stage that every speaking turn runs through.
    const tts = createTtsEngine(config);
    closers.push(() => tts.close?.());
    const speech = createSpeechStage({
      engine: tts,
      parallelism: config.TTS_PARALLELISM,
      chunker: { firstMinWords: config.SPEECH_FIRST_MIN_WORDS, maxChars: config.SPEECH_MAX_CHARS },
    });

    const bus = createEventBus();
    const assistant = createAssistant({
      router,
      agents,
      store,
      bus,
      speech,
      historyTurns: config.HISTORY_TURNS,
      gatherMs: config.STREAM_BATCH_MS,
      logger: logger.child({ part: 'assistant' }),
    });

    const status = (): RuntimeStatus => ({
      version: VERSION,
      provider: config.provider,
      demo: config.provider === 'demo',
      model: client.defaultModel,
      tts: { engine: tts.name, voice: tts.voice },
      home: home.name,
    });
    logger.info({ ...status(), db: config.BARNABEE_DB }, 'runtime started');

    // The servers this configuration depends on; one probe at a time, its answer kept for 5 s.
    const dependencies = dependenciesOf(config);
    let lastCheck: { at: number; result: Promise<Reachability[]> } | null = null;
    const checks = (): Promise<Reachability[]> => {
      if (!lastCheck || performance.now() - lastCheck.at > 5000) lastCheck = { at: performance.now(), result: probeAll(dependencies) };
      return lastCheck.result;
    };

    let closing: Promise<void> | null = null;
    return {
      config,
      assistant,
      bus,
      store,
      llm: client,
      simulator: llm.simulator,
      home,
      router,
      agents,
      speech,
      tts,
      logger,
      status,
      checks,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The servers outside this process that the configuration relies on. */
function dependenciesOf(config: Config): Dependency[] {
  const deps: Dependency[] = [];
  if (config.provider === 'openrouter') deps.push({ part: 'model', url: `${config.OPENROUTER_BASE_URL.replace(/\/+$/, '')}/models` });
  if (config.provider === 'openai-compatible' && config.LLM_BASE_URL) deps.push({ part: 'model', url: `${config.LLM_BASE_URL.replace(/\/+$/, '')}/models` });
  if (config.TTS_ENGINE === 'openai' && config.TTS_BASE_URL) deps.push({ part: 'speech', url: `${config.TTS_BASE_URL.replace(/\/+$/, '')}/models` });
  if (config.TTS_ENGINE === 'wyoming') deps.push({ part: 'speech', url: `tcp://${config.WYOMING_HOST.includes(':') ? `[${config.WYOMING_HOST}]` : config.WYOMING_HOST}:${config.WYOMING_PORT}` });
  return deps;
}
