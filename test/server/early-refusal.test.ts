/**
 * Early refusals reach clients that are still sending (the body is drained, up to a bound), and the
 * whole-request deadline closes clients that trickle headers or a body — without cutting a long
 * streaming response.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { drainLimit } from '../../src/server/drain.js';
import { readSse, turnEvents } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';

const EIGHT_MB = Buffer.alloc(8 * 1024 * 1024, 0x61);

const post = (url: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body: EIGHT_MB });
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

async function rawSocket(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await once(socket, 'connect');
  let raw = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (raw += d));
  socket.on('error', () => {});
  return { socket, received: () => raw, closed: new Promise((resolve) => socket.once('close', resolve)) };
}

describe('early refusals reach a client that is still sending', () => {
  let open: Harness;
  let token: Harness;
  before(async () => {
    open = await startHarness();
    token = await startHarness({ BARNABEE_API_TOKEN: 'refusal-test-token-0123' });
  });
  after(async () => {
    await open.close();
    await token.close();
  });

  it('fetch POST of 8 MB (128× BODY_LIMIT_BYTES) gets the 413 JSON', async () => {
    const res = await post(`${open.url}/api/v1/chat`, { 'content-type': 'application/json' });
    assert.equal(res.status, 413);
    assert.equal(await codeOf(res), 'body_too_large');
  });

  it('… and the 415 JSON for a wrong content type', async () => {
    const res = await post(`${open.url}/api/v1/chat`, { 'content-type': 'text/plain' });
    assert.equal(res.status, 415);
    assert.equal(await codeOf(res), 'unsupported_media_type');
  });

  it('… and the 401 JSON in token mode', async () => {
    const res = await post(`${token.url}/api/v1/chat/stream`, { 'content-type': 'application/json' });
    assert.equal(res.status, 401);
    assert.equal(await codeOf(res), 'unauthorized');
  });

  it('a client that writes its whole body before reading (curl, a satellite) gets the 413, not EPIPE', async () => {
    const { socket, received, closed } = await rawSocket(open.url);
    let failed: Error | undefined;
    socket.on('error', (e) => (failed = e));
    socket.write(`POST /api/v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${EIGHT_MB.length}\r\n\r\n`);
    for (let off = 0; off < EIGHT_MB.length && !failed; off += 64 * 1024) {
      if (!socket.write(EIGHT_MB.subarray(off, off + 64 * 1024))) await Promise.race([once(socket, 'drain'), closed]).catch(() => {});
    }
    assert.equal(failed, undefined, 'the whole body was accepted');
    await new Promise<void>((resolve) => {
      const check = () => (received().includes('body_too_large') ? resolve() : socket.once('data', check));
      check();
    });
    assert.match(received(), /^HTTP\/1\.1 413 /);
    socket.destroy();
  });

  it('the drain is bounded: a client that keeps sending is closed after the bound', async () => {
    const { socket, received, closed } = await rawSocket(open.url);
    socket.write(`POST /api/v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${2 ** 32}\r\n\r\n`);
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let written = 0;
    let gone = false;
    void closed.then(() => (gone = true));
    while (!gone) {
      written += chunk.length;
      // `once` rejects on the socket's EPIPE: that is the close this loop waits for.
      if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), closed]).catch(() => closed);
    }
    assert.match(received(), /^HTTP\/1\.1 413 /);
    // The bound, plus what the two kernels' socket buffers held.
    const bound = drainLimit(open.runtime.config.BODY_LIMIT_BYTES);
    assert.ok(written < bound + 64 * 1024 * 1024, `the client wrote ${written} bytes before the close (bound ${bound})`);
    assert.ok(written > bound / 2, `drained ${written} bytes ${received()}`);
  });
});

describe('the whole-request deadline (REQUEST_TIMEOUT_MS)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ REQUEST_TIMEOUT_MS: '1000' });
  });
  after(() => h.close());

  it('closes a client that trickles its body', async () => {
    const { socket, closed } = await rawSocket(h.url);
    socket.write('POST /api/v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":"');
    const t0 = performance.now();
    const drip = setInterval(() => socket.write('a'), 100);
    await closed;
    clearInterval(drip);
    assert.ok(performance.now() - t0 >= 900, 'not before the deadline');
    assert.equal(h.runtime.records.length, 0, 'no turn ran');
  });

  it('closes a client that trickles its headers', async () => {
    const { socket, closed } = await rawSocket(h.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.write('X-A: b\r\n'), 100);
    await closed;
    clearInterval(drip);
  });

  it('does not cut a streaming response that outlasts it', async () => {
    const t0 = performance.now();
    const events = turnEvents(await readSse(`${h.url}/api/v1/chat/stream?text=${encodeURIComponent('slow 25 100')}`));
    assert.ok(performance.now() - t0 > 2000, 'the stream lasted past the deadline');
    assert.equal(events.at(-1)!.type, 'turn.end');
    assert.equal(events.at(-1)!.status, 'completed');
  });
});
