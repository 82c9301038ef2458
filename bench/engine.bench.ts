/**
 * `npm run bench:engine`: throughput and latency figures for the registration flow. Prints, asserts nothing.
 *
 *   1. Pure engine: runTurn + the real actions over an in-memory worker repository, one user after another on
 *      one core. Target ≥ 50,000 turns/s.
 *   2. End to end: the real app (startRedcollar) on the embedded in-memory database (2b) and on the H2 file
 *      database that `npm start` uses, where every write is made durable before it is acknowledged (2c), driven through the
 *      simulator HTTP API by 200 concurrent users; saturated throughput and latency, then latency under an
 *      open-loop arrival rate of half that maximum. Targets: messages/s ≥ 50 % of the raw database rate for a
 *      comparable findOneAndUpdate, and p99 ≤ 100 ms at half rate.
 *
 * Each part lives in bench/engine/ by what it measures: pureEngine.ts (1a, 1b), rawDb.ts (2a, the raw database
 * rate the targets compare with), e2e.ts (2b, 2c), twoInstances.ts (2d: one and two app processes on one
 * database, and 1,000 users' messages spread over both checked for lost, doubled or misplaced answers); script.ts is the registration script every user plays, and
 * bench/support holds the frame (header, total, load, CPU accounting) shared with the other benchmarks.
 */
import { benchE2e } from './engine/e2e.ts';
import { benchEngine, benchEngineOnly } from './engine/pureEngine.ts';
import { benchRawDb } from './engine/rawDb.ts';
import { benchTwoInstances } from './engine/twoInstances.ts';
import { exitSoonAfterStop, runBench } from './support/report.ts';

// Total run time ≈ 2 JVM starts + the parts' own durations (in each file) ≈ 70 s.

/** BENCH_ONLY=engine | e2e | e2e-h2 | two runs one part (for profiling with --cpu-prof); unset runs everything. */
const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  await runBench('bench:engine', async () => {
    if (!ONLY || ONLY === 'engine') {
      await benchEngineOnly();
      await benchEngine();
    }
    if (!ONLY || ONLY === 'e2e' || ONLY === 'e2e-h2') {
      const rawRate = await benchRawDb();
      if (ONLY !== 'e2e-h2') await benchE2e(rawRate, 'memory', '2b');
      // H2 is what `npm start` runs on, so the cost of durable commits shows here and not in 2b.
      if (ONLY !== 'e2e') await benchE2e(rawRate, 'h2', '2c');
    }
    if (!ONLY || ONLY === 'two') await benchTwoInstances('2d');
  });
}

await main();
exitSoonAfterStop();
