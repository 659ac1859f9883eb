import { createFliteEngine } from './src/speech/index.ts';
const e = createFliteEngine({ workers: 1 });
for (const t of ['x'.repeat(3000), 'Hello there my friend. '.repeat(400), 'Short one.']) {
  const t0 = performance.now();
  try { let n = 0; for await (const c of e.synthesize(t)) n += c.pcm.length; console.log('ok', n, (performance.now()-t0).toFixed(0)); } catch (err) { console.log('ERR', (err as Error).message); }
}
await e.close();
