/**
 * The Ollama-compatible API (docs/protocol.md, "Ollama-compatible API"): Barnabee as the model
 * `barnabee` of an Ollama server, so Home Assistant's built-in Ollama integration (and any Ollama
 * client) streams Barnabee's answers. Errors are Ollama's shape, `{"error": "…"}`, with the status
 * Ollama would use; a turn that fails before its answer begins is an HTTP error too.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TurnRequest } from '../../turn/index.js';
import { VERSION } from '../../version.js';
import type { ServerContext } from '../context.js';
import { OLLAMA_NDJSON, OllamaEncoder, type OllamaShape } from '../encoders/ollama.js';
import { HttpError } from '../errors.js';
import {
  OLLAMA_MODEL,
  checkModel,
  fromOllamaChat,
  fromOllamaGenerate,
  ollamaChatBody,
  ollamaGenerateBody,
  ollamaModelBody,
} from '../ollama-request.js';
import { parseOr400 } from '../schemas.js';
import { failureStatus, streamTurn, wholeTurn } from './stream-turn.js';

/** The Ollama API version whose features Barnabee speaks (tools, `think`, `tool_name`). */
export const OLLAMA_API_VERSION = '0.12.0';

const DIGEST = createHash('sha256').update(`barnabee ${VERSION}`).digest('hex');
const MODIFIED_AT = new Date().toISOString();
const DETAILS = {
  parent_model: '',
  format: 'barnabee',
  family: 'barnabee',
  families: ['barnabee'],
  parameter_size: '',
  quantization_level: '',
};
const MODEL_ENTRY = { name: OLLAMA_MODEL, model: OLLAMA_MODEL, modified_at: MODIFIED_AT, size: 0, digest: DIGEST, details: DETAILS };
const PULL_STEPS = ['pulling manifest', 'verifying sha256 digest', 'writing manifest', 'success'];

/** Registered as its own plugin: the error shape below applies to these routes only. */
export async function ollamaRoutes(app: FastifyInstance, options: { ctx: ServerContext }): Promise<void> {
  const { ctx } = options;
  const maxChars = ctx.config.MAX_INPUT_CHARS;

  // Every error these routes answer (bad input, auth, limits, failed turns) in Ollama's shape.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
    try {
      const message = (JSON.parse(payload) as { error?: { message?: unknown } })?.error?.message;
      if (typeof message === 'string') return JSON.stringify({ error: message });
    } catch {
      // not JSON: leave it as it is
    }
    return payload;
  });

  app.get('/api/version', async () => ({ version: OLLAMA_API_VERSION, barnabee: VERSION }));
  app.get('/api/tags', async () => ({ models: [MODEL_ENTRY] }));
  // Barnabee is always loaded: it never expires from memory.
  app.get('/api/ps', async () => ({
    models: [{ ...MODEL_ENTRY, expires_at: '9999-12-31T23:59:59Z', size_vram: 0, context_length: 0 }],
  }));

  const namedModel = (request: FastifyRequest) => {
    const body = parseOr400(ollamaModelBody, request.body ?? {});
    return { model: checkModel(body.model ?? body.name), stream: body.stream !== false };
  };

  app.post('/api/show', async (request) => {
    namedModel(request);
    return {
      license: '',
      modelfile: `# Barnabee ${VERSION}: a voice-assistant response server, not a model file\n`,
      parameters: '',
      template: '',
      details: DETAILS,
      model_info: { 'general.architecture': 'barnabee', 'general.basename': 'barnabee', 'general.version': VERSION },
      capabilities: ['completion', 'tools'],
      modified_at: MODIFIED_AT,
    };
  });

  // Home Assistant pulls a model it does not see in the tags; Barnabee has nothing to download.
  app.post('/api/pull', async (request, reply) => {
    const { stream } = namedModel(request);
    if (!stream) return { status: 'success' };
    reply.type(OLLAMA_NDJSON);
    return PULL_STEPS.map((status) => `${JSON.stringify({ status })}\n`).join('');
  });

  const loaded = (model: string, shape: OllamaShape) => ({
    model,
    created_at: new Date().toISOString(),
    ...(shape === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }),
    done: true,
    done_reason: 'load',
  });

  app.post('/api/chat', { bodyLimit: ctx.config.HISTORY_BODY_LIMIT_BYTES }, async (request, reply) => {
    const body = parseOr400(ollamaChatBody, request.body);
    const model = checkModel(body.model);
    // No messages: Ollama loads the model and says so.
    if (body.messages.length === 0) return loaded(model, 'chat');
    return answer(request, reply, fromOllamaChat(body, maxChars), model, 'chat', body.stream !== false);
  });

  app.post('/api/generate', { bodyLimit: ctx.config.HISTORY_BODY_LIMIT_BYTES }, async (request, reply) => {
    const body = parseOr400(ollamaGenerateBody, request.body);
    const model = checkModel(body.model);
    if (!body.prompt?.trim()) return loaded(model, 'generate');
    return answer(request, reply, fromOllamaGenerate(body, maxChars), model, 'generate', body.stream !== false);
  });

  async function answer(request: FastifyRequest, reply: FastifyReply, turn: TurnRequest, model: string, shape: OllamaShape, streaming: boolean) {
    const encoder = new OllamaEncoder(model, shape, streaming);
    if (!streaming) {
      const { end } = await wholeTurn(ctx, request, reply, turn, 'ollama', (e) => encoder.encode(e));
      if (encoder.failure) throw failed(encoder.failure);
      return reply.send(encoder.whole(end));
    }
    // Lazy: the status line waits for the first line, so a turn that fails before its answer
    // begins is answered with an HTTP error rather than a 200 stream.
    const { stream } = await streamTurn(ctx, request, reply, turn, {
      transport: 'ollama',
      lazy: true,
      headers: { 'content-type': OLLAMA_NDJSON, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
      encode: (e) => {
        const lines = encoder.encode(e);
        return lines.length ? lines : null;
      },
    });
    if (stream.opened) return;
    if (reply.raw.destroyed) return reply.hijack(); // the client left before anything was written
    throw encoder.failure ? failed(encoder.failure) : new HttpError(500, 'internal', 'The turn ended without an answer.');
  }
}

const failed = (e: { code: string; message: string }) => new HttpError(failureStatus(e.code), e.code, e.message);
