/**
 * Child process: the model simulator every path reads from. Prints its URL; each stdin line is a
 * JSON object of simulator options for the next phase (answered `ok` once applied).
 */
import { createInterface } from 'node:readline';
import { startSimulator, type SimulatorOptions } from '../../src/llm/index.js';
import { ANSWER, LATENCY_SIM } from './setup.js';

const sim = await startSimulator({ text: ANSWER, mode: 'text', ...LATENCY_SIM, recordLimit: 100 });
createInterface({ input: process.stdin }).on('line', (line) => {
  sim.configure(JSON.parse(line) as Partial<SimulatorOptions>);
  process.stdout.write('ok\n');
});
process.stdout.write(`${sim.url}\n`);
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
