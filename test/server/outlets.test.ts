/**
 * When a turn's bytes leave: what a listener waits for (the first text, the first audio, an error,
 * the end) at the end of the tick; streamed tokens, `turn.start` and `route` at the end of the
 * event-loop iteration, batched into one write per socket — or, with a linger (STREAM_BATCH_MS),
 * at the next tick of a timer shared by all streams.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyReply } from 'fastify';
import { lingering, openHttpStream, writeBatcher } from '../../src/server/outlets.js';
import { waitUntil } from '../support/wait.js';
import { TurnHub, type Outlet } from '../../src/server/turns.js';
import type { Assistant, TurnEvent, TurnPart, TurnRequest } from '../../src/turn/index.js';

/** A stream that records when it was corked and uncorked, relative to a nextTick and a setImmediate. */
function fakeStream() {
  const log: string[] = [];
  let corked = 0;
  return {
    log,
    get corked() {
      return corked;
    },
    cork() {
      corked++;
      log.push('cork');
    },
    uncork() {
      corked--;
      log.push('uncork');
    },
  };
}

const markers = (log: string[]) =>
  new Promise<void>((resolve) => {
    process.nextTick(() => log.push('tick'));
    setImmediate(() => {
      log.push('immediate');
      resolve();
    });
  });

describe('writeBatcher', () => {
  it('holds ordinary writes until the end of the event-loop iteration, in one cork', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s);
    hold(false);
    hold(false);
    hold(false);
    await markers(s.log);
    assert.deepEqual(s.log, ['cork', 'tick', 'uncork', 'immediate']);
    assert.equal(s.corked, 0);
  });

  it('lets an urgent write leave at the end of the tick, with what was held before it', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s);
    hold(false);
    hold(true);
    await markers(s.log);
    // The urgent release comes before the marker tick queued after it; the immediate finds nothing held.
    assert.deepEqual(s.log, ['cork', 'uncork', 'tick', 'immediate']);
    assert.equal(s.corked, 0);
  });

  it('holds again after an urgent release, and releases at the end of the iteration', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s);
    hold(true);
    await new Promise<void>((r) => process.nextTick(r));
    hold(false);
    await new Promise<void>((r) => setImmediate(r));
    assert.deepEqual(s.log, ['cork', 'uncork', 'cork', 'uncork']);
    assert.equal(s.corked, 0);
  });
});

/** A fake stream whose uncork resolves `released`. */
function watchedStream() {
  const s = fakeStream();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const uncork = s.uncork.bind(s);
  s.uncork = () => {
    uncork();
    release();
  };
  return { s, released };
}

