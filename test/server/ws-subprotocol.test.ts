/**
 * WebSocket auth by `Sec-WebSocket-Protocol`, as the README says: offer `barnabee.v1` and the token;
 * the server echoes `barnabee.v1`, never the token. Offering the token alone is refused with a 400
 * that says what to offer. Checked with `ws` and with Chromium's own WebSocket.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WS_SUBPROTOCOL } from '../../src/server/index.js';
import { browser, chromiumMissing, closeBrowser } from '../support/browser-chromium.js';
import { WsClient } from '../support/server-clients.js';
import { startHarness, type Harness } from '../support/server-harness.js';

const TOKEN = 'subprotocol-token-0123456789';

describe('WebSocket auth by subprotocol', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ BARNABEE_API_TOKEN: TOKEN });
  });
  after(async () => {
    await closeBrowser();
    await h.close();
  });

  it('ws: barnabee.v1 + token connects and runs a turn; barnabee.v1 is echoed', async () => {
    const c = await WsClient.open(`${h.wsUrl}/api/v1/ws`, { protocols: [WS_SUBPROTOCOL, TOKEN] });
    assert.equal(c.socket.protocol, WS_SUBPROTOCOL);
    c.send({ type: 'turn.create', text: 'echo by subprotocol' });
    assert.equal((await c.waitFor((ev) => ev.some((e) => e.type === 'turn.end'))).at(-1)!.text, 'You said: by subprotocol');
    c.close();
  });

  it('ws: the token alone is refused with 400 subprotocol_required (the token is never echoed)', async () => {
    await assert.rejects(WsClient.open(`${h.wsUrl}/api/v1/ws`, { protocols: [TOKEN] }), (e: { statusCode?: number }) => e.statusCode === 400);
    const res = await new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest(`${h.url}/api/v1/ws`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': TOKEN },
      });
      req.on('response', (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode!, body, headers: r.headers }));
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).error.code, 'subprotocol_required');
    assert.ok(!JSON.stringify(res.headers).includes(TOKEN) && !res.body.includes(TOKEN));
  });

  it('Chromium: new WebSocket(url, ["barnabee.v1", token]) connects; [token] alone does not', async (t) => {
    const missing = chromiumMissing();
    if (missing) return t.skip(missing);
    const context = await (await browser()).newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${h.url}/healthz`);
    const open = (protocols: string[]) =>
      page.evaluate(
        ({ url, protocols }) =>
          new Promise<{ opened: boolean; protocol: string; pong: boolean }>((resolve) => {
            const ws = new WebSocket(url, protocols);
            ws.onopen = () => ws.send(JSON.stringify({ type: 'ping' }));
            ws.onmessage = (m) => {
              resolve({ opened: true, protocol: ws.protocol, pong: JSON.parse(String(m.data)).type === 'pong' });
              ws.close();
            };
            ws.onclose = () => resolve({ opened: false, protocol: ws.protocol, pong: false });
          }),
        { url: `${h.wsUrl}/api/v1/ws`, protocols },
      );
    assert.deepEqual(await open([WS_SUBPROTOCOL, TOKEN]), { opened: true, protocol: WS_SUBPROTOCOL, pong: true });
    assert.deepEqual(await open([TOKEN]), { opened: false, protocol: '', pong: false });
  });
});
