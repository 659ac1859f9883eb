/**
 * The write path alone, as `writeBatcher` drives it: 100 client connections, one 150-byte SSE event
 * every 10 ms on each (a model streaming 100 tokens/s), over a raw socket (as WebSocket frames go)
 * and over a chunked HTTP response (as SSE goes), with a linger of 0 and of STREAM_BATCH_MS's
 * default in alternating windows. Prints the writer's CPU (user + system) and socket writes per
 * event. The readers are a child process. Numbers are for comparing the two lingers in one run.
 *
 *   npx tsx bench/server/write-path.ts
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, get, type ServerResponse } from 'node:http';
import { connect, createServer, Socket } from 'node:net';
import { writeBatcher } from '../../src/server/outlets.js';

const CLIENTS = 100;
const EVERY_MS = 10;
const LINGERS = [0, 50];
const ROUNDS = 6;
const WINDOW_MS = 3000;

if (process.argv[2] === 'reader') {
  const [, , , kind, port] = process.argv;
  for (let i = 0; i < CLIENTS; i++) {
    if (kind === 'socket') connect(Number(port), '127.0.0.1').on('data', () => {});
    else get(`http://127.0.0.1:${port}/`, { agent: false }, (res) => res.on('data', () => {}));
  }
} else {
  let writes = 0;
  const original = (Socket.prototype as unknown as { _writeGeneric: (...a: unknown[]) => unknown })._writeGeneric;
  (Socket.prototype as unknown as { _writeGeneric: (...a: unknown[]) => unknown })._writeGeneric = function (this: Socket, ...a: unknown[]) {
    writes++;
    return original.apply(this, a);
  };
  const turnId = '0b4f2c1e-1111-2222-3333-444455556666';
  const event = `event: chunk\nid: ${turnId}:12\ndata: ${JSON.stringify({ type: 'chunk', text: ' word12', done: false, turn_id: turnId, seq: 12, t_ms: 123.456 })}\n\n`;

  for (const kind of ['socket', 'http'] as const) {
    // Each target: something to cork/uncork and write to.
    const targets: Array<{ cork(): void; uncork(): void; write(s: string): unknown }> = [];
    const server =
      kind === 'socket'
        ? createServer((s) => void targets.push(s.setNoDelay(true)))
        : createHttpServer((_req, res: ServerResponse) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.flushHeaders();
            targets.push(res);
          });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const reader = fork(new URL(import.meta.url).pathname, ['reader', kind, String((server.address() as { port: number }).port)], { execArgv: ['--import', 'tsx'] });
    while (targets.length < CLIENTS) await new Promise((r) => setTimeout(r, 20));

    const window = async (linger: number) => {
      const holds = targets.map((t) => writeBatcher(t, linger));
      let events = 0;
      const timers: NodeJS.Timeout[] = [];
      targets.forEach((t, i) =>
        timers.push(
          setTimeout(() => {
            timers[i] = setInterval(() => {
              holds[i]!(false);
              t.write(event);
              events++;
            }, EVERY_MS);
          }, (i * EVERY_MS) / CLIENTS),
        ),
      );
      await new Promise((r) => setTimeout(r, 300));
      const [w0, e0, c0] = [writes, events, process.cpuUsage()];
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const c = process.cpuUsage(c0);
      const n = events - e0;
      for (const t of timers) clearInterval(t);
      await new Promise((r) => setTimeout(r, 100));
      return { us: (c.user + c.system) / n, kernel: c.system / n, writes: (writes - w0) / n };
    };
    const seen = new Map<number, Array<{ us: number; kernel: number; writes: number }>>(LINGERS.map((l) => [l, []]));
    for (let r = 0; r < ROUNDS; r++) for (const l of r % 2 ? [...LINGERS].reverse() : LINGERS) seen.get(l)!.push(await window(l));
    for (const [linger, xs] of seen) {
      const median = (k: 'us' | 'kernel' | 'writes') => xs.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      console.log(
        `${kind.padEnd(6)} linger ${String(linger).padStart(2)} ms: ${median('us').toFixed(1)} µs CPU per event (kernel ${median('kernel').toFixed(1)}), ` +
          `${median('writes').toFixed(2)} writes per event; rounds ${xs.map((x) => x.us.toFixed(1)).join(' ')}`,
      );
    }
    reader.kill();
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
    for (const t of targets) (t as { destroy?: () => void }).destroy?.();
  }
  process.exit(0);
}
