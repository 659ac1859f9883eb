/**
 * The load client's turns, one function per path, each timing request sent → first answer text
 * received. Real clients: undici for HTTP, eventsource-parser for SSE, ws for WebSocket.
 */
import { once } from 'node:events';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { QUESTION } from './setup.js';

export interface StreamResult {
  firstChunkMs: number;
  text: string;
  /** seq numbers in arrival order (Barnabee-shaped streams). */
  seqs: number[];
  /** `completed` when the stream ended as it should. */
  status: string | null;
  /** The code of an `error` event, if one came (Barnabee-shaped streams). */
  error?: string;
}

/** The paths measured in the steady rounds. */
export type PathName = 'direct' | 'floor' | 'peer' | 'sse' | 'ws';
export const PATHS: readonly PathName[] = ['direct', 'floor', 'peer', 'sse', 'ws'];
export const PATH_LABEL: Record<PathName, string> = {
  direct: 'direct (simulator)',
  floor: 'floor (minimal proxy)',
  peer: 'peer (AI SDK)',
  sse: 'Barnabee SSE',
  ws: 'Barnabee WebSocket',
};

export const dispatcher = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });

/** POSTs `body` and feeds the SSE answer to `onData`, which returns the text of that event, if any. */
async function sseTurn(url: string, body: object, onData: (data: string, r: StreamResult) => string | undefined): Promise<StreamResult> {
  const t0 = performance.now();
  const r: StreamResult = { firstChunkMs: NaN, text: '', seqs: [], status: null };
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`${url}: status ${res.statusCode}: ${await res.body.text()}`);
  const parser = createParser({
    onEvent: (m) => {
      const text = onData(m.data, r);
      if (!text) return;
      if (Number.isNaN(r.firstChunkMs)) r.firstChunkMs = performance.now() - t0;
      r.text += text;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
  return r;
}

/** One streamed chat completion straight from the simulator (the baseline). */
export function directStream(simUrl: string): Promise<StreamResult> {
  return sseTurn(`${simUrl}/chat/completions`, { model: 'default', stream: true, messages: [{ role: 'user', content: QUESTION }] }, (data, r) => {
    if (data === '[DONE]') {
      r.status = 'completed';
      return undefined;
    }
    return (JSON.parse(data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
  });
}

interface TurnEvent {
  type: string;
  seq: number;
  text?: string;
  status?: string;
  code?: string;
}

/** One turn over Barnabee's SSE endpoint, or the floor's (same events). */
export function turnStream(url: string): Promise<StreamResult> {
  return sseTurn(`${url}/api/v1/chat/stream`, { text: QUESTION }, (data, r) => {
    const e = JSON.parse(data) as TurnEvent;
    r.seqs.push(e.seq);
    if (e.type === 'turn.end') r.status = e.status ?? null;
    else if (e.type === 'error') r.error ??= e.code;
    return e.type === 'chunk' ? e.text : undefined;
  });
}

let peerMessage = 0;

/** One turn from the peer: the body `useChat` sends, the UI-message stream it reads. */
export function peerStream(url: string): Promise<StreamResult> {
  const id = `m${peerMessage++}`;
  const body = { id, trigger: 'submit-message', messages: [{ id, role: 'user', parts: [{ type: 'text', text: QUESTION }] }] };
  return sseTurn(url, body, (data, r) => {
    if (data === '[DONE]') return undefined;
    const part = JSON.parse(data) as { type: string; delta?: string };
    if (part.type === 'finish') r.status = 'completed';
    else if (part.type === 'error') r.status = 'error';
    return part.type === 'text-delta' ? part.delta : undefined;
  });
}

/** A WebSocket opened ahead; each turn is measured from `turn.create` sent to its first chunk. */
export async function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/ws`, { perMessageDeflate: false });
  await once(ws, 'open');
  return ws;
}

export function wsTurn(ws: WebSocket): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const r: StreamResult = { firstChunkMs: NaN, text: '', seqs: [], status: null };
    const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      const e = JSON.parse(data.toString()) as TurnEvent;
      r.seqs.push(e.seq);
      if (e.type === 'chunk' && e.text) {
        if (Number.isNaN(r.firstChunkMs)) r.firstChunkMs = performance.now() - t0;
        r.text += e.text;
      } else if (e.type === 'error') r.error ??= e.code;
      else if (e.type === 'turn.end') {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        r.status = e.status ?? null;
        resolve(r);
      }
    };
    const onClose = () => reject(new Error('socket closed mid-turn'));
    ws.on('message', onMessage);
    ws.once('close', onClose);
    const t0 = performance.now();
    ws.send(JSON.stringify({ type: 'turn.create', text: QUESTION }));
  });
}

/** Where each server listens. */
export interface Urls {
  sim: string;
  floor: string;
  peer: string;
  barnabee: string;
}

/** One turn on each path; `socket(client)` is that client's open Barnabee WebSocket. */
export function pathTurns(urls: Urls, socket: (client: number) => WebSocket): Record<PathName, (client: number) => Promise<StreamResult>> {
  return {
    direct: () => directStream(urls.sim),
    floor: () => turnStream(urls.floor),
    peer: () => peerStream(urls.peer),
    sse: () => turnStream(urls.barnabee),
    ws: (client) => wsTurn(socket(client)),
  };
}
