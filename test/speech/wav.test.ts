import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createWavReader, encodeWav, parseWav, UNKNOWN_LENGTH, wavHeader, WavFormatError } from '../../src/speech/wav.js';
import { findOnPath } from '../../src/speech/playback.js';
import { tempDir } from '../support/turn-store.js';

function tone(samples: number, rate = 16000): Buffer {
  const b = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return b;
}

describe('wavHeader', () => {
  it('writes a canonical 44-byte PCM header with known sizes', () => {
    const h = wavHeader({ sampleRate: 22050, dataBytes: 1000 });
    assert.equal(h.length, 44);
    assert.equal(h.toString('ascii', 0, 4), 'RIFF');
    assert.equal(h.readUInt32LE(4), 1036);
    assert.equal(h.toString('ascii', 8, 16), 'WAVEfmt ');
    assert.equal(h.readUInt32LE(16), 16);
    assert.equal(h.readUInt16LE(20), 1);
    assert.equal(h.readUInt16LE(22), 1);
    assert.equal(h.readUInt32LE(24), 22050);
    assert.equal(h.readUInt32LE(28), 44100); // byte rate
    assert.equal(h.readUInt16LE(32), 2); // block align
    assert.equal(h.readUInt16LE(34), 16);
    assert.equal(h.toString('ascii', 36, 40), 'data');
    assert.equal(h.readUInt32LE(40), 1000);
  });

  it('uses 0xFFFFFFFF for RIFF and data sizes when the length is unknown (streaming)', () => {
    const h = wavHeader({ sampleRate: 16000 });
    assert.equal(h.readUInt32LE(4), UNKNOWN_LENGTH);
    assert.equal(h.readUInt32LE(40), UNKNOWN_LENGTH);
  });

  it('derives byte rate and block align from channels and width', () => {
    const h = wavHeader({ sampleRate: 48000, channels: 2, bitsPerSample: 24, dataBytes: 0 });
    assert.equal(h.readUInt32LE(28), 48000 * 6);
    assert.equal(h.readUInt16LE(32), 6);
  });

  it('rejects nonsense with a clear error', () => {
    assert.throws(() => wavHeader({ sampleRate: 0 }), /sampleRate/);
    assert.throws(() => wavHeader({ sampleRate: 16000, bitsPerSample: 12 }), /bitsPerSample/);
    assert.throws(() => wavHeader({ sampleRate: 16000, dataBytes: -1 }), /dataBytes/);
  });
});

