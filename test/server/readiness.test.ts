/**
 * `/readyz` names the model server or speech server that does not answer, and the server still
 * serves. Real runtimes against a real simulator (reachable) and closed ports (unreachable).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startSimulator, type Simulator } from '../../src/llm/index.js';
import { startRuntime } from '../../src/runtime.js';
import { startServer } from '../../src/server/index.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function readyz(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'barnabee-ready-'));
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', BARNABEE_DB: join(dir, 'r.db'), ...env }, { envFile: false });
  const runtime = await startRuntime(config, { logger: pino({ level: 'silent' }) });
  const server = await startServer(runtime, { handleSignals: false, defaultMetrics: false, logger: pino({ level: 'silent' }) });
  try {
    const res = await fetch(`${server.url}/readyz`);
    const health = await fetch(`${server.url}/healthz`);
    return { status: res.status, body: (await res.json()) as { status: string; checks: { part: string; target: string; ok: boolean; detail: string }[] }, healthy: health.status };
  } finally {
    await server.close();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('/readyz: the servers Barnabee depends on', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('ready, with every dependency answering', async () => {
    const r = await readyz({ LLM_BASE_URL: `${sim.url}/v1`, LLM_API_KEY: 'sk-secret-value-123' });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ready');
    assert.deepEqual(r.body.checks.map((c) => [c.part, c.ok]), [['model', true]]);
    assert.ok(!JSON.stringify(r.body).includes('sk-secret-value-123'));
  });

  it('degraded and naming the model server that does not answer; the server still serves', async () => {
    const port = await closedPort();
    const r = await readyz({ LLM_BASE_URL: `http://127.0.0.1:${port}/v1` });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'degraded');
    assert.deepEqual(r.body.checks, [{ part: 'model', target: `http://127.0.0.1:${port}`, ok: false, detail: 'ECONNREFUSED' }]);
    assert.equal(r.healthy, 200);
  });

  it('names a Wyoming speech server that does not answer', async () => {
    const port = await closedPort();
    const r = await readyz({ TTS_ENGINE: 'wyoming', WYOMING_HOST: '127.0.0.1', WYOMING_PORT: String(port) });
    assert.equal(r.body.status, 'degraded');
    assert.deepEqual(r.body.checks.map((c) => [c.part, c.target, c.ok]), [['speech', `127.0.0.1:${port}`, false]]);
  });

  it('checks nothing built in: demo mode with Flite is ready with no checks', async () => {
    const r = await readyz({});
    assert.equal(r.body.status, 'ready');
    assert.deepEqual(r.body.checks, []);
  });
});
