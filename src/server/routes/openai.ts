/** OpenAI-compatible Chat Completions: Barnabee as a "model" any OpenAI client can stream from. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ChatCompletionChunker, OPENAI_MODEL_ID, chatCompletion, modelList, openAiToolCall, type OpenAiToolCall } from '../encoders/openai.js';
import { SSE_HEADERS, SSE_HEARTBEAT, sseData } from '../encoders/sse.js';
import { HttpError } from '../errors.js';
import { chatCompletionBody, fromChatCompletion } from '../openai-request.js';
import { parseOr400 } from '../schemas.js';
import { failureStatus, streamTurn, wholeTurn } from './stream-turn.js';

export function openAiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v1/models', async () => modelList());

  app.post('/v1/chat/completions', { bodyLimit: ctx.config.HISTORY_BODY_LIMIT_BYTES }, async (request, reply) => {
    const body = parseOr400(chatCompletionBody, request.body);
    const turn = fromChatCompletion(body, ctx.config.MAX_INPUT_CHARS);
    const model = body.model || OPENAI_MODEL_ID;

    if (body.stream) {
      const chunker = new ChatCompletionChunker(model, body.stream_options?.include_usage === true);
      // Lazy: the status line waits for the first chunk, so a turn that fails before its answer
      // begins is an HTTP error, never a 200 stream holding an apology.
      const { stream } = await streamTurn(ctx, request, reply, turn, {
        transport: 'openai',
        lazy: true,
        headers: SSE_HEADERS,
        heartbeat: { everyMs: ctx.config.SSE_HEARTBEAT_MS, text: SSE_HEARTBEAT },
        encode: (e) => {
          const out = chunker.encode(e);
          return out.length ? out.map((json) => sseData(json)) : null;
        },
        tail: sseData('[DONE]'),
      });
      if (stream.opened) return;
      if (reply.raw.destroyed) return reply.hijack();
      const f = chunker.failure;
      throw f ? new HttpError(failureStatus(f.code), f.code, f.message) : new HttpError(500, 'internal', 'The turn ended without an answer.');
    }

    const toolCalls: OpenAiToolCall[] = [];
    const { end, usage, error } = await wholeTurn(ctx, request, reply, turn, 'openai', (e) => {
      if (e.type === 'tool_call') toolCalls.push(openAiToolCall(e));
    });
    if (error) throw new HttpError(failureStatus(error.code), error.code, error.message);
    return reply.send(chatCompletion(model, end, usage, toolCalls));
  });
}
