#!/usr/bin/env node
/**
 * Bundles the dashboard page: src/dashboard/main.ts (+ its CSS and uPlot's) → dist/dashboard/
 * app.js and app.css, minified, no CDN, plus index.html. `--watch` rebuilds on change.
 */
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src', 'dashboard');
const out = join(root, 'dist', 'dashboard');
const watch = process.argv.includes('--watch');

// Built beside the output and renamed into place file by file, so a running server or a parallel
// test never reads a half-written or missing file.
const stage = `${out}.tmp-${process.pid}`;
await rm(stage, { recursive: true, force: true });
await mkdir(stage, { recursive: true });
await mkdir(out, { recursive: true });

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: { app: join(src, 'main.ts') },
  outdir: watch ? out : stage,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [
    {
      name: 'copy-html',
      setup(build) {
        build.onEnd(async (result) => {
          if (result.errors.length === 0) await copyFile(join(src, 'index.html'), join(build.initialOptions.outdir, 'index.html'));
        });
      },
    },
  ],
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
  console.log(`watching ${src} → ${out}`);
} else {
  const started = performance.now();
  const result = await esbuild.build({ ...options, metafile: true });
  for (const name of await readdir(stage)) await rename(join(stage, name), join(out, name));
  await rm(stage, { recursive: true, force: true });
  const sizes = Object.entries(result.metafile.outputs)
    .map(([file, o]) => `${file.split('/').pop()} ${(o.bytes / 1024).toFixed(1)} KiB`)
    .join(', ');
  console.log(`dashboard: ${sizes} in ${Math.round(performance.now() - started)} ms`);
}
