/**
 * Child process: the peer, the streaming chat endpoint a Node developer would write instead of
 * Barnabee, as the AI SDK 5 documents it ("Node.js HTTP Server" recipe): `node:http`, the request's
 * UI messages (what the SDK's `useChat` sends) converted with `convertToModelMessages`,
 * `streamText` on an OpenAI-compatible provider (`createOpenAICompatible`) pointed at the same
 * simulator, and `pipeUIMessageStreamToResponse`: the UI-message stream as SSE, the response
 * `useChat` reads (the text stream response is the plain-text alternative, without events). No
 * routing, store or speech. The SDK's own defaults throughout (global fetch, its retries).
 */
import { createServer } from 'node:http';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { convertToModelMessages, streamText, type UIMessage } from 'ai';
import { answerParent } from './control.js';

const provider = createOpenAICompatible({ name: 'simulator', baseURL: process.env.LLM_BASE_URL! });
const model = provider.chatModel('default');

const server = createServer({ noDelay: true }, (req, res) => {
  const body: Buffer[] = [];
  req.on('data', (d: Buffer) => body.push(d));
  req.on('end', () => {
    try {
      const { messages } = JSON.parse(Buffer.concat(body).toString('utf8')) as { messages: UIMessage[] };
      const result = streamText({ model, messages: convertToModelMessages(messages) });
      result.pipeUIMessageStreamToResponse(res);
    } catch {
      res.writeHead(400).end();
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
answerParent(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
process.once('SIGTERM', () => process.exit(0));
