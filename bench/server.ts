/**
 * Server benchmark, by role in bench/server/: main.ts (the run and its options: `--full`, `--quick`,
 * `--steady-only`, `--profile`, `--report`), the children (sim.ts, barnabee.ts, floor.ts, peer.ts),
 * the load client (client.ts, load.ts, steady.ts, burst.ts, capacity.ts) and the report (judge.ts,
 * report.ts, notes.json, findings.json).
 *
 *   npx tsx bench/server.ts            # 1 and 100 steady streams against the floor and the peer, bursts, 2,000 streams (~5 min, longer on a busy machine)
 *   npx tsx bench/server.ts --quick    # a smoke check, printed only (~2 min)
 */
import './server/main.js';
