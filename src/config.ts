/**
 * All settings, from the environment and an optional `.env`, validated once at start.
 * A bad value names the variable and what it expected. Every variable is listed in the README.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });
const num = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a number' })
    .min(min, { error: `expected at least ${min}` })
    .max(max, { error: `expected at most ${max}` });
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], { message: 'expected true or false' })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const url = z.url({ message: 'expected an http(s) URL' }).refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL');
/**
 * Which proxies' `X-Forwarded-*` headers to believe: off, a hop count, or proxy addresses/CIDRs
 * (and proxy-addr's names `loopback`, `linklocal`, `uniquelocal`). Never "everyone": that would let
 * any client choose its own address.
 */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const proxyEntry = (s: string) => {
  if (PROXY_NAMES.has(s)) return true;
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr || !isIP(addr)) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr) === 4 ? 32 : 128);
};
const trustProxy = z
  .string()
  .transform((v, ctx): false | number | string[] => {
    const s = v.trim().toLowerCase();
    if (['0', 'false', 'off', 'no'].includes(s)) return false;
    if (/^\d+$/.test(s) && Number(s) <= 100) return Number(s);
    const entries = s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length && entries.every(proxyEntry)) return entries;
    ctx.addIssue({ code: 'custom', message: 'expected a hop count (1, 2…) or comma-separated proxy addresses/CIDRs (e.g. 10.0.0.2,172.16.0.0/12)' });
    return z.NEVER;
  });
const hostName = z.string().transform((v, ctx) => {
  const names = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = names.find((n) => !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/.test(n));
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `expected comma-separated host names without scheme or port (got ${JSON.stringify(bad)})` });
    return z.NEVER;
  }
  return names;
});
const optional = <T extends z.ZodTypeAny>(t: T) => t.optional();

/** The variables, their types and defaults. Keys are the environment variable names. */
const schema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  BARNABEE_API_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
  CORS_ORIGINS: list.default([]),
  ALLOWED_HOSTS: hostName.default([]),
  TRUST_PROXY: trustProxy.default(false),
  AUTH_FAILURES_PER_MINUTE: int(1).default(10),
  SESSION_TTL_DAYS: num(0.001, 3650).default(7),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  OPENROUTER_API_KEY: optional(z.string().min(1)),
  OPENROUTER_BASE_URL: url.default('https://openrouter.ai/api/v1'),
  OPENROUTER_REFERER: z.string().default('https://github.com/barnabee-voice/barnabee'),
  OPENROUTER_TITLE: z.string().default('Barnabee'),
  LLM_BASE_URL: optional(url),
  LLM_API_KEY: optional(z.string().min(1)),
  LLM_MODEL: optional(z.string().min(1)),
  LLM_FALLBACK_MODELS: list.default([]),
  LLM_TEMPERATURE: num(0, 2).default(0.7),
  LLM_MAX_TOKENS: int(1, 1_000_000).default(400),
  MAX_ANSWER_CHARS: int(100, 10_000_000).default(20_000),
  ACTION_MODEL: optional(z.string().min(1)),
  ROUTER_MODEL: optional(z.string().min(1)),
  LLM_FIRST_TOKEN_TIMEOUT_MS: int(100).default(20_000),
  LLM_IDLE_TIMEOUT_MS: int(100).default(30_000),
  LLM_TOTAL_TIMEOUT_MS: int(100).default(180_000),
  LLM_MAX_RETRIES: int(0, 10).default(2),
  LLM_RETRY_BASE_MS: int(1).default(250),

  DEMO_TTFT_MS: int(0).default(250),
  DEMO_TOKENS_PER_S: num(1, 100_000).default(40),

  ROUTER_MODEL_FALLBACK: bool.default(false),
  TIME_ZONE: z
    .string()
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as Europe/London'),
  HISTORY_TURNS: int(0, 100).default(8),
  ASSISTANT_NAME: z.string().min(1).default('Barnabee'),

  BARNABEE_DB: z.string().min(1).default('./barnabee.db'),
  HA_URL: optional(url),
  HA_TOKEN: optional(z.string().min(1)),

  TTS_ENGINE: z.enum(['flite', 'openai', 'wyoming']).default('flite'),
  TTS_VOICE: optional(z.string().min(1)),
  TTS_BASE_URL: optional(url),
  TTS_API_KEY: optional(z.string().min(1)),
  TTS_MODEL: z.string().min(1).default('kokoro'),
  WYOMING_HOST: z.string().min(1).default('127.0.0.1'),
  WYOMING_PORT: int(1, 65535).default(10200),
  TTS_PARALLELISM: int(1, 8).default(2),
  SPEECH_FIRST_MIN_WORDS: int(1, 50).default(4),
  SPEECH_MAX_CHARS: int(20, 2000).default(220),

  MAX_INPUT_CHARS: int(1, 100_000).default(4000),
  BODY_LIMIT_BYTES: int(1024).default(64 * 1024),
  /** The endpoints that carry a whole conversation each time (`/api/chat`, `/v1/chat/completions`). */
  HISTORY_BODY_LIMIT_BYTES: int(1024).default(1024 * 1024),
  RATE_LIMIT_PER_MINUTE: int(1).default(120),
  MAX_TURNS_PER_CLIENT: int(1).default(4),
  CLIENT_BUFFER_BYTES: int(16 * 1024).default(4 * 1024 * 1024),
  CLIENT_IDLE_TIMEOUT_MS: int(1000).default(30_000),
  SSE_HEARTBEAT_MS: int(100).default(15_000),
  STREAM_BATCH_MS: int(0, 100).default(50),
  SSE_RETRY_MS: int(100, 600_000).default(3000),
  SSE_RESUME_MS: int(0, 300_000).default(10_000),
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000).default(30_000),
  SHUTDOWN_GRACE_MS: int(0).default(10_000),

  WYOMING_SERVER_PORT: int(0, 65535).default(10700),
  WYOMING_ALLOWED_CLIENTS: list.default([]).refine((rules) => rules.every(isClientRule), 'expected IP addresses or CIDR ranges (e.g. 192.168.1.20, 10.0.0.0/24), comma-separated'),
});

