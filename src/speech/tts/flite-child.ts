/**
 * The program each Flite helper process runs, as CommonJS source for `node -e`. A string, not a
 * module file, so it runs the same from source (tsx), from `dist/` and from a bundle.
 *
 * Why a process and not a worker thread: on Node 20 (V8 11.3), node:wasi's "fast API call" path
 * keeps using a WebAssembly memory's old backing store after `memory.grow`, so once flite's hot code
 * is optimized, long inputs or a few hundred calls write into freed memory and the process dies
 * with SIGSEGV (nodejs/node#53087; reproduced here with kal16 and 600-character texts). The V8
 * flag `--no-turbo-fast-api-calls` avoids it, but V8 flags are per process, and a crash in the
 * synthesizer must never take the server with it: so each helper is its own process.
 *
 * argv: [wasm path, private temp dir]. The module is compiled once per process and instantiated
 * per call (flite is a command-line program that exits when done).
 * Parent → child (IPC): { id, args } (flite's argv after argv[0]; output goes to /out/<id>.wav).
 * Child → parent: { id, wav: Uint8Array } or { id, error: string }.
 */
export const FLITE_CHILD_SOURCE = String.raw`
const { WASI } = require('node:wasi');
const { openSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { devNull } = require('node:os');
const [wasmPath, dir] = process.argv.slice(1);
const compiled = WebAssembly.compile(readFileSync(wasmPath));
compiled.catch(() => {});
// flite prints diagnostics for odd input; they are not ours to show.
const quiet = openSync(devNull, 'w');
process.on('disconnect', () => process.exit(0));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('message', async ({ id, args }) => {
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
    const instance = await WebAssembly.instantiate(await compiled, wasi.getImportObject());
    const code = wasi.start(instance);
    if (code !== 0) throw new Error('flite exited with code ' + code);
    process.send({ id, wav: readFileSync(file) });
  } catch (err) {
    process.send({ id, error: err && err.message ? err.message : String(err) });
  } finally {
    rmSync(file, { force: true });
  }
});
`;
