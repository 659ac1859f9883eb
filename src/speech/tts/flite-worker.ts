/**
 * The body of a Flite worker thread, as CommonJS source for `new Worker(src, { eval: true })`.
 * It is a string rather than a module file because a worker cannot load a `.ts` file under tsx on
 * Node 20, and an eval worker runs the same way from source, from `dist/`, and from a bundle.
 *
 * Protocol: workerData = { module: WebAssembly.Module, dir: string } (a private temp directory).
 * Parent → worker: { id, args } (flite's argv without argv[0]; output goes to /out/<id>.wav).
 * Worker → parent: { id, wav: Uint8Array } or { id, error: string }.
 */
export const FLITE_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { WASI } = require('node:wasi');
const { openSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { devNull } = require('node:os');
const { module, dir } = workerData;
// flite prints diagnostics for odd input; they are not ours to show.
const quiet = openSync(devNull, 'w');
parentPort.on('message', async ({ id, args }) => {
  const file = join(dir, id + '.wav');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', ...args, '-o', '/out/' + id + '.wav'],
      env: {},
      preopens: { '/out': dir },
      stdout: quiet,
      stderr: quiet,
      returnOnExit: true,
    });
    const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
    const code = wasi.start(instance);
    if (code !== 0) throw new Error('flite exited with code ' + code);
    const wav = readFileSync(file);
    parentPort.postMessage({ id, wav });
  } catch (err) {
    parentPort.postMessage({ id, error: err && err.message ? err.message : String(err) });
  } finally {
    rmSync(file, { force: true });
  }
});
`;