/** An IP address, or a CIDR range `address/prefix` with a prefix that fits the address family. */
export function isClientRule(rule: string): boolean {
  const [address = '', prefix, ...rest] = rule.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

type Env = z.infer<typeof schema>;

export interface Config extends Env {
  /** Which model service answers: chosen from the keys present. */
  provider: 'openrouter' | 'openai-compatible' | 'demo';
  /** The model used when an agent names none. */
  model: string;
}

/** Loopback addresses: the only ones Barnabee listens on without an API token. */
export function isLoopbackHost(host: string): boolean {
  return /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.test(host.replace(/^\[|\]$/g, ''));
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose values are secrets: never logged, never echoed. */
export const SECRET_KEYS = ['OPENROUTER_API_KEY', 'LLM_API_KEY', 'HA_TOKEN', 'BARNABEE_API_TOKEN', 'TTS_API_KEY'] as const;

export interface LoadOptions {
  /** Path of a `.env` file to read; values already in `env` win. Default `./.env`; `false` reads none. */
  envFile?: string | false;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const file = options.envFile === undefined ? '.env' : options.envFile;
  const fromFile = file && existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  // Empty strings mean "unset" (as in a shell's `FOO= cmd`), so they neither win over the file nor count.
  const merged: Record<string, string> = {};
  for (const source of [fromFile, env]) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== '') merged[k] = v;
  }

  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0] ?? '');
        const shown = SECRET_KEYS.includes(key as never) ? '(hidden)' : JSON.stringify(merged[key]);
        return `${key}=${shown}: ${i.message}`;
      }),
    );
  }
  const c = parsed.data;
  const provider = c.OPENROUTER_API_KEY ? 'openrouter' : c.LLM_BASE_URL ? 'openai-compatible' : 'demo';
  const model =
    c.LLM_MODEL ?? (provider === 'openrouter' ? 'openai/gpt-4o-mini' : provider === 'demo' ? 'barnabee-sim' : 'default');
  const problems: string[] = [];
  if (c.HA_URL && !c.HA_TOKEN) problems.push('HA_TOKEN: required when HA_URL is set');
  if (!c.BARNABEE_API_TOKEN && !isLoopbackHost(c.HOST)) {
    problems.push(`HOST=${JSON.stringify(c.HOST)}: listening beyond this machine requires BARNABEE_API_TOKEN (or use HOST=127.0.0.1)`);
  }
  if (c.TTS_ENGINE === 'openai' && !c.TTS_BASE_URL) problems.push('TTS_BASE_URL: required when TTS_ENGINE=openai');
  // The Wyoming protocol has no authentication: beyond loopback only named clients are served.
  if (c.WYOMING_SERVER_PORT && !isLoopbackHost(c.HOST) && !c.WYOMING_ALLOWED_CLIENTS.length) {
    problems.push(
      `WYOMING_ALLOWED_CLIENTS: required when HOST=${JSON.stringify(c.HOST)} with the Wyoming server on (name Home Assistant's address, or set WYOMING_SERVER_PORT=0)`,
    );
  }
  if (problems.length) throw new ConfigError(problems);
  return { ...c, provider, model };
}
