import { createFliteEngine } from './src/speech/index.ts';
const e = createFliteEngine({ workers: 1 });
const t = 'Hello there my friend, how is the weather today in the city. '.repeat(Number(process.argv[2]));
for (let i = 0; i < Number(process.argv[3]); i++) {
  const t0 = performance.now();
  let n = 0; for await (const c of e.synthesize(t)) n += c.pcm.length;
  if (i % 10 === 0) console.log(i, n, (performance.now() - t0).toFixed(0), (process.memoryUsage().rss / 1e6).toFixed(0));
}
await e.close();
