/**
 * Streaming an answer as OpenRouter does (SSE `chat.completion.chunk`s, `: OPENROUTER PROCESSING`
 * keepalives, a usage chunk with empty `choices`, `data: [DONE]`), paced and with faults.
 *
 * Cost per stream: one timer per tick (a tick writes every token that is due), one string per
 * chunk; the JSON around a token is built once per stream.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Answer } from './answer.js';
import { DEMO_REPLIES, tokenize } from './text.js';
import type { SimClose, SimFault, SimRecord } from './types.js';

export const KEEPALIVE = ': OPENROUTER PROCESSING\n\n';
const SPLIT_GAP_MS = 2;

/** When and how the bytes go out. */
export interface Pace {
  ttftMs: number;
  /** 0: every token at once. */
  tokensPerSecond: number;
  /** 0: no keepalives. */
  keepaliveEveryMs: number;
  split: 'none' | 'utf8' | 'lines';
}

export function usageJson(a: Answer): Record<string, unknown> {
  const completion = a.tokens.length + a.reasoning.length + a.toolDeltas.length;
  // Priced like a small hosted model ($0.15 / $0.60 per million tokens), so cost is never zero.
  const cost = a.cost ?? Math.round(((a.promptTokens * 0.15 + completion * 0.6) / 1e6) * 1e10) / 1e10;
  return {
    prompt_tokens: a.promptTokens,
    completion_tokens: completion,
    total_tokens: a.promptTokens + completion,
    cost,
    is_byok: false,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: a.reasoning.length },
  };
}

/** The fields every `chat.completion.chunk` carries, as OpenRouter sends them. */
function chunkEnvelope(answer: { id: string; model: string }) {
  return {
    id: answer.id,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: answer.model,
    provider: 'Barnabee Simulator',
  };
}

function startSse(res: ServerResponse, record: SimRecord, answer: Answer): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-generation-id': answer.id });
  res.flushHeaders();
  record.status = 200;
  record.firstByteAt = performance.now();
}

/** Streams `answer`: reasoning, text, then tool-call deltas, one token per chunk at the paced rate; `fault` fires on the way. */
export function streamAnswer(res: ServerResponse, record: SimRecord, pace: Pace, answer: Answer, fault: SimFault | null, withUsage: boolean): void {
  const interval = pace.tokensPerSecond > 0 ? 1000 / pace.tokensPerSecond : 0;
  const keepalive = pace.keepaliveEveryMs;
  const out = writer(res, pace.split);
  const head = `data: {"id":"${answer.id}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(answer.model)},"provider":"Barnabee Simulator","choices":[{"index":0,"delta":{"role":"assistant",`;
  const textHead = `${head}"content":`;
  const reasoningHead = `${head}"content":"","reasoning":`;
  const toolHead = `${head}"content":null,"tool_calls":`;
  const tail = '},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}\n\n';
  const textEnd = answer.reasoning.length + answer.tokens.length;
  const all = textEnd + answer.toolDeltas.length;
  const faultAt = fault && 'afterTokens' in fault ? fault.afterTokens : -1;

  startSse(res, record, answer);
  const start = performance.now();
  let sent = 0;
  let nextKeepalive = keepalive > 0 ? start + keepalive : Infinity;
  let stalled = false;
  // Faults with a position fire when that many tokens have gone (`all`: after the last one).
  let faultDone = !fault || !('afterTokens' in fault) || fault.afterTokens > all;
  let timer: NodeJS.Timeout | null = null;
  let done = false;
  res.on('close', () => {
    done = true;
    if (timer) clearTimeout(timer);
  });

  const due = (i: number) => start + pace.ttftMs + i * interval;

  const finish = (batch: string, closedBy: SimClose | null) => {
    if (closedBy) record.closedBy = closedBy;
    done = true;
    out.end(batch);
  };

  const tick = () => {
    timer = null;
    if (done) return;
    const now = performance.now();
    let batch = '';
    while (!stalled && (sent < all || !faultDone) && due(sent) <= now) {
      if (!faultDone && sent === faultAt) {
        faultDone = true;
        const f = fault!;
        switch (f.kind) {
          case 'malformed':
            for (let i = 0; i < (f.count ?? 1); i++) batch += `data: {"id":"${answer.id}","choices":[{"delta":{"content":"oops\n\n`;
            break;
          case 'stall':
            stalled = true;
            continue;
          case 'error-chunk':
            batch += `data: ${JSON.stringify({
              ...chunkEnvelope(answer),
              error: { code: f.status ?? 502, message: f.message ?? 'Provider returned error', metadata: { provider_name: 'Simulated' } },
              choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }],
            })}\n\n`;
            return finish(batch, 'fault');
          case 'truncate':
            return finish(batch, 'fault');
          case 'reset':
            record.closedBy = 'fault';
            done = true;
            out.write(batch, () => res.socket?.resetAndDestroy());
            return;
          default:
            break;
        }
      }
      if (sent >= all) break;
      if (sent >= textEnd) batch += toolHead + answer.toolDeltas[sent - textEnd]! + tail;
      else {
        const reasoning = sent < answer.reasoning.length;
        const token = reasoning ? answer.reasoning[sent]! : answer.tokens[sent - answer.reasoning.length]!;
        batch += (reasoning ? reasoningHead : textHead) + JSON.stringify(token) + tail;
      }
      if (sent === 0) record.firstTokenAt = now;
      sent++;
      record.tokensSent = sent;
    }
    if (now >= nextKeepalive) {
      batch += KEEPALIVE;
      nextKeepalive = now + keepalive;
    }
    if (sent === all && faultDone && !stalled) {
      batch += `${head}"content":""},"finish_reason":${JSON.stringify(answer.finishReason)},"native_finish_reason":${JSON.stringify(answer.finishReason)},"logprobs":null}]}\n\n`;
      if (withUsage) batch += `data: ${JSON.stringify({ ...chunkEnvelope(answer), choices: [], usage: usageJson(answer) })}\n\n`;
      batch += 'data: [DONE]\n\n';
      if (fault?.kind !== 'linger') return finish(batch, null);
      out.write(batch);
      return;
    }
    if (batch) out.write(batch);
    const next = Math.min(stalled ? Infinity : due(sent), nextKeepalive);
    if (next !== Infinity) timer = setTimeout(tick, Math.max(0, next - performance.now()));
  };

  timer = setTimeout(tick, Math.max(0, Math.min(due(0), nextKeepalive) - performance.now()));
}

