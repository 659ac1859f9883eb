/**
 * Replaying a recorded response body byte for byte (e.g. test/fixtures/openrouter-tool-call.sse),
 * so a client can be tested against what a real upstream sent, over real HTTP. An SSE body goes
 * out one event per write, paced like an answer; anything else in one piece.
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { drained, type Pace } from './stream.js';
import type { SimRecord } from './types.js';

export async function loadReplay(source: Uint8Array | string | URL): Promise<Buffer> {
  return source instanceof Uint8Array ? Buffer.from(source) : readFile(source);
}

/** The body's events, each with its blank line: joined, they are the body again. */
function events(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let at = body.indexOf('\n\n'); at !== -1; at = body.indexOf('\n\n', from)) {
    out.push(body.subarray(from, at + 2));
    from = at + 2;
  }
  if (from < body.length) out.push(body.subarray(from));
  return out;
}

export async function replay(res: ServerResponse, record: SimRecord, body: Buffer, pace: Pace): Promise<void> {
  const sse = /^(data:|:|event:|id:)/.test(body.subarray(0, 16).toString('latin1'));
  res.writeHead(200, { 'content-type': sse ? 'text/event-stream' : 'application/json', 'cache-control': 'no-cache' });
  res.flushHeaders();
  record.status = 200;
  record.firstByteAt = performance.now();
  const wait = (ms: number) => new Promise((r) => (ms > 0 ? setTimeout(r, ms) : setImmediate(r)));
  await wait(pace.ttftMs);
  const pieces = sse ? events(body) : [body];
  for (const [i, piece] of pieces.entries()) {
    if (res.destroyed) return;
    if (i > 0) await wait(pace.tokensPerSecond > 0 ? 1000 / pace.tokensPerSecond : 0);
    record.firstTokenAt ??= performance.now();
    record.tokensSent = i + 1;
    if (!res.write(piece)) await drained(res);
  }
  if (!res.destroyed) res.end();
}
