/**
 * The built dashboard for tests: builds `dist/dashboard/` when it is missing or older than its
 * sources (the build renames files into place, so parallel test files never see half a bundle).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DASHBOARD_DIST = join(ROOT, 'dist', 'dashboard');
const SRC = join(ROOT, 'src', 'dashboard');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    t = Math.max(t, name.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let building: Promise<void> | null = null;

export function ensureDashboardBuilt(): Promise<void> {
  const files = ['index.html', 'app.js', 'app.css'].map((f) => join(DASHBOARD_DIST, f));
  const fresh = files.every(existsSync) && Math.min(...files.map((f) => statSync(f).mtimeMs)) >= newest(SRC);
  if (fresh) return Promise.resolve();
  building ??= promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'build-dashboard.mjs')], { cwd: ROOT }).then(() => undefined);
  return building;
}
