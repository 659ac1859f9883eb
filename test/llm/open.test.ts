/** From config to client: demo mode runs the simulator in process and talks to it over HTTP. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { DEMO_REPLIES, llmOptionsFromConfig, openLlm } from '../../src/llm/index.js';

describe('openLlm and llmOptionsFromConfig', () => {
  it('demo mode: simulator on 127.0.0.1, demo replies at the configured pace, over real HTTP', async () => {
    const config = loadConfig({ DEMO_TTFT_MS: '60', DEMO_TOKENS_PER_S: '400' }, { envFile: false });
    assert.equal(config.provider, 'demo');
    const llm = await openLlm(config);
    try {
      assert.ok(llm.simulator);
      assert.match(llm.client.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      assert.equal(llm.client.provider, 'demo');
      const c = await llm.client.complete({ messages: [{ role: 'user', content: 'Tell me something nice' }] });
      assert.ok(DEMO_REPLIES.includes(c.text), c.text);
      assert.ok(c.timing.ttft_ms! >= 55, `ttft ${c.timing.ttft_ms}`);
      assert.ok(c.usage && c.usage.cost_usd! > 0, 'demo usage carries a cost');
      assert.equal(llm.simulator.records.length, 1);
      assert.equal(llm.simulator.records[0]!.closedBy, 'completed');
    } finally {
      await llm.close();
    }
  });

  it('close() stops the simulator', async () => {
    const llm = await openLlm(loadConfig({}, { envFile: false }));
    const url = llm.client.baseUrl;
    await llm.close();
    await assert.rejects(fetch(`${url}/models`));
  });

  it('OpenRouter settings: base URL, key, attribution headers, fallbacks, timeouts; overrides win', () => {
    const config = loadConfig(
      {
        OPENROUTER_API_KEY: 'sk-or-test',
        LLM_MODEL: 'anthropic/claude-3.5-haiku',
        LLM_FALLBACK_MODELS: 'openai/gpt-4o-mini, meta-llama/llama-3.1-8b-instruct',
        LLM_FIRST_TOKEN_TIMEOUT_MS: '5000',
      },
      { envFile: false },
    );
    const o = llmOptionsFromConfig(config, { model: 'x/action-model', temperature: 0 });
    assert.equal(o.provider, 'openrouter');
    assert.equal(o.baseUrl, 'https://openrouter.ai/api/v1');
    assert.equal(o.apiKey, 'sk-or-test');
    assert.equal(o.model, 'x/action-model');
    assert.equal(o.temperature, 0);
    assert.deepEqual(o.fallbacks, ['openai/gpt-4o-mini', 'meta-llama/llama-3.1-8b-instruct']);
    assert.equal(o.firstTokenTimeoutMs, 5000);
    assert.equal(o.title, 'Barnabee');
    assert.ok(o.referer);
  });

  it('an OpenAI-compatible server: its URL and key, no OpenRouter headers', async () => {
    const config = loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'llama3.2' }, { envFile: false });
    const o = llmOptionsFromConfig(config);
    assert.equal(o.provider, 'openai-compatible');
    assert.equal(o.baseUrl, 'http://127.0.0.1:11434/v1');
    assert.equal(o.apiKey, undefined);
    assert.equal(o.referer, undefined);
    const llm = await openLlm(config);
    assert.equal(llm.simulator, null);
    await llm.close();
  });
});