describe('parseWav / createWavReader', () => {
  it('round-trips encodeWav', () => {
    const pcm = tone(1600);
    const w = parseWav(encodeWav(pcm, 16000));
    assert.deepEqual([w.sampleRate, w.channels, w.bitsPerSample, w.streaming], [16000, 1, 16, false]);
    assert.deepEqual(w.data, pcm);
  });

  it('reads the streaming form to the end of the bytes', () => {
    const pcm = tone(800);
    const w = parseWav(Buffer.concat([wavHeader({ sampleRate: 24000 }), pcm]));
    assert.equal(w.streaming, true);
    assert.equal(w.sampleRate, 24000);
    assert.deepEqual(w.data, pcm);
  });

  it('treats a zero data size as unknown length (some servers write 0 while streaming)', () => {
    const pcm = tone(100);
    const h = wavHeader({ sampleRate: 16000, dataBytes: 0 });
    const w = parseWav(Buffer.concat([h, pcm]));
    assert.equal(w.streaming, true);
    assert.deepEqual(w.data, pcm);
  });

  it('stops at the declared data size and ignores trailing chunks', () => {
    const pcm = tone(100);
    const trailer = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('abcd')]);
    const w = parseWav(Buffer.concat([encodeWav(pcm, 16000), trailer]));
    assert.deepEqual(w.data, pcm);
  });

  it('skips unknown chunks before data (LIST, odd-sized with padding)', () => {
    const pcm = tone(50);
    const h = wavHeader({ sampleRate: 16000, dataBytes: pcm.length });
    const odd = Buffer.concat([Buffer.from('junk'), Buffer.from([3, 0, 0, 0]), Buffer.from('xyz'), Buffer.from([0])]);
    const file = Buffer.concat([h.subarray(0, 36), odd, h.subarray(36), pcm]);
    assert.deepEqual(parseWav(file).data, pcm);
  });

  it('gives the same samples however the bytes are split, always sample-aligned', () => {
    const pcm = tone(501);
    const file = Buffer.concat([wavHeader({ sampleRate: 16000 }), pcm]);
    for (const step of [1, 3, 7, 44, 45, 1000]) {
      const r = createWavReader();
      const out: Buffer[] = [];
      for (let i = 0; i < file.length; i += step) {
        const got = r.push(file.subarray(i, i + step));
        assert.equal(got.length % 2, 0);
        out.push(Buffer.from(got));
      }
      assert.deepEqual(Buffer.concat(out), pcm, `step ${step}`);
    }
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE carrying PCM', () => {
    const pcm = tone(10);
    const fmt = Buffer.alloc(40);
    fmt.writeUInt16LE(0xfffe, 0);
    fmt.writeUInt16LE(1, 2);
    fmt.writeUInt32LE(16000, 4);
    fmt.writeUInt32LE(32000, 8);
    fmt.writeUInt16LE(2, 12);
    fmt.writeUInt16LE(16, 14);
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(16, 18);
    fmt.writeUInt32LE(0, 20);
    fmt.writeUInt16LE(1, 24); // sub-format GUID starts with PCM (1)
    const size = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
    const file = Buffer.concat([Buffer.from('RIFF'), size(0), Buffer.from('WAVEfmt '), size(40), fmt, Buffer.from('data'), size(pcm.length), pcm]);
    assert.deepEqual(parseWav(file).data, pcm);
  });

  it('rejects what it cannot play with a clear error', () => {
    assert.throws(() => parseWav(Buffer.from('ID3\x03 mp3 data here......')), WavFormatError);
    const float = wavHeader({ sampleRate: 16000, bitsPerSample: 32, dataBytes: 0 });
    float.writeUInt16LE(3, 20); // IEEE float
    assert.throws(() => parseWav(float), /unsupported WAV encoding/);
    assert.throws(() => parseWav(wavHeader({ sampleRate: 16000 }).subarray(0, 30)), /ended before/);
  });

  it("is accepted by Python's wave module, complete and streaming", (t) => {
    const python = findOnPath('python3');
    if (!python) return t.skip('python3 not installed');
    const dir = tempDir(t, 'barnabee-wav-');
    const pcm = tone(4000, 24000);
    writeFileSync(join(dir, 'whole.wav'), encodeWav(pcm, 24000));
    writeFileSync(join(dir, 'stream.wav'), Buffer.concat([wavHeader({ sampleRate: 24000 }), pcm]));
    const script = [
      'import sys, wave',
      'for p in sys.argv[1:]:',
      '    w = wave.open(p, "rb")',
      '    print(w.getframerate(), w.getnchannels(), w.getsampwidth(), len(w.readframes(1 << 30)))',
    ].join('\n');
    const out = execFileSync(python, ['-c', script, join(dir, 'whole.wav'), join(dir, 'stream.wav')]).toString().trim().split('\n');
    assert.deepEqual(out, [`24000 1 2 ${pcm.length}`, `24000 1 2 ${pcm.length}`]);
  });

  it('is accepted by sox when sox is installed', (t) => {
    const soxi = findOnPath('soxi') ?? findOnPath('sox');
    if (!soxi) return t.skip('sox not installed');
    const dir = tempDir(t, 'barnabee-wav-');
    const file = join(dir, 'a.wav');
    writeFileSync(file, encodeWav(tone(16000), 16000));
    const args = soxi.endsWith('soxi') ? ['-D', file] : ['--i', '-D', file];
    assert.equal(Number(execFileSync(soxi, args).toString().trim()), 1);
  });
});
