/**
 * A WAV file written as audio arrives. The header goes first with unknown sizes (so a file cut off
 * by a crash still plays), and is rewritten with the real sizes when the file is closed: some
 * players and editors refuse, or mis-time, a file whose header says "unknown length".
 */
import { open, type FileHandle } from 'node:fs/promises';
import { wavHeader } from './wav.js';

export interface WavFile {
  write(pcm: Buffer): Promise<void>;
  /** Writes the real sizes into the header and closes the file. */
  close(): Promise<void>;
}

export async function createWavFile(path: string, sampleRate: number): Promise<WavFile> {
  const file: FileHandle = await open(path, 'w');
  await file.write(wavHeader({ sampleRate }), 0, 44, 0);
  let dataBytes = 0;
  return {
    async write(pcm) {
      await file.write(pcm, 0, pcm.length, 44 + dataBytes);
      dataBytes += pcm.length;
    },
    async close() {
      try {
        await file.write(wavHeader({ sampleRate, dataBytes }), 0, 44, 0);
      } finally {
        await file.close();
      }
    },
  };
}
