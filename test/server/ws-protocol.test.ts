/**
 * WebSocket frames a client should never send: a close reason that is not UTF-8 is answered with
 * 1007 (RFC 6455 §8.1), protocol errors with the RFC's close codes, and every malformed frame or
 * message leaves at most one `warn` line per connection, without a stack and never at `error`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';
import { closePayload, frame, openRawWs } from '../support/ws-raw.js';

const NOT_UTF8 = Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28]); // "bad" then a broken sequence

describe('WebSocket protocol errors', () => {
  let h: Harness;
  let port: number;
  before(async () => {
    h = await startHarness({ BODY_LIMIT_BYTES: '4096' });
    port = Number(new URL(h.url).port);
  });
  after(() => h.close());

  /** Log lines written since `from`, once the server has had its say (the socket is closed). */
  const linesSince = (from: number) => h.logObjects().slice(from);
  const noStacks = (lines: Record<string, any>[]) => {
    for (const l of lines) {
      assert.ok(l.level < 50, `not at error: ${JSON.stringify(l)}`);
      assert.ok(!JSON.stringify(l).includes('    at '), `no stack: ${JSON.stringify(l)}`);
    }
  };

  it('a close frame whose reason is not UTF-8 → the server closes with 1007', async () => {
    const from = h.logs.length;
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    const closed = new Promise<number>((resolve) => ws.socket.once('close', (code) => resolve(code)));
    ws.socket.close(1000, NOT_UTF8);
    assert.equal(await closed, 1007);

    const raw = await openRawWs(port);
    raw.write(frame(8, closePayload(4000, NOT_UTF8)));
    assert.equal(await raw.closed, 1007);
    const warns = linesSince(from).filter((l) => l.level === 40);
    assert.equal(warns.length, 2, 'one line per bad connection');
    assert.ok(warns.every((l) => l.code === 'WS_ERR_INVALID_UTF8'));
    noStacks(linesSince(from));
  });

  it('a valid close reason is echoed as usual', async () => {
    const raw = await openRawWs(port);
    raw.write(frame(8, closePayload(4000, Buffer.from('bye, café'))));
    assert.equal(await raw.closed, 4000);
  });

  it('protocol errors close with the RFC codes and log one warn line each, no stack', async () => {
    const cases: [string, Buffer, number][] = [
      ['reserved opcode', frame(3, 'x'), 1002],
      ['unmasked client frame', frame(1, '{"type":"ping"}', { mask: false }), 1002],
      ['RSV bits without an extension', frame(1, 'x', { rsv: 4 }), 1002],
      ['fragmented control frame', frame(9, 'x', { fin: false }), 1002],
      ['continuation with nothing to continue', frame(0, 'x'), 1002],
      ['close code that may not be sent', frame(8, closePayload(1005)), 1002],
      ['message over the limit', frame(1, 'x'.repeat(5000)), 1009],
      ['claimed length over the limit', frame(2, Buffer.alloc(10), { length: 1 << 30 }), 1009],
    ];
    for (const [name, bytes, code] of cases) {
      const from = h.logs.length;
      const raw = await openRawWs(port);
      raw.write(bytes);
      assert.equal(await raw.closed, code, name);
      const lines = linesSince(from);
      assert.equal(lines.filter((l) => l.level === 40).length, 1, `${name}: one warn line ${JSON.stringify(lines)}`);
      noStacks(lines);
    }
  });

  it('malformed messages on one connection: an error event each, one warn line in all', async () => {
    const from = h.logs.length;
    const ws = await WsClient.open(`${h.wsUrl}/api/v1/ws`);
    for (let i = 0; i < 20; i++) {
      ws.send('{nope');
      ws.send({ type: 'turn.explode' });
      ws.send({ type: 'turn.create', text: 5 });
      ws.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    }
    await ws.waitFor((ev) => ev.length >= 80);
    assert.ok(ws.events.every((e) => e.type === 'error'));
    ws.send({ type: 'turn.create', text: 'echo fine' });
    await ws.waitFor((ev) => ev.some((e) => e.type === 'turn.end'));
    const closed = new Promise((r) => ws.socket.once('close', r));
    ws.close();
    await closed;
    const lines = linesSince(from).filter((l) => l.msg !== 'turn');
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]!.level, 40);
    assert.equal(lines[0]!.code, 'invalid_json');
    noStacks(lines);
  });
});
