/**
 * `npm run bench:engine`: throughput and latency figures for the registration flow. Prints, asserts nothing.
 *
 *   1. Pure engine: runTurn + the real actions over an in-memory worker repository, one user after another on
 *      one core. Target ≥ 50,000 turns/s.
 *   2. End to end: the real app (startRedcollar) on the embedded in-memory database (2b) and on the H2 file
 *      database that `npm start` uses, where every write is made durable before it is acknowledged (2c), driven through the
 *      simulator HTTP API by 200 concurrent users; saturated throughput and latency, then latency under an
 *      open-loop arrival rate of half that maximum; the users are played by the load generator child
 *      (bench/support/loadChild.ts, at most 100 connections), so CPU per message is the app's and the database's.
 *      Targets: messages/s ≥ 50 % of the raw database rate for a
 *      comparable findOneAndUpdate, and p99 ≤ 100 ms at half rate.
 *
 * Each part lives in bench/engine/ by what it measures: pureEngine.ts (1a, 1b), rawDb.ts (2a, the raw database
 * rate the targets compare with), e2e.ts (2b, 2c), twoInstances.ts (2d: one and two app processes on one
 * database, and 1,000 users' messages spread over both checked for lost, doubled or misplaced answers); script.ts is the registration script every user plays, and
 * bench/support holds the frame (header, total, load, CPU accounting) shared with the other benchmarks.
 */
import { loadavg } from 'node:os';
import { benchE2e, type E2eSummary } from './engine/e2e.ts';
import { benchEngine, benchEngineOnly } from './engine/pureEngine.ts';
import { benchRawDb } from './engine/rawDb.ts';
import { benchTwoInstances } from './engine/twoInstances.ts';
import { exitSoonAfterStop, fmt, heading, ms, out, percentile, runBench, sortNum } from './support/report.ts';

const median = (xs: number[]) => percentile(sortNum(xs), 50);

// Total run time ≈ 2 JVM starts + the parts' own durations (in each file) ≈ 70 s.

/** BENCH_ONLY=engine | e2e | e2e-h2 | two runs one part (for profiling with --cpu-prof); unset runs everything. */
const ONLY = process.env.BENCH_ONLY;
/**
 * BENCH_MAX_RUNNING=12,32,adaptive (with BENCH_ONLY=e2e or e2e-h2): instead, runs that part once per value of the
 * gate's MAX_RUNNING_TURNS ("adaptive" or "adaptive:<ceiling>": RUNNING_TURNS_LIMIT=adaptive), alternating, BENCH_ROUNDS times (default 3), and ends with the medians side by side: the
 * way to tune the limit by measurement on a quiet machine.
 */
const SWEEP = process.env.BENCH_MAX_RUNNING?.split(',').map((v) => v.trim()).filter(Boolean);
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;

async function sweep(rawRate: number): Promise<void> {
  const backend = ONLY === 'e2e' ? 'memory' : 'h2';
  const runs: E2eSummary[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const value of SWEEP!) {
      const summary = await benchE2e(rawRate, backend, `${backend === 'memory' ? '2b' : '2c'} (MAX_RUNNING_TURNS=${value}, round ${round}/${ROUNDS})`, value);
      if (summary) runs.push(summary);
    }
  }
  heading(`MAX_RUNNING_TURNS compared on ${backend === 'memory' ? '2b' : '2c'}: medians of ${ROUNDS} alternated rounds (load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  out(`  ${'limit'.padEnd(8)} ${'msg/s'.padStart(7)} ${'p99'.padStart(10)} ${'CPU/msg'.padStart(9)} ${'half p99'.padStart(10)} ${'steady msg/s'.padStart(13)} ${'steady p99'.padStart(11)} ${'steady CPU'.padStart(11)}`);
  for (const value of SWEEP!) {
    const mine = runs.filter((r) => r.maxRunning === value);
    const med = (k: keyof Omit<E2eSummary, 'maxRunning'>) => median(mine.map((r) => r[k]));
    out(`  ${value.padEnd(8)} ${fmt(med('rate')).padStart(7)} ${ms(med('p99')).padStart(10)} ${ms(med('cpuMs')).padStart(9)} ${ms(med('halfP99')).padStart(10)} ${fmt(med('steadyRate')).padStart(13)} ${ms(med('steadyP99')).padStart(11)} ${ms(med('steadyCpuMs')).padStart(11)}`);
  }
}

async function main(): Promise<void> {
  await runBench('bench:engine', async () => {
    if (!ONLY || ONLY === 'engine') {
      await benchEngineOnly();
      await benchEngine();
    }
    if (SWEEP?.length && (ONLY === 'e2e' || ONLY === 'e2e-h2')) return sweep(await benchRawDb());
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
