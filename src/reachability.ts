/**
 * Whether the servers Barnabee depends on answer: the model server and an external speech engine.
 * Asked by `/readyz` and the start-up banner, so a wrong URL or a stopped Piper is named at once
 * instead of surfacing as the first user's failed turn. Nothing here is built in (the simulator and
 * Flite are not probed). Targets are reported as origins only: never a path, a query or a key.
 */
import { connect } from 'node:net';
import { request } from 'undici';

export interface Reachability {
  /** Which dependency: `model` (the LLM server) or `speech` (the TTS server). */
  part: 'model' | 'speech';
  /** Where it is, as `scheme://host:port` or `host:port`. */
  target: string;
  ok: boolean;
  /** What was seen: an HTTP status, or why it could not be reached. */
  detail: string;
}

export interface Dependency {
  part: Reachability['part'];
  /** An http(s) URL (any answer counts, even 401 or 404), or `tcp://host:port` (a connection counts). */
  url: string;
}

/** Probes each dependency at once, each within `timeoutMs`. */
export function probeAll(deps: Dependency[], timeoutMs = 3000): Promise<Reachability[]> {
  return Promise.all(deps.map((d) => probe(d, timeoutMs)));
}

async function probe({ part, url }: Dependency, timeoutMs: number): Promise<Reachability> {
  const u = new URL(url);
  const target = u.protocol === 'tcp:' ? u.host : u.origin;
  try {
    const detail = u.protocol === 'tcp:' ? await tcp(u.hostname.replace(/^\[|\]$/g, ''), Number(u.port), timeoutMs) : await http(url, timeoutMs);
    return { part, target, ok: true, detail };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { part, target, ok: false, detail: e.code ?? e.message ?? 'unreachable' };
  }
}

async function http(url: string, timeoutMs: number): Promise<string> {
  const res = await request(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  await res.body.dump();
  return `HTTP ${res.statusCode}`;
}

function tcp(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
