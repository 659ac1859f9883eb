/**
 * The parent's side of the child processes: each runs one role from its own file under
 * bench/server/ (sim.ts, barnabee.ts, floor.ts, peer.ts), prints its URL as its first stdout line,
 * then answers one line per line the parent writes to its stdin (control.ts; the simulator: sim.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChildLoad, ChildMemory } from './control.js';
import type { SimPace } from './setup.js';

export interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  /** Writes one command line and resolves with the child's next stdout line. */
  ask(command: string): Promise<string>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Run another checkout's code: its build of src/ for Barnabee, its bench/server/ file for the other roles (the A/B bench). */
  checkout?: string;
  /** V8's GC trace lines (`--trace-gc-nvp` writes them to stdout, between the child's own lines). */
  onGcTrace?: (line: string) => void;
}

/** V8 starts each of its trace lines with `[pid:isolate]`. */
const V8_TRACE = /^\[\d+:0x[0-9a-f]+\]/;

export async function startChild(
  role: 'sim' | 'barnabee' | 'floor' | 'peer',
  env: Record<string, string>,
  nodeArgs: string[] = [],
  { checkout, onGcTrace }: ChildOptions = {},
): Promise<Child> {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const file = checkout && role !== 'barnabee' ? `${checkout}/bench/server/${role}.ts` : join(here, `${role}.ts`);
  if (role === 'barnabee') env = { ...env, BARNABEE_BUILD: await build(checkout ?? join(here, '..', '..')) };
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (onGcTrace && V8_TRACE.test(line)) return onGcTrace(line);
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const exited = once(proc, 'exit');
  const next = () =>
    lines.length
      ? Promise.resolve(lines.shift()!)
      : Promise.race([
          new Promise<string>((resolve) => waiters.push(resolve)),
          exited.then(() => Promise.reject(new Error(`the ${role} child exited`))),
        ]);
  const url = (await next()).trim();
  return {
    proc,
    url,
    ask(command) {
      proc.stdin!.write(`${command}\n`);
      return next();
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Barnabee as its users run it: src/ compiled by the project's own build settings (tsconfig.build.json,
 * the tsc step of `npm run build`), not transformed on the fly by tsx, whose keepNames wrapper
 * (`__name`) runs for every closure made and cost 2–5 % of a turn (bench/server/findings.json). Once
 * per checkout and run, into `<checkout>/.bench-build/`: beside package.json and node_modules,
 * which the server finds from there as it does from dist/.
 */
const builds = new Map<string, Promise<string>>();
function build(checkout: string): Promise<string> {
  const root = resolve(checkout);
  let done = builds.get(root);
  if (!done) {
    const out = join(root, '.bench-build');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const proc = spawn(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: ['ignore', 'inherit', 'inherit'] });
    done = once(proc, 'exit').then(([code]) => {
      if (code !== 0) throw new Error(`building ${root} for the bench failed (tsc exit ${code})`);
      return out;
    });
    builds.set(root, done);
  }
  return done;
}

/** The simulator's pace for the next phase. */
export async function pace(sim: Child, options: SimPace): Promise<void> {
  await sim.ask(JSON.stringify(options));
}

/** CPU and event-loop delay of a server child since the previous call. */
export async function childLoad(child: Child): Promise<ChildLoad> {
  return JSON.parse(await child.ask('load')) as ChildLoad;
}

/** `reset`: a full GC and the baseline; `peak`: the highest since. */
export async function childMemory(child: Child, command: 'reset' | 'peak'): Promise<ChildMemory> {
  return JSON.parse(await child.ask(command)) as ChildMemory;
}
