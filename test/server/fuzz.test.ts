/**
 * Bounded fuzzing against a real server: thousands of malformed HTTP requests over raw TCP and
 * malformed WebSocket messages and frames (through `ws` and as raw bytes). Every request is
 * answered with something other than a 5xx (503 only while shutting down) or closed, within a
 * generous bound; no WebSocket is closed with 1011 or told `internal`; nothing is logged at
 * `error`; and the server still serves a normal turn afterwards.
 *
 * Deterministic: the cases come from a fixed seed (FUZZ_SEED overrides it), printed with any failure.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { postJson } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';
import { frame, openRawWs } from '../support/ws-raw.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const HTTP_CASES = 2000;
const WS_MESSAGES = 1000;
const RAW_WS_CONNECTIONS = 300; // × 2–6 frames each, ≥ 1000 frames in all
/** Answered or closed within this (generous: the machine may be busy). */
const BOUND_MS = 20_000;
const BODY_LIMIT = 8192;

const ROUTES = [
  '/api/v1/chat',
  '/api/v1/chat/stream',
  '/api/v1/chat/text',
  '/api/v1/chat/events',
  '/api/v1/chat/audio',
  '/api/v1/ws',
  '/api/v1/ws/dashboard',
  '/api/v1/events',
  '/api/v1/status',
  '/api/v1/turns',
  '/v1/chat/completions',
  '/v1/models',
  '/healthz',
  '/readyz',
  '/metrics',
  '/',
  '/nope',
];

/** Runs `jobs` with at most `width` in flight. */
async function pool<T>(items: T[], width: number, job: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await job(items[i]!, i);
      }
    }),
  );
}

// ---- HTTP cases -------------------------------------------------------------------------------

