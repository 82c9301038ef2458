/**
 * Parts 2b and 2c of bench:engine: the real app (startRedcollar) driven through the simulator HTTP API by 200
 * concurrent users, on the embedded memory database (2b) and on the H2 file database `npm start` uses, where every
 * write is durable before it is acknowledged (2c): saturated throughput and latency, then latency under an
 * open-loop arrival rate of half that maximum. The users are played by the load generator child
 * (bench/support/loadChild.ts, at most 100 connections), so the CPU per message is the app's and the database's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startRedcollar, type RunningApp } from '../../src/main.ts';
import { childJavaPids } from '../support/cpu.ts';
import { LoadGenerator, MAX_CONNECTIONS } from '../support/loadDriver.ts';
import { measured, printCpu, printPhasesOf, type MeasuredRun } from '../support/measuredRun.ts';
import { PhaseRecorder } from '../support/phases.ts';
import { fmt, heading, ms, out, percentile, row, sortNum, status } from '../support/report.ts';
import { BASELINES, printVerdicts } from '../support/targets.ts';
import { SUCCESS, TEMPLATE } from './script.ts';

const E2E_USERS = 200;
/**
 * BENCH_E2E_WARMUP_MS / BENCH_E2E_SATURATED_MS lengthen the warm-up and the saturated run (a profiling switch: on
 * a loaded machine the database JVM's JIT compiles through the default 14 s, and longer runs show the steady state).
 */
const E2E_WARMUP_MS = Number(process.env.BENCH_E2E_WARMUP_MS) || 6_000;
const E2E_SATURATED_MS = Number(process.env.BENCH_E2E_SATURATED_MS) || 8_000;
const E2E_HALF_RATE_MS = 8_000;
/**
 * A second saturated window after the half-rate one: by then the database JVM's JIT has compiled the hot paths, so
 * its CPU per message is the steady state, where the first window (kept as it was, to compare with earlier figures)
 * still pays for compiling.
 */
const E2E_STEADY_MS = 8_000;

let runs = 0;
const RUN_TAG = Date.now().toString(36);

function printErrors(m: MeasuredRun): void {
  const o = m.run.outcomes;
  const total = m.run.messages;
  const non200 = Object.entries(o).filter(([k]) => k.startsWith('HTTP ')).reduce((a, [, v]) => a + v, 0);
  row('replies with status 200', `${fmt(total - non200 - (o.network ?? 0))} / ${fmt(total)}`);
  row('errors (non-200 + network)', fmt(non200 + (o.network ?? 0)));
  row('200 replies saying "busy" / "internal error"', `${fmt(o.busy ?? 0)} / ${fmt(o['internal error'] ?? 0)}`);
  if (m.run.firstError) out(`    first error: ${m.run.firstError}`);
}

function printMix(m: MeasuredRun): void {
  row('messages', fmt(m.run.messages), `script positions ${m.run.minPos}–${m.run.maxPos} of ${TEMPLATE.length}; ${fmt(m.run.registrations)} registrations finished, ${fmt(m.run.successes)} with "${SUCCESS}"`);
}

/** Counts the app's mongoose operations (all connections share the mongoose singleton) while `fn` runs. */
async function countMongooseOps<T>(fn: () => Promise<T>): Promise<{ result: T; ops: Map<string, number> }> {
  const ops = new Map<string, number>();
  mongoose.set('debug', (collection: string, method: string) => {
    const k = `${collection}.${method}`;
    ops.set(k, (ops.get(k) ?? 0) + 1);
  });
  try {
    return { result: await fn(), ops };
  } finally {
    mongoose.set('debug', false);
  }
}

export type E2eBackend = 'memory' | 'h2';
const BACKEND_LABEL: Record<E2eBackend, string> = {
  memory: 'embedded memory database',
  h2: 'embedded H2 file database, as `npm start` runs',
};

/** The figures of one 2b/2c run that a comparison of settings needs (BENCH_MAX_RUNNING, bench/engine.bench.ts). */
export interface E2eSummary {
  maxRunning: string;
  rate: number;
  p99: number;
  cpuMs: number;
  halfP99: number;
  steadyRate: number;
  steadyP99: number;
  steadyCpuMs: number;
}

