import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createTtsEngine } from '../../src/speech/index.js';
import type { TtsEngine } from '../../src/speech/types.js';
import { startOpenAiSpeechServer } from '../support/tts-openai-server.js';
import { startWyomingServer } from '../support/tts-wyoming-server.js';

const config = (env: Record<string, string>) => loadConfig(env, { envFile: false });

async function say(engine: TtsEngine, text: string): Promise<number> {
  let bytes = 0;
  for await (const c of engine.synthesize(text)) bytes += c.pcm.length;
  return bytes;
}

describe('createTtsEngine', () => {
  it('defaults to Flite kal16', async () => {
    const engine = createTtsEngine(config({}));
    try {
      assert.equal(engine.name, 'flite');
      assert.equal(engine.voice, 'kal16');
      assert.ok((await say(engine, 'Ready.')) > 8000);
    } finally {
      await engine.close?.();
    }
  });

  it('rejects a voice Flite does not have', () => {
    assert.throws(() => createTtsEngine(config({ TTS_VOICE: 'alloy' })), /TTS_VOICE="alloy" is not a flite voice/);
  });

  it('builds the OpenAI-compatible engine from TTS_BASE_URL, TTS_API_KEY, TTS_MODEL, TTS_VOICE', async () => {
    const flite = createTtsEngine(config({}));
    const server = await startOpenAiSpeechServer({ engine: flite, apiKey: 'sk-config-test-key' });
    try {
      const engine = createTtsEngine(
        config({ TTS_ENGINE: 'openai', TTS_BASE_URL: server.url, TTS_API_KEY: 'sk-config-test-key', TTS_MODEL: 'kokoro' }),
      );
      assert.equal(engine.name, 'openai');
      assert.equal(engine.voice, 'af_heart');
      assert.ok((await say(engine, 'Ready.')) > 8000);
      assert.deepEqual(server.requests[0].body, { model: 'kokoro', input: 'Ready.', voice: 'af_heart', response_format: 'pcm' });
      const openai = createTtsEngine(config({ TTS_ENGINE: 'openai', TTS_BASE_URL: server.url, TTS_MODEL: 'tts-1' }));
      assert.equal(openai.voice, 'alloy');
    } finally {
      await server.close();
      await flite.close?.();
    }
  });

  it('builds the Wyoming engine from WYOMING_HOST and WYOMING_PORT', async () => {
    const flite = createTtsEngine(config({}));
    const server = await startWyomingServer({ engine: flite });
    try {
      const engine = createTtsEngine(config({ TTS_ENGINE: 'wyoming', WYOMING_HOST: server.host, WYOMING_PORT: String(server.port) }));
      assert.equal(engine.name, 'wyoming');
      assert.ok((await say(engine, 'Ready.')) > 8000);
    } finally {
      await server.close();
      await flite.close?.();
    }
  });
});
