/**
 * Local playback for the CLI (`barnabee chat --speak`): raw PCM piped into `aplay` (ALSA) or
 * `paplay` (PulseAudio/PipeWire), whichever is on PATH. No player, no playback: callers fall back
 * to writing a WAV file.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Player {
  /** The program doing the playing. */
  readonly command: string;
  write(pcm: Buffer): void;
  /**
   * Milliseconds of audio played so far, by the real-time clock the player runs on: each write
   * starts playing when the previous one ends, or at once after a gap (device latency not counted).
   */
  playedMs(): number;
  /** Finish: waits until the player has played what it was given and exited. */
  end(): Promise<void>;
  /** Barge-in: silence at once, dropping whatever is still queued. */
  stop(): void;
}

/** Argument lists for s16le mono at a given rate. */
const PLAYERS: { command: string; args: (rate: number) => string[] }[] = [
  { command: 'aplay', args: (rate) => ['-q', '-t', 'raw', '-f', 'S16_LE', '-c', '1', '-r', String(rate)] },
  { command: 'paplay', args: (rate) => ['--raw', '--format=s16le', '--channels=1', `--rate=${rate}`] },
];

export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const full = join(dir, command);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether `openPlayer` would find a player. */
export function hasPlayer(env: NodeJS.ProcessEnv = process.env): boolean {
  return PLAYERS.some((p) => findOnPath(p.command, env) !== null);
}

/** A player for mono s16le PCM at `sampleRate`, or null when neither aplay nor paplay exists. */
export function openPlayer(sampleRate: number, options: { env?: NodeJS.ProcessEnv } = {}): Player | null {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`openPlayer: bad sample rate ${sampleRate}`);
  const env = options.env ?? process.env;
  for (const p of PLAYERS) {
    const path = findOnPath(p.command, env);
    if (!path) continue;
    const child = spawn(path, p.args(sampleRate), { stdio: ['pipe', 'ignore', 'pipe'], env });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-500)));
    // A player that quits early (no audio device) must not crash us with EPIPE.
    child.stdin!.on('error', () => {});
    const exited = new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`${p.command} failed to start: ${err.message}`)));
      child.once('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${p.command} exited with ${signal ?? `code ${code}`}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
      });
    });
    exited.catch(() => {}); // observed by end()
    const bytesPerMs = (sampleRate * 2) / 1000;
    let writtenMs = 0;
    let playsUntil = 0;
    return {
      command: p.command,
      write(pcm) {
        if (child.stdin!.destroyed) return;
        child.stdin!.write(pcm);
        const ms = pcm.length / bytesPerMs;
        writtenMs += ms;
        playsUntil = Math.max(playsUntil, performance.now()) + ms;
      },
      playedMs() {
        return Math.max(0, writtenMs - Math.max(0, playsUntil - performance.now()));
      },
      async end() {
        child.stdin!.end();
        await exited;
      },
      stop() {
        child.stdin!.destroy();
        child.kill('SIGTERM');
      },
    };
  }
  return null;
}