/** The runaway fault's words: the demo replies, cycled. */
let runawayWords: string[] | null = null;
const RUNAWAY_WORDS = (): string[] => (runawayWords ??= tokenize(DEMO_REPLIES.join(' ')));

/** The `runaway` fault: words until `chars` characters went out, each batch after the last drained. */
export async function streamRunaway(res: ServerResponse, record: SimRecord, pace: Pace, answer: Answer, chars: number, withUsage: boolean) {
  startSse(res, record, answer);
  if (pace.ttftMs > 0) await new Promise((r) => setTimeout(r, pace.ttftMs));
  const head = `data: {"id":"${answer.id}","object":"chat.completion.chunk","model":${JSON.stringify(answer.model)},"choices":[{"index":0,"delta":{"content":`;
  const tail = '},"finish_reason":null}]}\n\n';
  const words = RUNAWAY_WORDS();
  const tps = pace.tokensPerSecond;
  const start = performance.now();
  let sent = 0;
  let tokens = 0;
  while (sent < chars && !res.destroyed) {
    // At `tokensPerSecond` (0: as fast as the connection takes them), at most 64 KiB a write.
    const due = tps > 0 ? Math.floor(((performance.now() - start) * tps) / 1000) + 1 : Infinity;
    let batch = '';
    while (batch.length < 64 * 1024 && sent < chars && tokens < due) {
      const word = words[tokens % words.length]!.slice(0, chars - sent);
      batch += head + JSON.stringify(word) + tail;
      sent += word.length;
      tokens++;
    }
    if (batch) {
      if (record.firstTokenAt === null) record.firstTokenAt = performance.now();
      record.tokensSent = tokens;
      if (!res.write(batch)) await drained(res);
    } else await new Promise((r) => setTimeout(r, Math.max(1, 1000 / tps)));
  }
  if (res.destroyed) return;
  let end = `${head}""},"finish_reason":"stop"}]}\n\n`;
  if (withUsage) {
    const usage = { ...usageJson(answer), completion_tokens: tokens, total_tokens: answer.promptTokens + tokens };
    end += `data: ${JSON.stringify({ ...chunkEnvelope(answer), choices: [], usage })}\n\n`;
  }
  res.end(`${end}data: [DONE]\n\n`);
}

/** Resolves when `res` can take more bytes, or is gone. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

interface Writer {
  write(s: string, then?: () => void): void;
  end(s: string): void;
}

/** Writes batches as they are, or in awkward pieces with a pause between, so each is its own TCP segment. */
function writer(res: ServerResponse, split: 'none' | 'utf8' | 'lines'): Writer {
  if (split === 'none') {
    return {
      write: (s, then) => (s ? res.write(s, then) : then?.()),
      end: (s) => res.end(s),
    };
  }
  let chain = Promise.resolve();
  const send = (s: string, last: boolean, then?: () => void) => {
    chain = chain.then(async () => {
      const pieces = split === 'utf8' ? splitInsideUtf8(Buffer.from(s)) : splitMidLine(s).map((p) => Buffer.from(p));
      for (const piece of pieces) {
        if (res.destroyed) return;
        res.write(piece);
        await new Promise((r) => setTimeout(r, SPLIT_GAP_MS));
      }
      if (last) res.end();
      then?.();
    });
  };
  return { write: (s, then) => send(s, false, then), end: (s) => send(s, true) };
}

/** Cuts before every UTF-8 continuation byte: every multi-byte character arrives in pieces. */
export function splitInsideUtf8(buf: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (let i = 1; i < buf.length; i++) {
    if ((buf[i]! & 0xc0) === 0x80) {
      pieces.push(buf.subarray(from, i));
      from = i;
    }
  }
  if (from < buf.length) pieces.push(buf.subarray(from));
  return pieces;
}

/** Cuts every event inside its field name, in the middle of its line, and between its two newlines. */
export function splitMidLine(s: string): string[] {
  const cuts = new Set<number>();
  for (let p = s.indexOf('data: '); p !== -1; p = s.indexOf('data: ', p + 1)) {
    const eol = s.indexOf('\n', p);
    cuts.add(p + 3);
    if (eol > p + 8) cuts.add(p + Math.floor((eol - p) / 2));
  }
  for (let q = s.indexOf('\n\n'); q !== -1; q = s.indexOf('\n\n', q + 2)) cuts.add(q + 1);
  return splitAt(s, cuts);
}

/** Cuts text or bytes at the given offsets (any order, repeats and offsets outside it ignored). */
export function splitAt<T extends { readonly length: number; slice(start: number, end?: number): T }>(whole: T, offsets: Iterable<number>): T[] {
  const cuts = [...new Set(offsets)].filter((c) => c > 0 && c < whole.length).sort((a, b) => a - b);
  const pieces: T[] = [];
  let from = 0;
  for (const c of cuts) {
    pieces.push(whole.slice(from, c));
    from = c;
  }
  pieces.push(whole.slice(from));
  return pieces;
}