const junk = fc.string({ unit: fc.constantFrom(...'aZ09%/.:?&=#;,"\'<>{}[]\\ \t-_~é€\u0000\u007f'), maxLength: 40 });
const jsonText = fc.oneof(
  fc.constantFrom('{', '{"text":', '[1,2', 'null', '""', '{"text":"hi"', '{"text":"caf\u00e9"}', '{}}', 'true', '1e999', '{"__proto__":{"x":1},"text":"echo proto"}'),
  fc.json({ maxDepth: 3 }),
  fc
    .record({
      text: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant('echo fuzz'), fc.constant(''), fc.constant(' '), fc.array(fc.string(), { maxLength: 2 })),
      conversation_id: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.integer()), { nil: undefined }),
      speak: fc.option(fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })), { nil: undefined }),
      voice: fc.option(fc.oneof(fc.string({ maxLength: 10 }), fc.constant('kal16')), { nil: undefined }),
      messages: fc.option(fc.array(fc.record({ role: fc.constantFrom('user', 'system', 'wizard'), content: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()) }), { maxLength: 3 }), { nil: undefined }),
      stream: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map((o) => JSON.stringify(o)),
);
const body = fc.oneof(
  { weight: 6, arbitrary: jsonText.map((s) => Buffer.from(s)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constant(Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])) },
  { weight: 1, arbitrary: fc.constant(Buffer.from(`{"text":"${'x'.repeat(BODY_LIMIT + 100)}"}`)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);

interface HttpCase {
  method: string;
  target: string;
  headers: string[];
  body: Buffer;
  framing: 'length' | 'huge' | 'negative' | 'words' | 'short' | 'long' | 'none' | 'chunked' | 'chunked-junk' | 'both';
}

const httpCase: fc.Arbitrary<HttpCase> = fc.record({
  method: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') },
    { weight: 1, arbitrary: fc.constantFrom('get', 'P0ST', 'TRACE', 'CONNECT', 'BREW', '', 'GET GET', 'POST\u0000') },
  ),
  target: fc.oneof(
    // Mostly queries a client could send (encoded junk), some raw junk the parser must refuse.
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.option(fc.array(fc.tuple(fc.constantFrom('text', 'speak', 'voice', 'conversation_id', 'x'), junk), { maxLength: 4 }), { nil: undefined })).map(([r, q]) => (q ? `${r}?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : r)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.array(fc.tuple(junk, junk), { minLength: 1, maxLength: 3 })).map(([r, q]) => `${r}?${q.map(([k, v]) => `${k}=${v}`).join('&')}`) },
    { weight: 1, arbitrary: fc.constantFrom(...ROUTES).map((r) => `${r}?text=${encodeURIComponent('echo hi')}&speak=maybe&voice=nobody&conversation_id=${'c'.repeat(300)}`) },
    { weight: 1, arbitrary: junk.map((j) => `/${j}`) },
    { weight: 1, arbitrary: fc.constantFrom('*', '//', '/..%2f..%2fetc/passwd', '/%', '/%zz', `/${'a'.repeat(9000)}`, 'http://evil.example/api/v1/chat', '/api/v1/chat#frag', '/api/v1/chat/../chat') },
  ),
  headers: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('Content-Type: application/json', 'Accept: */*', 'User-Agent: fuzz') },
      { weight: 2, arbitrary: fc.constantFrom(
        'Content-Type: application/json',
        'Content-Type: application/json',
        'Content-Type: text/plain',
        'Content-Type: application/json; charset=latin1',
        'Content-Type: multipart/form-data; boundary=x',
        'Content-Type: application/x-www-form-urlencoded',
        'Content-Type: ',
        'Accept: text/event-stream',
        'X-Request-ID: fuzz-1',
        'X-Request-ID: bad id with spaces',
        'Authorization: Bearer nothing',
        'Origin: http://127.0.0.1',
        'Upgrade: websocket',
        'Expect: 100-continue',
        'Last-Event-ID: x:1',
        'Cookie: barnabee_session=junk',
        'no colon here',
        ': empty name',
        `X-Big: ${'h'.repeat(9000)}`,
      ) },
      { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), junk).map(([k, v]) => `${k}: ${v}`) },
    ),
    { maxLength: 4 },
  ),
  body,
  framing: fc.constantFrom('length', 'length', 'length', 'huge', 'negative', 'words', 'short', 'long', 'none', 'chunked', 'chunked-junk', 'both'),
});

function encodeHttp(c: HttpCase, host: string): Buffer {
  const head = [`${c.method} ${c.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...c.headers];
  let payload = c.body;
  switch (c.framing) {
    case 'length':
      head.push(`Content-Length: ${c.body.length}`);
      break;
    case 'huge':
      head.push('Content-Length: 99999999999999999999');
      break;
    case 'negative':
      head.push('Content-Length: -1');
      break;
    case 'words':
      head.push('Content-Length: twelve');
      break;
    case 'short':
      head.push(`Content-Length: ${Math.max(0, c.body.length - 3)}`);
      break;
    case 'long':
      head.push(`Content-Length: ${c.body.length + 50}`);
      break;
    case 'chunked':
      head.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${c.body.length.toString(16)}\r\n`), c.body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'chunked-junk':
      head.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from('zz\r\n'), c.body, Buffer.from('\r\n-1\r\nffffffffffffffffff\r\n')]);
      break;
    case 'both':
      head.push('Transfer-Encoding: chunked', `Content-Length: ${c.body.length}`);
      break;
  }
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), payload]);
}

/** Sends the bytes, half-closes, and reports the status (null: closed without one) or a hang. */
function exchange(port: number, bytes: Buffer): Promise<{ status: number | null; hung: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: parse(), hung: true });
    }, BOUND_MS);
    const parse = () => {
      // The final status (an `Expect: 100-continue` request gets a 100 first).
      const m = /HTTP\/1\.[01] ([2-5]\d\d)/.exec(head) ?? /^HTTP\/1\.[01] (\d{3})/.exec(head);
      return m ? Number(m[1]) : null;
    };
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      if (head.length < 512) head += d.toString('latin1');
    });
    socket.once('connect', () => socket.end(bytes));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ status: parse(), hung: false });
    });
  });
}

// ---- WebSocket cases --------------------------------------------------------------------------

type WsMessage = { text: string } | { binary: Buffer };
const wsMessage: fc.Arbitrary<WsMessage> = fc.oneof(
  { weight: 3, arbitrary: jsonText.map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ text })) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        type: fc.oneof(fc.constantFrom('turn.create', 'turn.create', 'turn.cancel', 'ping', 'turn.explode', ''), fc.integer(), fc.constant(null)),
        text: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constant('echo ws fuzz'), fc.integer(), fc.dictionary(fc.string(), fc.string())), { nil: undefined }),
        turn_id: fc.option(fc.oneof(fc.string({ maxLength: 200 }), fc.integer()), { nil: undefined }),
        played_ms: fc.option(fc.oneof(fc.integer(), fc.string()), { nil: undefined }),
        voice: fc.option(fc.oneof(fc.constant('nobody'), fc.integer()), { nil: undefined }),
        conversation_id: fc.option(fc.string({ maxLength: 140 }), { nil: undefined }),
      })
      .map((o) => ({ text: JSON.stringify(o) })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => ({ binary: Buffer.from(a) })) },
  { weight: 1, arbitrary: fc.constant({ text: `{"type":"turn.create","text":"${'y'.repeat(BODY_LIMIT)}"}` }) },
);

interface RawFrame {
  opcode: number;
  payload: Buffer;
  fin: boolean;
  rsv: number;
  mask: boolean;
  length?: number;
}
const rawFrame: fc.Arbitrary<RawFrame> = fc.record({
  opcode: fc.constantFrom(0, 1, 1, 1, 2, 3, 8, 8, 9, 10, 11, 15),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 130 }).map((a) => Buffer.from(a)),
    jsonText.map((s) => Buffer.from(s)),
    fc.constant(Buffer.from([0x03, 0xe8, 0xc3, 0x28])), // close 1000 with a reason that is not UTF-8
    fc.constant(Buffer.from([0xff, 0xfe, 0xfd])),
  ),
  fin: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  rsv: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }),
  mask: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  length: fc.option(fc.constantFrom(1 << 20, 2 ** 40, 70_000), { nil: undefined, freq: 12 }),
});

const PING = frame(1, '{"type":"ping"}');

describe(`fuzz (seed ${SEED})`, () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness({ BODY_LIMIT_BYTES: String(BODY_LIMIT), RATE_LIMIT_PER_MINUTE: '1000000', MAX_TURNS_PER_CLIENT: '64', SSE_HEARTBEAT_MS: '60000' });
    port = Number(new URL(h.url).port);
  });
  after(() => h.close());

  const errorLines = () => h.logObjects().filter((l) => l.level >= 50);

  it(`${HTTP_CASES} malformed HTTP requests: each answered without a 5xx, or closed, within ${BOUND_MS} ms`, async () => {
    const cases = fc.sample(httpCase, { seed: SEED, numRuns: HTTP_CASES });
    const problems: string[] = [];
    const statuses = new Map<number | null, number>();
    await pool(cases, 24, async (c, i) => {
      const { status, hung } = await exchange(port, encodeHttp(c, `127.0.0.1:${port}`));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (hung || (status !== null && status >= 500 && status !== 503)) {
        problems.push(`case ${i} (seed ${SEED}): ${hung ? 'no answer and not closed' : `HTTP ${status}`}: ${JSON.stringify({ ...c, body: c.body.subarray(0, 200).toString('latin1') })}`);
      }
    });
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} failures`);
    assert.ok((statuses.get(200) ?? 0) >= 20, `some requests were well-formed enough to run: ${JSON.stringify([...statuses])}`);
    assert.ok([...statuses.keys()].some((s) => s !== null && s >= 400 && s < 500), 'and many were refused with a 4xx');
    assert.deepEqual(errorLines(), [], `seed ${SEED}: nothing logged at error`);
  });

  it(`${WS_MESSAGES} malformed WebSocket messages through ws: error events, never internal, never 1011`, async () => {
    const messages = fc.sample(wsMessage, { seed: SEED, numRuns: WS_MESSAGES });
    const batches: WsMessage[][] = [];
    for (let i = 0; i < messages.length; i += 50) batches.push(messages.slice(i, i + 50));
    const problems: string[] = [];
    await pool(batches, 5, async (batch, b) => {
      let at = 0;
      while (at < batch.length) {
        const ws = new WebSocket(`${h.wsUrl}/api/v1/ws`);
        const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
        ws.on('error', () => {});
        ws.on('message', (data, isBinary) => {
          if (isBinary) return;
          const e = JSON.parse(data.toString()) as { type: string; code?: string };
          if (e.type === 'error' && (e.code === 'internal' || e.code === 'route_failed')) problems.push(`batch ${b} (seed ${SEED}): ${data.toString()}`);
        });
        await new Promise<void>((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
        });
        // Send until the server closes this socket (a message over the limit does), then reconnect.
        while (at < batch.length && ws.readyState === WebSocket.OPEN) {
          const m = batch[at++]!;
          ws.send('text' in m ? m.text : m.binary, { binary: !('text' in m) });
        }
        if (ws.readyState === WebSocket.OPEN) {
          // Still alive and answering: a ping gets its pong after everything before it.
          const pong = new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(false), BOUND_MS);
            ws.on('message', (d, isBinary) => {
              if (!isBinary && (JSON.parse(d.toString()) as { type: string }).type === 'pong') {
                clearTimeout(t);
                resolve(true);
              }
            });
            closed.then(() => {
              clearTimeout(t);
              resolve(true);
            });
          });
          ws.send('{"type":"ping"}');
          if (!(await pong)) problems.push(`batch ${b} (seed ${SEED}): no pong within ${BOUND_MS} ms`);
          ws.close();
        }
        const code = await closed;
        if (code === 1011) problems.push(`batch ${b} (seed ${SEED}): closed with 1011`);
      }
    });
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} failures`);
    assert.deepEqual(errorLines(), [], `seed ${SEED}: nothing logged at error`);
  });

  it(`${RAW_WS_CONNECTIONS} raw connections of malformed frames (fragments, bad opcodes, lengths, UTF-8): answered or closed, never 1011`, async () => {
    const conns = fc.sample(fc.array(rawFrame, { minLength: 2, maxLength: 6 }), { seed: SEED, numRuns: RAW_WS_CONNECTIONS });
    const frames = conns.reduce((n, c) => n + c.length, 0);
    assert.ok(frames >= 1000, `${frames} frames`);
    const problems: string[] = [];
    await pool(conns, 16, async (conn, i) => {
      const raw = await openRawWs(port);
      for (const f of conn) raw.write(frame(f.opcode, f.payload, f));
      raw.write(PING);
      const outcome = await Promise.race([
        raw.closed.then((code) => ({ code, pong: false })),
        new Promise<{ code: null; pong: boolean }>((resolve) => {
          const t = setTimeout(() => resolve({ code: null, pong: false }), BOUND_MS);
          const check = setInterval(() => {
            if (raw.frames.some((fr) => fr.opcode === 1 && fr.payload.toString().includes('"pong"'))) {
              clearTimeout(t);
              clearInterval(check);
              resolve({ code: null, pong: true });
            }
          }, 20);
          raw.closed.then(() => {
            clearTimeout(t);
            clearInterval(check);
          });
        }),
      ]);
      raw.socket.destroy();
      const describe = () => JSON.stringify(conn.map((f) => ({ ...f, payload: f.payload.toString('hex').slice(0, 80) })));
      if (outcome.code === null && !outcome.pong) problems.push(`connection ${i} (seed ${SEED}): neither answered nor closed: ${describe()}`);
      if (outcome.code === 1011) problems.push(`connection ${i} (seed ${SEED}): closed with 1011: ${describe()}`);
      if (raw.frames.some((fr) => fr.opcode === 1 && /"code":"internal"/.test(fr.payload.toString()))) problems.push(`connection ${i} (seed ${SEED}): internal error event: ${describe()}`);
    });
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} failures`);
    assert.deepEqual(errorLines(), [], `seed ${SEED}: nothing logged at error`);
  });

  it('the server is healthy afterwards: /healthz ok and a normal turn completes', async () => {
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
    const res = await postJson(`${h.url}/api/v1/chat`, { text: 'echo still standing' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { response: string; status: string };
    assert.equal(body.status, 'completed');
    assert.equal(body.response, 'You said: still standing');
    assert.equal(h.server.app.barnabee.hub.running.size, 0, 'no turn left running');
  });
});
