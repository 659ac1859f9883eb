/** The CLI as a user runs it: `barnabee chat … --out answer.wav` in demo mode, in a child process. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseWav } from '../src/speech/index.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('barnabee chat --out', () => {
  it('writes a WAV file whose header carries its real sizes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'barnabee-cli-'));
    try {
      const out = join(dir, 'answer.wav');
      const r = await run(['chat', 'what is 12 times 7', '--out', out], { BARNABEE_DB: join(dir, 'cli.db') });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /84/);
      const bytes = readFileSync(out);
      assert.equal(bytes.length, statSync(out).size);
      assert.equal(bytes.readUInt32LE(4), bytes.length - 8, 'RIFF size');
      assert.equal(bytes.readUInt32LE(40), bytes.length - 44, 'data size');
      const wav = parseWav(bytes);
      assert.equal(wav.streaming, false, 'a file, not a stream of unknown length');
      assert.ok(wav.data.length > 16000, 'half a second of speech or more');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
