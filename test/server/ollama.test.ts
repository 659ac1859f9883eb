/**
 * The Ollama-compatible API, end to end on the real runtime in demo mode (router, agents, the
 * simulated model over HTTP, the simulated home, SQLite): the official `ollama` npm client, and the
 * exact bodies Home Assistant's Ollama integration sends (test/support/ha-ollama.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama, type Message } from 'ollama';
import { readNdjson } from '../support/server-clients.js';
import { HOME_TOOLS } from '../../src/agents/home-tools.js';
import { HA_TOOLS, assistant, haChatBody, longHistory, system, toolResult, user } from '../support/ha-ollama.js';
import { startRealHarness, type RealHarness } from '../support/server-runtime.js';

type Line = Record<string, any>;

describe('Ollama-compatible API', () => {
  let h: RealHarness;
  let ollama: Ollama;
  before(async () => {
    h = await startRealHarness({ LLM_MAX_RETRIES: '0' });
    ollama = new Ollama({ host: h.url });
  });
  after(async () => {
    await h?.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const homeState = async () => JSON.stringify(await h.runtime.home.listEntities());
  /** The body the simulated model received last. */
  const lastModelRequest = () => h.simulator.records.at(-1)!.body as { messages: Line[]; tools?: Line[] };
  const turnOf = (turnIdHint: string) => h.runtime.store.listTurns({ limit: 20 }).find((t) => t.input === turnIdHint);

  it('lists, shows, reports and "pulls" the model barnabee with the fields Ollama returns', async () => {
    const list = await ollama.list();
    assert.equal(list.models.length, 1);
    const m = list.models[0]!;
    assert.equal(m.name, 'barnabee');
    assert.equal(m.model, 'barnabee');
    assert.ok(!Number.isNaN(new Date(m.modified_at).getTime()));
    assert.equal(typeof m.size, 'number');
    assert.match(m.digest, /^[0-9a-f]{64}$/);
    for (const k of ['format', 'family', 'families', 'parameter_size', 'quantization_level'] as const) assert.ok(k in m.details, k);

    const ps = await ollama.ps();
    assert.equal(ps.models[0]?.model, 'barnabee');
    assert.ok(!Number.isNaN(new Date(ps.models[0]!.expires_at).getTime()));

    const show = await ollama.show({ model: 'barnabee' });
    assert.ok(show.capabilities.includes('tools'));
    assert.equal(show.details.family, 'barnabee');
    assert.match((await ollama.version()).version, /^\d+\.\d+\.\d+$/);

    assert.deepEqual(await ollama.pull({ model: 'barnabee' }), { status: 'success' });
    const steps: string[] = [];
    for await (const p of await ollama.pull({ model: 'barnabee:latest', stream: true })) steps.push(p.status);
    assert.equal(steps.at(-1), 'success');
    assert.ok(steps.length > 1, 'a streamed pull reports its steps');

    await assert.rejects(ollama.pull({ model: 'llama3.2:latest' }), (e: any) => e.status_code === 404 && /not found/.test(e.error));
    await assert.rejects(ollama.show({ model: 'mistral' }), (e: any) => e.status_code === 404);
  });

  it('streams an answer through the ollama client, line by line, ending with done and nanosecond durations', async () => {
    const parts: Line[] = [];
    for await (const p of await ollama.chat({ model: 'barnabee', messages: [{ role: 'user', content: 'tell me about the moon' }], stream: true })) parts.push(p);
    const last = parts.at(-1)!;
    const body = parts.slice(0, -1);
    assert.ok(body.length > 3, 'the answer arrives in many lines');
    for (const p of body) {
      assert.equal(p.model, 'barnabee');
      assert.equal(p.done, false);
      assert.equal(p.message.role, 'assistant');
      assert.ok(p.message.content.length > 0);
      assert.ok(!Number.isNaN(Date.parse(p.created_at)));
    }
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    assert.equal(last.message.content, '');
    for (const k of ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']) {
      assert.ok(Number.isInteger(last[k]) && last[k] >= 0, `${k} is a whole number`);
    }
    assert.ok(last.total_duration > 1e6, 'durations are nanoseconds');
    assert.ok(last.eval_count > 0 && last.prompt_eval_count > 0);

    const text = body.map((p) => p.message.content).join('');
    const stored = turnOf('tell me about the moon');
    assert.ok(stored, 'the turn is in the store like any other');
    assert.equal(stored.text, text);
    assert.equal(stored.transport, 'ollama');
    assert.equal(stored.agent, 'interaction');
  });

  it('stream: false answers one object with the whole text', async () => {
    const r = await ollama.chat({ model: 'barnabee', messages: [{ role: 'user', content: 'what is 12 times 12' }], stream: false });
    assert.equal(r.done, true);
    assert.equal(r.done_reason, 'stop');
    assert.match(r.message.content, /144/);
    assert.equal(r.model, 'barnabee');
  });

  it('a request without `stream` streams, as Ollama does', async () => {
    const res = await post('/api/chat', { model: 'barnabee', messages: [{ role: 'user', content: 'what is 2 plus 2' }] });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/x-ndjson/);
    const lines = await readNdjson(res);
    assert.match(lines[0]!.message.content, /4/);
    assert.equal(lines.at(-1)!.done, true);
  });

  it('answers Home Assistant\'s body without the Assist API (tools: [], think, keep_alive, options.num_ctx)', async () => {
    const res = await post('/api/chat', haChatBody([system('You are a helpful assistant in a home.'), user('why is the sky blue')]));
    assert.equal(res.status, 200);
    const lines = await readNdjson(res);
    assert.ok(lines.length > 2);
    assert.ok(lines.slice(0, -1).every((l) => l.done === false && l.message.tool_calls === undefined));
    assert.equal(lines.at(-1)!.done, true);
    // An empty tools list brings no tools of the client's: the model gets Barnabee's own home (docs/protocol.md, "Home tools").
    assert.deepEqual(
      lastModelRequest().tools?.map((t) => (t as { function: { name: string } }).function.name),
      HOME_TOOLS.map((t) => t.function.name),
    );
  });

  it('Home Assistant with the Assist API: a home command becomes a tool call for HA, the simulated home untouched, then the result round-trips', async () => {
    const before = await homeState();
    const first = haChatBody([system(), user('turn on the kitchen lights')], { assist: true, keepAlive: '300s' });
    const res = await post('/api/chat', first);
    assert.equal(res.status, 200);
    const lines = await readNdjson(res);
    const calls = lines.flatMap((l) => l.message?.tool_calls ?? []);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].function.name, 'HassTurnOn');
    assert.deepEqual(calls[0].function.arguments, { domain: ['light'], area: 'kitchen' }, 'arguments are an object, as HA reads them');
    assert.equal(typeof calls[0].id, 'string');
    assert.equal(lines.at(-1)!.done, true);
    assert.equal(await homeState(), before, 'a request that brings its own tools never acts on the simulated home');
    const sent = lastModelRequest();
    assert.deepEqual(
      sent.tools!.map((t) => t.function.name),
      HA_TOOLS.map((t) => t.function.name),
    );
    assert.ok(sent.messages.some((m) => m.role === 'system' && m.content.includes('Static Context')), "HA's instructions for its tools reach the model");
    assert.equal(turnOf('turn on the kitchen lights')?.agent, 'interaction');

    // HA runs the tool and calls again with the whole history, as entity.py builds it.
    const again = haChatBody([system(), user('turn on the kitchen lights'), assistant('', [['HassTurnOn', { name: 'kitchen lights' }]]), toolResult({ success: true })], {
      assist: true,
      keepAlive: '300s',
    });
    const lines2 = await readNdjson(await post('/api/chat', again));
    assert.equal(lines2.map((l) => l.message?.content ?? '').join(''), 'Done.');
    assert.equal(lines2.at(-1)!.done, true);
    const msgs = lastModelRequest().messages;
    const call = msgs.find((m) => m.role === 'assistant' && m.tool_calls)!;
    const result = msgs.find((m) => m.role === 'tool')!;
    assert.equal(call.tool_calls[0].function.name, 'HassTurnOn');
    assert.deepEqual(JSON.parse(call.tool_calls[0].function.arguments), { name: 'kitchen lights' });
    assert.equal(result.tool_call_id, call.tool_calls[0].id, 'the result is paired with the call it answers');
    assert.equal(msgs.at(-1), result, 'the model continues from the tool result');
    assert.equal(await homeState(), before);
  });

  it('Barnabee still answers what it can without the model when HA brings tools', async () => {
    const lines = await readNdjson(await post('/api/chat', haChatBody([system(), user('what time is it')], { assist: true })));
    assert.match(lines[0]!.message.content, /\d/);
    assert.equal(turnOf('what time is it')?.agent, 'instant');
  });

  it('accepts a long HA history with tool calls, results, thinking and images', async () => {
    const history = [...longHistory(), user('and what about the bedroom')];
    const res = await post('/api/chat', haChatBody(history, { assist: true, think: true, numCtx: 32768 }));
    assert.equal(res.status, 200);
    const lines = await readNdjson(res);
    assert.equal(lines.at(-1)!.done, true);
    const msgs = lastModelRequest().messages;
    const calls = msgs.filter((m) => m.role === 'assistant' && m.tool_calls).flatMap((m) => m.tool_calls);
    const results = msgs.filter((m) => m.role === 'tool');
    assert.equal(calls.length, 3);
    assert.deepEqual(
      results.map((r) => r.tool_call_id),
      calls.map((c) => c.id),
      'every result answers its call, in order',
    );
    assert.equal(new Set(calls.map((c) => c.id)).size, 3, 'each call has its own id');
    assert.equal(msgs.at(-1)!.content, 'and what about the bedroom');
  });

  it('a model tool call round-trips through the ollama client', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    h.simulator.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Toronto', unit: 'celsius' } }] });
    const messages: Message[] = [{ role: 'user', content: 'what is the weather in toronto' }];
    const calls: NonNullable<Message['tool_calls']> = [];
    for await (const p of await ollama.chat({ model: 'barnabee', messages, tools, stream: true })) calls.push(...(p.message.tool_calls ?? []));
    assert.deepEqual(
      calls.map((c) => c.function),
      [{ index: 0, name: 'get_weather', arguments: { city: 'Toronto', unit: 'celsius' } }],
    );
    messages.push({ role: 'assistant', content: '', tool_calls: calls }, { role: 'tool', content: '11 degrees celsius', tool_name: 'get_weather' });
    const answer = await ollama.chat({ model: 'barnabee', messages, tools, stream: false });
    assert.equal(answer.message.content, '11 degrees celsius.', 'the (demo) model answers from the result');
    const sent = lastModelRequest().messages;
    assert.equal(sent.at(-1)!.content, '11 degrees celsius');
    assert.equal(sent.at(-1)!.tool_call_id, (calls[0] as { id?: string }).id, "Ollama's own call id is kept");
  });

  it('several parallel tool calls arrive as several tool_calls, non-streaming too', async () => {
    h.simulator.enqueue({
      toolCalls: [
        { name: 'HassTurnOn', arguments: { name: 'Kitchen Light' } },
        { name: 'HassTurnOff', arguments: { area: 'Bedroom', domain: ['light'] } },
      ],
    });
    const r = await ollama.chat({ model: 'barnabee', messages: [{ role: 'user', content: 'swap the lights' }], tools: HA_TOOLS as any, stream: false });
    assert.deepEqual(
      r.message.tool_calls!.map((c) => [c.function.name, c.function.arguments]),
      [
        ['HassTurnOn', { name: 'Kitchen Light' }],
        ['HassTurnOff', { area: 'Bedroom', domain: ['light'] }],
      ],
    );
  });

  it('/api/generate streams `response` lines; an empty prompt only "loads" the model', async () => {
    const parts: Line[] = [];
    for await (const p of await ollama.generate({ model: 'barnabee', prompt: 'what is 6 times 7', stream: true })) parts.push(p);
    assert.match(parts.map((p) => p.response).join(''), /42/);
    assert.equal(parts.at(-1)!.done, true);
    const loaded = await ollama.generate({ model: 'barnabee', prompt: '' });
    assert.equal(loaded.done_reason, 'load');
  });

  it('takes a whole Home Assistant conversation far over BODY_LIMIT_BYTES, up to HISTORY_BODY_LIMIT_BYTES', async () => {
    const big = system(`${'An overview of the devices in this smart home. '.repeat(6000)}`);
    assert.ok(JSON.stringify(big).length > 200_000);
    const res = await post('/api/chat', haChatBody([big, user('what is 3 plus 4')], { assist: true }));
    assert.equal(res.status, 200);
    assert.match((await readNdjson(res))[0]!.message.content, /7/);
    const huge = system('x'.repeat(1_100_000));
    const over = await post('/api/chat', haChatBody([huge, user('hi')]));
    assert.equal(over.status, 413);
    assert.equal(typeof ((await over.json()) as { error: unknown }).error, 'string');
  });

  describe('errors, in Ollama\'s shape', () => {
    const expectError = async (res: Response, status: number, pattern: RegExp) => {
      assert.equal(res.status, status);
      const body = (await res.json()) as { error: unknown };
      assert.equal(typeof body.error, 'string', 'the error is a string, as Ollama sends it');
      assert.match(body.error as string, pattern);
    };

    it('bad input is a 4xx with {"error": "..."}', async () => {
      await expectError(await post('/api/chat', { model: 'barnabee', messages: 'hello' }), 400, /messages/);
      await expectError(await post('/api/chat', { model: 'barnabee', messages: [{ role: 'wizard', content: 'x' }] }), 400, /role/);
      await expectError(await post('/api/chat', { model: 'barnabee', messages: [{ role: 'system', content: 'x' }] }), 400, /user/);
      await expectError(await post('/api/chat', { messages: [{ role: 'user', content: 'x' }] }), 400, /model is required/);
      await expectError(await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] }), 404, /model 'llama3.2' not found/);
      await expectError(await post('/api/chat', { model: 'barnabee', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }), 400, /at most/);
      await expectError(
        await fetch(`${h.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": ' }),
        400,
        /not valid JSON/,
      );
      await expectError(await post('/api/generate', { model: 'barnabee', prompt: 5 }), 400, /prompt/);
      const viaClient = ollama.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] });
      await assert.rejects(viaClient, (e: any) => e.name === 'ResponseError' && e.status_code === 404 && e.error === "model 'nope' not found");
    });

    it('a model that fails before its answer begins is an HTTP error, not a 200 apology', async () => {
      h.simulator.enqueue({ fault: { kind: 'status', status: 500 } });
      await expectError(await post('/api/chat', { model: 'barnabee', messages: [{ role: 'user', content: 'tell me a story' }] }), 502, /HTTP 500/);
      h.simulator.enqueue({ fault: { kind: 'status', status: 500 } });
      await expectError(await post('/api/chat', { model: 'barnabee', messages: [{ role: 'user', content: 'tell me a story' }], stream: false }), 502, /HTTP 500/);
    });

    it('a turn that fails mid-stream ends with a line holding the error; the ollama client throws it', async () => {
      h.simulator.enqueue({ fault: { kind: 'reset', afterTokens: 4 } });
      const lines = await readNdjson(await post('/api/chat', { model: 'barnabee', messages: [{ role: 'user', content: 'tell me a story' }] }));
      assert.ok(lines.length >= 2);
      assert.ok(lines.slice(0, -1).every((l) => l.done === false && l.message.content));
      assert.deepEqual(Object.keys(lines.at(-1)!), ['error']);
      assert.ok(!lines.some((l) => /sorry/i.test(l.message?.content ?? '')), 'no apology reads as the answer');

      h.simulator.enqueue({ fault: { kind: 'reset', afterTokens: 4 } });
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const p of await ollama.chat({ model: 'barnabee', messages: [{ role: 'user', content: 'tell me a story' }], stream: true })) seen.push(p.message.content);
      }, /connection/);
      assert.ok(seen.length > 0);
    });

    it('a missing token is a 401 in the same shape', async () => {
      const guarded = await startRealHarness({ BARNABEE_API_TOKEN: 'a-very-secret-token-0123456789' });
      try {
        const res = await fetch(`${guarded.url}/api/tags`);
        await expectError(res, 401, /token/);
        const ok = await new Ollama({ host: guarded.url, headers: { authorization: 'Bearer a-very-secret-token-0123456789' } }).list();
        assert.equal(ok.models[0]!.model, 'barnabee');
      } finally {
        await guarded.close();
      }
    });

    it('a malformed tool call from the model is an error, never handed to the client', async () => {
      h.simulator.enqueue({ toolCalls: [{ name: 'HassTurnOn', arguments: '{"name": "kitch' }] });
      await expectError(await post('/api/chat', haChatBody([system(), user('turn on the kitchen lights')], { assist: true })), 502, /malformed tool call/);
    });
  });
});