describe('writeBatcher with a linger', () => {
  it('holds ordinary writes past the end of the iteration, until the linger timer, in one cork', async () => {
    const { s, released } = watchedStream();
    const hold = writeBatcher(s, 200);
    hold(false);
    hold(false);
    await new Promise<void>((r) => setImmediate(r));
    assert.deepEqual(s.log, ['cork'], 'nothing released at the end of the iteration');
    hold(false);
    await released;
    assert.deepEqual(s.log, ['cork', 'uncork']);
    assert.equal(s.corked, 0);
  });

  it('an urgent write still leaves at the end of the tick, with what was held before it', async () => {
    const s = fakeStream();
    const hold = writeBatcher(s, 200);
    hold(false);
    hold(true);
    await markers(s.log);
    assert.deepEqual(s.log, ['cork', 'uncork', 'tick', 'immediate']);
    assert.equal(s.corked, 0);
  });

  it('streams with the same linger are released together, in the order they were held', async () => {
    const a = watchedStream();
    const b = watchedStream();
    const order: string[] = [];
    a.released.then(() => order.push('a'));
    b.released.then(() => order.push('b'));
    writeBatcher(b.s, 50)(false);
    writeBatcher(a.s, 50)(false);
    await Promise.all([a.released, b.released]);
    assert.deepEqual(order, ['b', 'a']);
  });

  describe('on real sockets', () => {
    let server: ReturnType<typeof createServer>;
    let port: number;
    const accepted: Socket[] = [];
    before(async () => {
      server = createServer((s) => {
        s.on('error', () => {}); // the reset of a client that left with bytes unread
        accepted.push(s);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as { port: number }).port;
    });
    after(() => {
      for (const s of accepted) s.destroy();
      server.close();
    });
    const pair = async (): Promise<{ client: Socket; peer: Socket }> => {
      const n = accepted.length;
      const client = connect(port, '127.0.0.1');
      await once(client, 'connect');
      while (accepted.length === n) await new Promise((r) => setImmediate(r));
      return { client, peer: accepted[n]! };
    };
    const read = (client: Socket, until: string) =>
      new Promise<string>((resolve) => {
        let got = '';
        client.setEncoding('utf8');
        client.on('data', (d: string) => {
          got += d;
          if (got.endsWith(until)) resolve(got);
        });
      });

    it('bytes arrive whole and in order; held bytes count as buffered (the per-client bound sees them)', async () => {
      const { client, peer } = await pair();
      const hold = writeBatcher(peer, 30);
      const got = read(client, '|end');
      for (const t of ['a', 'b', 'c']) {
        hold(false);
        peer.write(t);
      }
      assert.equal(peer.writableLength, 3, 'held bytes are buffered bytes');
      hold(true);
      peer.write('|end');
      assert.equal(await got, 'abc|end');
      client.destroy();
    });

    it('a client that stops reading delays no other, and one that vanishes leaves nothing held', async () => {
      const slow = await pair();
      const fast = await pair();
      slow.client.pause();
      const slowHold = writeBatcher(slow.peer, 20);
      const fastHold = writeBatcher(fast.peer, 20);
      // Far more than the kernel's socket buffers take: the slow peer keeps bytes waiting.
      const big = Buffer.alloc(1 << 20, 'x');
      for (let i = 0; i < 16; i++) {
        slowHold(false);
        slow.peer.write(big);
      }
      const got = read(fast.client, 'z');
      for (const t of 'vwxyz') {
        fastHold(false);
        fast.peer.write(t);
      }
      assert.equal(await got, 'vwxyz');
      assert.ok(slow.peer.writableLength > 0, 'the slow client still has bytes waiting');
      const closed = new Promise((r) => slow.peer.once('close', r)); // (events.once would reject on the reset)
      slow.client.destroy();
      slowHold(false);
      slow.peer.write('more');
      await closed;
      await waitUntil(() => lingering() === 0, 'the dropped stream to be released');
      fast.client.destroy();
    });
  });
});

/**
 * One `GET /s` over a real socket to a Fastify app whose handler is `route`; resolves with the raw
 * response once the server ends it. `onConnection` sees the server's side of the connection first.
 */
async function getOnce(
  t: { after(fn: () => unknown): void },
  route: (reply: FastifyReply) => Promise<void>,
  onConnection: (socket: Socket) => void = () => {},
): Promise<string> {
  const app = Fastify();
  t.after(() => app.close());
  app.server.on('connection', onConnection);
  app.get('/s', async (_request, reply) => route(reply));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const socket = connect((app.server.address() as { port: number }).port, '127.0.0.1');
  t.after(() => socket.destroy());
  socket.write('GET /s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  let raw = '';
  socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
  await once(socket, 'end');
  return raw;
}

describe('openHttpStream', () => {
  it('a batch of events leaves as one chunk of the chunked response', async (t) => {
    const raw = await getOnce(t, async (reply) => {
      const stream = openHttpStream(reply, { headers: { 'content-type': 'text/event-stream' }, lingerMs: 50 });
      for (const n of [1, 2, 3]) stream.write(`data: ${n}\n\n`, false);
      assert.equal(stream.buffered() >= 3 * 'data: 1\n\n'.length, true, 'what waits counts as buffered');
      stream.write('data: end\n\n');
      stream.end();
    });
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    // One chunk holds every event (the urgent one took the waiting ones along), then the last chunk.
    assert.equal(body, `${(38).toString(16)}\r\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: end\n\n\r\n0\r\n\r\n`);
  });

  it("the last batch leaves with the response's closing chunk, in one socket write", async (t) => {
    // Every socket write of the server, as the bytes it carried (a writev's buffers joined).
    const writes: string[] = [];
    type Chunk = string | Buffer;
    type Spied = Socket & {
      _writev(chunks: Array<{ chunk: Chunk }>, cb: () => void): void;
      _write(chunk: Chunk, encoding: BufferEncoding, cb: () => void): void;
    };
    const text = (chunk: Chunk) => (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    const spy = (socket: Spied) => {
      const writev = socket._writev.bind(socket);
      const write = socket._write.bind(socket);
      socket._writev = (chunks, cb) => {
        writes.push(chunks.map(({ chunk }) => text(chunk)).join(''));
        writev(chunks, cb);
      };
      socket._write = (chunk, encoding, cb) => {
        writes.push(text(chunk));
        write(chunk, encoding, cb);
      };
    };
    await getOnce(
      t,
      async (reply) => {
        const stream = openHttpStream(reply, { headers: { 'content-type': 'text/event-stream' }, lingerMs: 50 });
        stream.write('data: first\n\n');
        await new Promise((r) => setImmediate(r));
        stream.write('data: 2\n\n', false);
        stream.write('data: end\n\n');
        stream.end();
      },
      (socket) => spy(socket as Spied),
    );
    assert.equal(writes.length, 2, `two writes: the head with the first event, then the rest: ${JSON.stringify(writes)}`);
    assert.ok(writes[0]!.startsWith('HTTP/1.1 200') && writes[0]!.endsWith('data: first\n\n\r\n'));
    assert.equal(writes[1], `${(20).toString(16)}\r\ndata: 2\n\ndata: end\n\n\r\n0\r\n\r\n`);
  });
});

describe('TurnHub: which events are urgent', () => {
  const parts: TurnPart[] = [
    { type: 'turn.start', conversation_id: 'c', input: 'hi', speak: true },
    { type: 'route', agent: 'interaction', intent: 'chat', confidence: 1, route_ms: 0.1 },
    { type: 'chunk', text: '', done: false },
    { type: 'chunk', text: 'Hel', done: false },
    { type: 'chunk', text: 'lo', done: false },
    { type: 'chunk', text: ' there.', done: false },
    { type: 'chunk', text: ' How', done: false },
    { type: 'chunk', text: ' are', done: false },
    { type: 'chunk', text: ' you?', done: false },
    { type: 'speech.start', segment: 0, text: 'Hello.' },
    { type: 'audio', segment: 0, sample_rate: 16000, encoding: 'pcm_s16le', channels: 1, pcm: Buffer.alloc(4) },
    { type: 'audio', segment: 0, sample_rate: 16000, encoding: 'pcm_s16le', channels: 1, pcm: Buffer.alloc(4) },
    { type: 'speech.end', segment: 0, duration_ms: 1 },
    { type: 'chunk', text: '', done: true },
    { type: 'error', code: 'x', message: 'late trouble', retryable: false },
    {
      type: 'turn.end',
      status: 'failed',
      text: 'Hello there. How are you?',
      spoken_text: 'Hello there. How are you?',
      metrics: { route_ms: 0.1, first_chunk_ms: 1, first_audio_ms: 2, total_ms: 3 },
    },
  ] as TurnPart[];
  const assistant: Assistant = {
    async *run(): AsyncGenerator<TurnEvent> {
      for (const [seq, part] of parts.entries()) yield { ...part, turn_id: 't', seq, t_ms: seq } as TurnEvent;
    },
  };

  it('text, the first audio, an error and turn.end are urgent; the rest is not', async () => {
    const sent: Array<[string, boolean]> = [];
    const outlet: Outlet = { send: (e, urgent) => void sent.push([e.type === 'chunk' ? `chunk:${e.text}` : e.type, urgent]), buffered: () => 0 };
    const hub = new TurnHub(assistant, { maxTurnsPerClient: 1, clientBufferBytes: 1 << 20 });
    const log = { info() {}, error() {} } as never;
    await hub.start({ text: 'hi' } as TurnRequest, { outlet, clientId: 'a', transport: 'test', log }).done;
    assert.deepEqual(sent, [
      ['turn.start', false],
      ['route', false],
      // Text that could wait was already gathered where the model's tokens are read
      // (test/llm/gather.test.ts, test/turn/runner-gather.test.ts): every chunk that arrives is due.
      ['chunk:', true],
      ['chunk:Hel', true],
      ['chunk:lo', true],
      ['chunk: there.', true],
      ['chunk: How', true],
      ['chunk: are', true],
      ['chunk: you?', true],
      ['speech.start', false],
      ['audio', true],
      ['audio', false],
      ['speech.end', false],
      ['chunk:', true],
      ['error', true],
      ['turn.end', true],
    ]);
  });
});
