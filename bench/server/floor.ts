/**
 * Child process: the floor, the least a Node proxy of the same stream does. One HTTP request in,
 * one pooled upstream request out, eventsource-parser, and each token written at once as a
 * Barnabee-shaped SSE event (so the load client reads it exactly as it reads Barnabee). No
 * framework, router, agents, store, bus, metrics, limits or auth. What it adds over the direct
 * stream is what this machine charges any proxy for the hop under that load.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { answerParent } from './control.js';

const upstream = new URL(`${process.env.LLM_BASE_URL!.replace(/\/+$/, '')}/chat/completions`);
const pool = new Pool(upstream.origin, { connections: null, headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 });

const server = createServer({ noDelay: true }, (req, res) => {
  const body: Buffer[] = [];
  req.on('data', (d: Buffer) => body.push(d));
  req.on('end', () => {
    void (async () => {
      const { text: input } = JSON.parse(Buffer.concat(body).toString('utf8')) as { text: string };
      const turnId = randomUUID();
      const t0 = performance.now();
      let seq = 0;
      const send = (part: { type: string; [key: string]: unknown }) => {
        const t_ms = Math.round((performance.now() - t0) * 100) / 100;
        res.write(`event: ${part.type}\nid: ${turnId}:${seq}\ndata: ${JSON.stringify({ ...part, turn_id: turnId, seq: seq++, t_ms })}\n\n`);
      };
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      send({ type: 'turn.start', conversation_id: randomUUID(), input, speak: false });
      send({ type: 'route', agent: 'interaction', intent: 'chat', confidence: 1, route_ms: 0 });
      const up = await pool.request({
        path: upstream.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ model: 'default', stream: true, messages: [{ role: 'user', content: input }] }),
      });
      let text = '';
      const parser = createParser({
        onEvent: (m) => {
          if (m.data === '[DONE]') return;
          const delta = (JSON.parse(m.data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
          if (!delta) return;
          text += delta;
          send({ type: 'chunk', text: delta, done: false });
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of up.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      send({ type: 'chunk', text: '', done: true });
      send({ type: 'turn.end', status: 'completed', text, spoken_text: '', metrics: {} });
      res.end();
    })().catch(() => res.destroy());
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
answerParent(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
process.once('SIGTERM', () => process.exit(0));
