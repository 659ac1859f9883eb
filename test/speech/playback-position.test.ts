/**
 * The CLI player's position for barge-in: audio counts as played by the real-time clock it runs
 * on, never more than was written, and `stop()` silences the player at once. A fake `aplay` (a
 * script that swallows its input) stands in for the sound card, found through a PATH of its own.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openPlayer } from '../../src/speech/playback.js';

const dir = mkdtempSync(join(tmpdir(), 'barnabee-player-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'aplay'), '#!/bin/sh\nexec cat > /dev/null\n');
chmodSync(join(dir, 'aplay'), 0o755);
const env = { PATH: `${dir}:/usr/bin:/bin` };

describe('CLI player position', () => {
  it('counts what was written as played, no faster than real time', async () => {
    const player = openPlayer(16000, { env })!;
    assert.equal(player.command, 'aplay');
    assert.equal(player.playedMs(), 0);
    const t0 = performance.now();
    player.write(Buffer.alloc(16000 * 2 * 60)); // a minute of audio
    const early = player.playedMs();
    assert.ok(early < 60_000, `a minute is not played at once (${early} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const later = player.playedMs();
    // Never more than the time since the write: the player's clock, not the bytes, decides.
    assert.ok(later > early && later <= performance.now() - t0, `${early} → ${later}`);
    player.stop();
    // The player is gone without playing the rest of its minute: end() settles at once.
    await player.end().catch(() => {});
  });

  it('never counts more than was written', async () => {
    const player = openPlayer(16000, { env })!;
    player.write(Buffer.alloc(320)); // 10 ms
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(Math.round(player.playedMs()), 10);
    await player.end();
  });
});