/** MAX_RUNNING_TURNS=<n>, or "adaptive[:<ceiling>]" for RUNNING_TURNS_LIMIT=adaptive under that ceiling. */
function gateSettings(maxRunning: string | undefined): Record<string, string> {
  if (!maxRunning) return {};
  const adaptive = /^adaptive(?::(\d+))?$/.exec(maxRunning);
  if (!adaptive) return { MAX_RUNNING_TURNS: maxRunning };
  return { RUNNING_TURNS_LIMIT: 'adaptive', ...(adaptive[1] ? { MAX_RUNNING_TURNS: adaptive[1] } : {}) };
}

/** `maxRunning`: the gate's MAX_RUNNING_TURNS for this run (default: the app's, or the MAX_RUNNING_TURNS variable). */
export async function benchE2e(rawRate: number, backend: E2eBackend, section: string, maxRunning = process.env.MAX_RUNNING_TURNS): Promise<E2eSummary | undefined> {
  const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-bench-'));
  let app: RunningApp | undefined;
  const load = await LoadGenerator.start();
  // BENCH_PHASES=0 leaves the turns unmeasured, to see what the probe itself costs (a few clock reads a turn).
  const recorder = process.env.BENCH_PHASES === '0' ? null : new PhaseRecorder();
  try {
    status(`starting the app (startRedcollar, ${BACKEND_LABEL[backend]})`);
    const t = performance.now();
    try {
      app = await startRedcollar({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        EMBEDDED_MONGO_BACKEND: backend,
        DATA_DIR: dataDir,
        SESSION_TIMEOUT_MINUTES: '30',
        // A tuning switch: the gate's limit, to compare settings by measurement ("adaptive" or "adaptive:<ceiling>").
        ...gateSettings(maxRunning),
      });
    } catch (err) {
      heading(`${section}. End to end — the app FAILED TO START`);
      out(`  startRedcollar failed: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
      return undefined;
    }
    const startMs = performance.now() - t;
    const jvmPids = childJavaPids();
    // e2e users get numbers far from the engine's, though they share no repository anyway; each run its own.
    await load.users({ kind: 'sim', url: app.url, userPrefix: `b${RUN_TAG}-${runs}`, firstUser: 1_000_000 + runs++ * 100_000 }, E2E_USERS, MAX_CONNECTIONS);

    // Sanity and op count: one user plays the whole script alone, with the app's mongoose operations counted.
    status('e2e sanity: one user, the whole script');
    const { result: sanity, ops } = await countMongooseOps(() => load.sanity());
    const opsTotal = [...ops.values()].reduce((a, b) => a + b, 0);
    const sanitySorted = sortNum(sanity.samples.map((x) => x.latencyMs));

    status(`e2e warm-up ${E2E_WARMUP_MS / 1000} s (${E2E_USERS} users)`);
    const warm = await load.saturate(E2E_WARMUP_MS);

    status(`e2e saturated ${E2E_SATURATED_MS / 1000} s (${E2E_USERS} users, closed loop)`);
    const sat = await measured(load, jvmPids, recorder, () => load.saturate(E2E_SATURATED_MS));
    const halfRate = sat.rate / 2;
    status(`e2e open loop at ${fmt(halfRate)} msg/s for ${E2E_HALF_RATE_MS / 1000} s`);
    const half = await measured(load, jvmPids, recorder, () => load.openLoop(halfRate, E2E_HALF_RATE_MS));
    const beforeHalfRate = BASELINES.sim.saturatedRate / 2;
    status(`e2e open loop at ${fmt(beforeHalfRate)} msg/s (half the before's saturated rate) for ${E2E_HALF_RATE_MS / 1000} s`);
    const beforeHalf = await measured(load, jvmPids, recorder, () => load.openLoop(beforeHalfRate, E2E_HALF_RATE_MS));
    status(`e2e saturated again ${E2E_STEADY_MS / 1000} s (steady state)`);
    const steady = await measured(load, jvmPids, recorder, () => load.saturate(E2E_STEADY_MS));

    heading(`${section}. End to end — POST /sim/api/messages, ${E2E_USERS} users registering at once (${BACKEND_LABEL[backend]})`);
    row('app start (incl. JVM)', `${fmt(startMs / 1000, 2)} s`);
    row('turns running at once (MAX_RUNNING_TURNS)', maxRunning ?? 'default');
    row('client', 'another process', `http keep-alive, at most ${MAX_CONNECTIONS} connections; latency = issued → reply read, incl. client-side queueing`);
    row('sanity: one user alone, whole script (cold)', sanity.successes === 1 ? 'registered' : 'NOT registered', `${sanity.messages} messages, p50 ${ms(percentile(sanitySorted, 50))}, max ${ms(sanitySorted.at(-1) ?? NaN)}, ${Object.keys(sanity.outcomes).join(', ')}`);
    row('app database operations per message', fmt(opsTotal / Math.max(1, sanity.messages), 2), `(mongoose, sanity user; agenda's own polling not counted)`);
    out(`    ${[...ops.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    row('warm-up (discarded)', `${fmt(E2E_WARMUP_MS / 1000, 1)} s`, `${fmt(warm.messages)} messages, p99 ${ms(percentile(sortNum(warm.samples.map((x) => x.latencyMs)), 99))}`);
    out();
    out('  Saturated (closed loop: each user sends its next message as soon as the reply arrives)');
    printMix(sat);
    row('messages/s', fmt(sat.rate), `over ${fmt(sat.run.elapsedMs / 1000, 2)} s`);
    row('raw findOneAndUpdate ops/s (2a)', fmt(rawRate));
    const ratio = sat.rate / rawRate;
    row('messages/s ÷ raw ops/s', `${fmt(ratio * 100, 1)} %`, `target ≥ 50 %: ${ratio >= 0.5 ? 'PASS' : 'BELOW'}`);
    row('latency p50', ms(sat.p50));
    row('latency p99', ms(sat.p99));
    row('latency max', ms(sat.sorted.at(-1) ?? NaN));
    printCpu('CPU per message (app + DB)', sat, BASELINES.sim);
    printPhasesOf(sat);
    printErrors(sat);
    out();
    out(`  Half the maximum rate (open loop: one arrival every ${fmt(1000 / halfRate, 2)} ms, each user sequential)`);
    row('target rate', `${fmt(halfRate)} msg/s`);
    row('issued / completed rate', fmt(half.run.issued), `${fmt(half.rate)} msg/s over ${fmt(half.run.elapsedMs / 1000, 2)} s; max backlog (no idle user) ${fmt(half.run.maxBacklog)}`);
    printMix(half);
    row('latency p50 (from scheduled time)', ms(half.p50));
    row('latency p99 (from scheduled time)', ms(half.p99), `target p99 ≤ 100 ms: ${half.p99 <= 100 ? 'PASS' : 'BELOW'}`);
    row('latency max', ms(half.sorted.at(-1) ?? NaN));
    printCpu('CPU per message (app + DB)', half);
    printPhasesOf(half);
    printErrors(half);
    out();
    out(`  Half the before's saturated rate (open loop at ${fmt(beforeHalfRate)} msg/s, the load the before's half-rate p99 was measured at)`);
    printMix(beforeHalf);
    row('latency p50 / p99 (from scheduled time)', `${ms(beforeHalf.p50)} / ${ms(beforeHalf.p99)}`, `max ${ms(beforeHalf.sorted.at(-1) ?? NaN)}`);
    printCpu('CPU per message (app + DB)', beforeHalf);
    printPhasesOf(beforeHalf);
    printErrors(beforeHalf);
    out();
    out("  Saturated again, after the half-rate run (steady state: the database JVM's JIT has mostly finished)");
    printMix(steady);
    row('messages/s', fmt(steady.rate), `over ${fmt(steady.run.elapsedMs / 1000, 2)} s`);
    row('latency p50 / p99', `${ms(steady.p50)} / ${ms(steady.p99)}`);
    printCpu('CPU per message (app + DB)', steady);
    row('database CPU per message without its JIT', ms(steady.cpu.db - steady.cpu.dbJit), `first window: ${ms(sat.cpu.db - sat.cpu.dbJit)}`);
    printPhasesOf(steady);
    printErrors(steady);
    out();
    printVerdicts(`${section} /sim`, BASELINES.sim, { saturatedRate: sat.rate, saturatedP99Ms: sat.p99, halfRateP99Ms: half.p99, beforeHalfRateP99Ms: beforeHalf.p99, cpuPerMessageMs: sat.cpu.total }, { saturatedRate: steady.rate, saturatedP99Ms: steady.p99, cpuPerMessageMs: steady.cpu.total });
    return {
      maxRunning: maxRunning ?? 'default',
      rate: sat.rate,
      p99: sat.p99,
      cpuMs: sat.cpu.total,
      halfP99: half.p99,
      steadyRate: steady.rate,
      steadyP99: steady.p99,
      steadyCpuMs: steady.cpu.total,
    };
  } finally {
    await recorder?.close();
    await load.stop().catch(() => undefined);
    status('stopping the app');
    await app?.stop().catch((err) => out(`  error while stopping the app: ${(err as Error).message}`));
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
