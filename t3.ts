import { createFliteEngine } from './src/speech/index.ts';
const e = createFliteEngine();
for (const t of ['x'.repeat(3000), 'x'.repeat(300), '$3.50 at 5:30 p.m., 100% sure & more', '\u0000 null byte', 'a\nb\tc']) {
  const t0 = performance.now();
  try { let n = 0; for await (const c of e.synthesize(t)) n += c.pcm.length; console.log(JSON.stringify(t.slice(0,20)), n, performance.now()-t0); } catch (err) { console.log('ERR', (err as Error).message); }
}
await e.close();
