import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { tempDir } from './support/turn-store.js';

const load = (env: Record<string, string>) => loadConfig(env, { envFile: false });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('runs with nothing set: demo mode, loopback, the documented defaults', () => {
    const c = load({});
    assert.equal(c.provider, 'demo');
    assert.equal(c.HOST, '127.0.0.1');
    assert.equal(c.PORT, 8000);
    assert.equal(c.BARNABEE_DB, './barnabee.db');
    assert.equal(c.TTS_ENGINE, 'flite');
    assert.equal(c.LOG_LEVEL, 'info');
    assert.equal(c.MAX_INPUT_CHARS, 4000);
    assert.equal(c.SSE_HEARTBEAT_MS, 15_000);
  });

  it('picks the provider from the keys present: OpenRouter first, then any OpenAI-compatible server', () => {
    assert.equal(load({ OPENROUTER_API_KEY: 'sk-or-x', LLM_BASE_URL: 'http://127.0.0.1:11434/v1' }).provider, 'openrouter');
    const local = load({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'llama3.2' });
    assert.equal(local.provider, 'openai-compatible');
    assert.equal(local.model, 'llama3.2');
  });

  it('a bad value names the variable and what it expected', () => {
    const found = problems({ PORT: 'abc', LLM_TEMPERATURE: '5', TTS_ENGINE: 'espeak', LLM_BASE_URL: 'ftp://x', TIME_ZONE: 'Mars/Olympus' });
    const by = (key: string) => found.find((p) => p.startsWith(`${key}=`)) ?? '';
    assert.match(by('PORT'), /whole number/);
    assert.match(by('LLM_TEMPERATURE'), /at most 2/);
    assert.match(by('TTS_ENGINE'), /flite/);
    assert.match(by('LLM_BASE_URL'), /http/);
    assert.match(by('TIME_ZONE'), /IANA/);
  });

  it('never shows a secret in its errors', () => {
    const found = problems({ BARNABEE_API_TOKEN: 'short-secret', HA_URL: 'http://ha.local:8123' });
    assert.ok(found.some((p) => p.startsWith('BARNABEE_API_TOKEN=(hidden)')));
    assert.ok(!found.join('\n').includes('short-secret'));
  });

  it('settings that go together are checked together', () => {
    assert.ok(problems({ HA_URL: 'http://ha.local:8123' }).some((p) => p.startsWith('HA_TOKEN')));
    assert.ok(problems({ TTS_ENGINE: 'openai' }).some((p) => p.startsWith('TTS_BASE_URL')));
    assert.ok(problems({ HOST: '0.0.0.0' }).some((p) => /BARNABEE_API_TOKEN/.test(p)));
    const token = { BARNABEE_API_TOKEN: 'a-long-enough-token' };
    assert.equal(load({ HOST: '0.0.0.0', ...token, WYOMING_SERVER_PORT: '0' }).HOST, '0.0.0.0');
    // The Wyoming protocol has no authentication: beyond loopback it needs its client list.
    assert.ok(problems({ HOST: '0.0.0.0', ...token }).some((p) => p.startsWith('WYOMING_ALLOWED_CLIENTS')));
    assert.deepEqual(load({ HOST: '0.0.0.0', ...token, WYOMING_ALLOWED_CLIENTS: '192.168.1.20, 10.0.0.0/24,fd00::/8' }).WYOMING_ALLOWED_CLIENTS, [
      '192.168.1.20',
      '10.0.0.0/24',
      'fd00::/8',
    ]);
    for (const bad of ['homeassistant.local', '10.0.0.0/33', '10.0.0.1/8/8', 'fd00::/129']) {
      assert.ok(problems({ WYOMING_ALLOWED_CLIENTS: bad }).some((p) => p.startsWith('WYOMING_ALLOWED_CLIENTS=')), bad);
    }
    assert.equal(load({}).WYOMING_SERVER_PORT, 10700);
  });

  it('who may call: ALLOWED_HOSTS, TRUST_PROXY, AUTH_FAILURES_PER_MINUTE, SESSION_TTL_DAYS', () => {
    const d = load({});
    assert.deepEqual([d.ALLOWED_HOSTS, d.TRUST_PROXY, d.AUTH_FAILURES_PER_MINUTE, d.SESSION_TTL_DAYS], [[], false, 10, 7]);
    assert.deepEqual(load({ ALLOWED_HOSTS: 'Barnabee.LAN, voice.example.com' }).ALLOWED_HOSTS, ['barnabee.lan', 'voice.example.com']);
    assert.equal(load({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
    assert.equal(load({ TRUST_PROXY: 'off' }).TRUST_PROXY, false);
    assert.deepEqual(load({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).TRUST_PROXY, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    assert.equal(load({ SESSION_TTL_DAYS: '0.5' }).SESSION_TTL_DAYS, 0.5);
    for (const bad of ['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '10.0.0.1/8/1']) assert.ok(problems({ TRUST_PROXY: bad }).some((p) => p.startsWith('TRUST_PROXY')), bad);
    for (const bad of ['http://barnabee.lan', 'barnabee.lan:8000', 'a b']) assert.ok(problems({ ALLOWED_HOSTS: bad }).some((p) => p.startsWith('ALLOWED_HOSTS')), bad);
    assert.ok(problems({ AUTH_FAILURES_PER_MINUTE: '0' }).some((p) => p.startsWith('AUTH_FAILURES_PER_MINUTE')));
    assert.ok(problems({ SESSION_TTL_DAYS: '0' }).some((p) => p.startsWith('SESSION_TTL_DAYS')));
  });

  it('reads a .env file; the environment wins, and an empty value means unset', (t) => {
    const dir = tempDir(t, 'barnabee-config-');
    const file = join(dir, '.env');
    writeFileSync(file, 'PORT=9001\nLOG_LEVEL=debug\nLLM_MODEL=from-file\n');
    const c = loadConfig({ LOG_LEVEL: 'warn', LLM_MODEL: '' }, { envFile: file });
    assert.equal(c.PORT, 9001);
    assert.equal(c.LOG_LEVEL, 'warn');
    assert.equal(c.model, 'from-file');
  });
});
