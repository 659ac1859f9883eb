import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hasPlayer, openPlayer } from '../../src/speech/index.js';

/**
 * A stand-in player that records its arguments and the bytes piped to it. The PATH the lookup sees
 * holds only this directory, so a real aplay or paplay on the machine can never be found instead;
 * the script itself names the system directories it needs for `cat`.
 */
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function fakePlayer(name: string, exitCode = 0, dir = mkdtempSync(join(tmpdir(), 'barnabee-player-'))): { env: NodeJS.ProcessEnv; dir: string } {
  dirs.push(dir);
  const script = `#!/bin/sh\nPATH=/usr/bin:/bin\necho "$@" > "${dir}/args"\ncat > "${dir}/audio"\n${exitCode ? `echo "no soundcard" >&2\nexit ${exitCode}\n` : ''}`;
  writeFileSync(join(dir, name), script);
  chmodSync(join(dir, name), 0o755);
  return { env: { PATH: dir }, dir };
}

describe('openPlayer', () => {
  it('returns null when neither aplay nor paplay is on PATH', () => {
    const empty = mkdtempSync(join(tmpdir(), 'barnabee-nopath-'));
    dirs.push(empty);
    assert.equal(openPlayer(16000, { env: { PATH: empty } }), null);
    assert.equal(hasPlayer({ PATH: empty }), false);
  });

  it('hasPlayer finds either player on PATH without starting it', () => {
    const { env, dir } = fakePlayer('paplay');
    assert.equal(hasPlayer(env), true);
    assert.throws(() => readFileSync(join(dir, 'args')), /ENOENT/);
  });

  it('pipes raw s16le mono PCM into aplay with the right format and waits for it to finish', async () => {
    const { env, dir } = fakePlayer('aplay');
    const player = openPlayer(24000, { env });
    assert.ok(player);
    assert.equal(player.command, 'aplay');
    const a = Buffer.alloc(4800, 1);
    const b = Buffer.alloc(4800, 2);
    player.write(a);
    player.write(b);
    await player.end();
    assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), '-q -t raw -f S16_LE -c 1 -r 24000');
    assert.deepEqual(readFileSync(join(dir, 'audio')), Buffer.concat([a, b]));
  });

  it('falls back to paplay', async () => {
    const { env, dir } = fakePlayer('paplay');
    const player = openPlayer(16000, { env });
    assert.equal(player?.command, 'paplay');
    player!.write(Buffer.alloc(320));
    await player!.end();
    assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), '--raw --format=s16le --channels=1 --rate=16000');
  });

  it('prefers aplay when both players are on PATH', async () => {
    const { env, dir } = fakePlayer('paplay');
    fakePlayer('aplay', 0, dir);
    const player = openPlayer(16000, { env })!;
    assert.equal(player.command, 'aplay');
    await player.end();
  });

  it("reports a player's failure with its message", async () => {
    const { env } = fakePlayer('aplay', 1);
    const player = openPlayer(16000, { env })!;
    player.write(Buffer.alloc(320));
    await assert.rejects(player.end(), /aplay exited with code 1: no soundcard/);
  });

  it('rejects a bad sample rate', () => {
    assert.throws(() => openPlayer(0), /bad sample rate/);
  });
});
