/** OpenAI-compatible Chat Completions: Barnabee as a "model" any OpenAI client can stream from. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { ChatCompletionChunker, OPENAI_MODEL_ID, chatCompletion, modelList } from '../encoders/openai.js';
import { SSE_HEADERS, SSE_HEARTBEAT, sseData } from '../encoders/sse.js';
import { chatCompletionBody, fromChatCompletion } from '../openai-request.js';
import { parseOr400 } from '../schemas.js';
import { clientIdOf } from '../context.js';
import { streamTurn } from './stream-turn.js';

export function openAiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v1/models', async () => modelList());

  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseOr400(chatCompletionBody, request.body);
    const turn = fromChatCompletion(body, ctx.config.MAX_INPUT_CHARS);
    const model = body.model || OPENAI_MODEL_ID;

    if (body.stream) {
      const chunker = new ChatCompletionChunker(model, body.stream_options?.include_usage === true);
      await streamTurn(ctx, request, reply, turn, {
        transport: 'openai',
        headers: SSE_HEADERS,
        heartbeat: { everyMs: ctx.config.SSE_HEARTBEAT_MS, text: SSE_HEARTBEAT },
        encode: (e) => chunker.encode(e).map((json) => sseData(json)),
        tail: sseData('[DONE]'),
      });
      return;
    }

    const clientId = clientIdOf(request);
    ctx.hub.admit(clientId);
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) gone.abort();
    });
    const { end, usage } = await ctx.hub.start(turn, {
      outlet: { send() {}, buffered: () => 0 },
      clientId,
      transport: 'openai',
      log: request.log,
      signal: gone.signal,
    }).done;
    return reply.send(chatCompletion(model, end, usage));
  });
}
