/**
 * Parts 2b and 2c of bench:engine: the real app (startRedcollar) driven through the simulator HTTP API by 200
 * concurrent users, on the embedded memory database (2b) and on the H2 file database `npm start` uses, where every
 * write is durable before it is acknowledged (2c): saturated throughput and latency, then latency under an
 * open-loop arrival rate of half that maximum.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startRedcollar, type RunningApp } from '../../src/main.ts';
import { childJavaPids, cpuMark, cpuPerMessage, cpuSince } from '../support/cpu.ts';
import { post } from '../support/http.ts';
import { openLoop, saturate } from '../support/load.ts';
import { PhaseRecorder, printPhases, type PhaseSample } from '../support/phases.ts';
import { fmt, heading, ms, out, percentile, row, sortNum, status } from '../support/report.ts';
import { BASELINES, printCpuPerMessage, printTargets } from '../support/targets.ts';
import { scriptFor, SUCCESS, TEMPLATE } from './script.ts';

const E2E_USERS = 200;
const E2E_MAX_SOCKETS = 64;
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

interface E2eStats {
  latencies: number[];
  /** Each message's latency split into the turn's phases (bench/support/phases.ts). */
  phases: PhaseSample[];
  messages: number;
  registrations: number;
  successes: number;
  non200: Map<number, number>;
  networkErrors: number;
  busyReplies: number;
  internalErrorReplies: number;
  firstError: string | null;
  /** Script positions (1-based) of the messages sent, to show the message mix. */
  minPos: number;
  maxPos: number;
}
const newStats = (): E2eStats => ({
  latencies: [],
  phases: [],
  messages: 0,
  registrations: 0,
  successes: 0,
  non200: new Map(),
  networkErrors: 0,
  busyReplies: 0,
  internalErrorReplies: 0,
  firstError: null,
  minPos: Infinity,
  maxPos: 0,
});

const BUSY = '上一条消息还在处理中';
const INTERNAL_ERROR = '系统暂时出现问题';

/** One simulated user, part-way through the registration script. Users carry over from phase to phase. */
interface SimUser {
  userId: string;
  script: string[];
  i: number;
  success: boolean;
}
/** Set while a part runs: the turns' phases, joined with the latencies by user. */
let phases: PhaseRecorder | null = null;
let nextUser = 1_000_000; // e2e users get numbers far from the engine's, though they share no repository anyway
const RUN_TAG = Date.now().toString(36);
function newSimUser(): SimUser {
  const n = nextUser++;
  return { userId: `b${RUN_TAG}-${n}`, script: scriptFor(n), i: 0, success: false };
}

/**
 * Sends the user's next message and records the outcome (latency from `startedAt`). Returns the user to continue
 * with: the same one, or a fresh one when this message finished the script.
 */
async function sendNext(agent: http.Agent, base: URL, user: SimUser, stats: E2eStats, startedAt: number): Promise<SimUser> {
  const pos = ++user.i;
  const sentAt = performance.now();
  let socketAt = sentAt;
  const text = user.script[pos - 1]!;
  try {
    const res = await post(agent, base, '/sim/api/messages', Buffer.from(JSON.stringify({ userId: user.userId, text })), { 'content-type': 'application/json' }, () => (socketAt = performance.now()));
    if (res.status === 200) {
      if (res.body.includes(SUCCESS)) user.success = true;
      if (res.body.includes(BUSY)) stats.busyReplies++;
      if (res.body.includes(INTERNAL_ERROR)) stats.internalErrorReplies++;
    } else {
      stats.non200.set(res.status, (stats.non200.get(res.status) ?? 0) + 1);
      stats.firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
    }
  } catch (err) {
    stats.networkErrors++;
    stats.firstError ??= `network: ${(err as Error).message}`;
  }
  stats.messages++;
  const latency = performance.now() - startedAt;
  stats.latencies.push(latency);
  if (phases) stats.phases.push(phases.take(user.userId, latency, socketAt - sentAt, pos));
  stats.minPos = Math.min(stats.minPos, pos);
  stats.maxPos = Math.max(stats.maxPos, pos);
  if (user.i < user.script.length) return user;
  stats.registrations++;
  if (user.success) stats.successes++;
  return newSimUser();
}

function printErrors(stats: E2eStats): void {
  const non200 = [...stats.non200.values()].reduce((a, b) => a + b, 0);
  const detail = [...stats.non200.entries()].map(([s, c]) => `${c}× HTTP ${s}`).join(', ');
  row('replies with status 200', `${fmt(stats.messages - non200 - stats.networkErrors)} / ${fmt(stats.messages)}`);
  row('errors (non-200 + network)', fmt(non200 + stats.networkErrors), [detail, stats.networkErrors ? `${stats.networkErrors}× network` : ''].filter(Boolean).join('; '));
  row('200 replies saying "busy" / "internal error"', `${fmt(stats.busyReplies)} / ${fmt(stats.internalErrorReplies)}`);
  if (stats.firstError) out(`    first error: ${stats.firstError}`);
}

function printMix(stats: E2eStats): void {
  row('messages', fmt(stats.messages), `script positions ${stats.minPos}–${stats.maxPos} of ${TEMPLATE.length}; ${fmt(stats.registrations)} registrations finished, ${fmt(stats.successes)} with "${SUCCESS}"`);
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

/** `maxRunning`: the gate's MAX_RUNNING_TURNS for this run (default: the app's, or the MAX_RUNNING_TURNS variable). */
export async function benchE2e(rawRate: number, backend: E2eBackend, section: string, maxRunning = process.env.MAX_RUNNING_TURNS): Promise<E2eSummary | undefined> {
  const dataDir = await mkdtemp(join(tmpdir(), 'redcollar-bench-'));
  let app: RunningApp | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: E2E_MAX_SOCKETS });
  // The issue-15 figures were taken on the memory database; H2 adds durable commits and has no "before".
  const baseline = backend === 'memory' ? BASELINES.sim : undefined;
  // BENCH_PHASES=0 leaves the turns unmeasured, to see what the probe itself costs (a few clock reads a turn).
  const recorder = process.env.BENCH_PHASES === '0' ? null : new PhaseRecorder();
  phases = recorder;
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
        // A tuning switch: the gate's limit, to compare settings by measurement.
        ...(maxRunning ? { MAX_RUNNING_TURNS: maxRunning } : {}),
      });
    } catch (err) {
      heading(`${section}. End to end — the app FAILED TO START`);
      out(`  startRedcollar failed: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
      return undefined;
    }
    const startMs = performance.now() - t;
    const base = new URL(app.url);
    const jvmPids = childJavaPids();

    // Sanity and op count: one user plays the whole script alone, with the app's mongoose operations counted.
    status('e2e sanity: one user, the whole script');
    const sanity = newStats();
    const { ops } = await countMongooseOps(async () => {
      for (let u = newSimUser(), first = u; u === first; ) u = await sendNext(agent, base, u, sanity, performance.now());
    });
    const opsTotal = [...ops.values()].reduce((a, b) => a + b, 0);
    const sanitySorted = sortNum(sanity.latencies);

    const users = Array.from({ length: E2E_USERS }, newSimUser);
    status(`e2e warm-up ${E2E_WARMUP_MS / 1000} s (${E2E_USERS} users)`);
    const warm = newStats();
    await saturate((u, t) => sendNext(agent, base, u, warm, t), users, E2E_WARMUP_MS);

    status(`e2e saturated ${E2E_SATURATED_MS / 1000} s (${E2E_USERS} users, closed loop)`);
    const sat = newStats();
    const satCpu = cpuMark(jvmPids);
    recorder?.watchLoop();
    const satElapsed = await saturate((u, t) => sendNext(agent, base, u, sat, t), users, E2E_SATURATED_MS);
    const satLoop = recorder?.loopDelay();
    const satCpuText = cpuSince(satCpu);
    const satPerMsg = cpuPerMessage(satCpu, sat.messages);
    const maxRate = sat.messages / (satElapsed / 1000);
    const satSorted = sortNum(sat.latencies);

    const halfRate = maxRate / 2;
    status(`e2e open loop at ${fmt(halfRate)} msg/s for ${E2E_HALF_RATE_MS / 1000} s`);
    const half = newStats();
    const halfCpu = cpuMark(jvmPids);
    recorder?.watchLoop();
    const ol = await openLoop((u, t) => sendNext(agent, base, u, half, t), users, halfRate, E2E_HALF_RATE_MS);
    const halfLoop = recorder?.loopDelay();
    const halfCpuText = cpuSince(halfCpu);
    const halfPerMsg = cpuPerMessage(halfCpu, half.messages);
    const halfSorted = sortNum(half.latencies);

    status(`e2e saturated again ${E2E_STEADY_MS / 1000} s (steady state)`);
    const steady = newStats();
    const steadyCpu = cpuMark(jvmPids);
    recorder?.watchLoop();
    const steadyElapsed = await saturate((u, t) => sendNext(agent, base, u, steady, t), users, E2E_STEADY_MS);
    const steadyLoop = recorder?.loopDelay();
    const steadyCpuText = cpuSince(steadyCpu);
    const steadyPerMsg = cpuPerMessage(steadyCpu, steady.messages);
    const steadySorted = sortNum(steady.latencies);

    heading(`${section}. End to end — POST /sim/api/messages, ${E2E_USERS} users registering at once (${BACKEND_LABEL[backend]})`);
    row('app start (incl. JVM)', `${fmt(startMs / 1000, 2)} s`);
    row('turns running at once (MAX_RUNNING_TURNS)', maxRunning ?? 'default');
    row('client', 'http keep-alive', `maxSockets ${E2E_MAX_SOCKETS}; latency = issued → reply read, incl. client-side queueing`);
    row('sanity: one user alone, whole script (cold)', sanity.successes === 1 ? 'registered' : 'NOT registered', `${sanity.messages} messages, p50 ${ms(percentile(sanitySorted, 50))}, max ${ms(sanitySorted.at(-1) ?? NaN)}, ${sanity.non200.size + sanity.networkErrors ? 'with errors' : 'all 200'}`);
    row('app database operations per message', fmt(opsTotal / Math.max(1, sanity.messages), 2), `(mongoose, sanity user; agenda's own polling not counted)`);
    out(`    ${[...ops.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    row('warm-up (discarded)', `${fmt(E2E_WARMUP_MS / 1000, 1)} s`, `${fmt(warm.messages)} messages, p99 ${ms(percentile(sortNum(warm.latencies), 99))}`);
    out();
    out('  Saturated (closed loop: each user sends its next message as soon as the reply arrives)');
    printMix(sat);
    row('messages/s', fmt(maxRate), `over ${fmt(satElapsed / 1000, 2)} s`);
    row('raw findOneAndUpdate ops/s (2a)', fmt(rawRate));
    const ratio = maxRate / rawRate;
    row('messages/s ÷ raw ops/s', `${fmt(ratio * 100, 1)} %`, `target ≥ 50 %: ${ratio >= 0.5 ? 'PASS' : 'BELOW'}`);
    row('latency p50', ms(percentile(satSorted, 50)));
    row('latency p99', ms(percentile(satSorted, 99)));
    row('latency max', ms(satSorted.at(-1) ?? NaN));
    row('CPU (node = app + load generator)', '', satCpuText);
    printCpuPerMessage('CPU per message (app + load generator + DB)', satPerMsg, baseline);
    if (satLoop) printPhases(sat.phases, satLoop);
    printErrors(sat);
    out();
    out(`  Half the maximum rate (open loop: one arrival every ${fmt(1000 / halfRate, 2)} ms, each user sequential)`);
    row('target rate', `${fmt(halfRate)} msg/s`);
    row('issued / completed rate', fmt(ol.issued), `${fmt(half.messages / (ol.elapsed / 1000))} msg/s over ${fmt(ol.elapsed / 1000, 2)} s; max backlog (no idle user) ${fmt(ol.maxBacklog)}`);
    printMix(half);
    row('latency p50 (from scheduled time)', ms(percentile(halfSorted, 50)));
    const p99 = percentile(halfSorted, 99);
    row('latency p99 (from scheduled time)', ms(p99), `target p99 ≤ 100 ms: ${p99 <= 100 ? 'PASS' : 'BELOW'}`);
    row('latency max', ms(halfSorted.at(-1) ?? NaN));
    row('CPU (node = app + load generator)', '', halfCpuText);
    printCpuPerMessage('CPU per message (app + load generator + DB)', halfPerMsg);
    if (halfLoop) printPhases(half.phases, halfLoop);
    printErrors(half);
    out();
    out('  Saturated again, after the half-rate run (steady state: the database JVM\'s JIT has mostly finished)');
    printMix(steady);
    row('messages/s', fmt(steady.messages / (steadyElapsed / 1000)), `over ${fmt(steadyElapsed / 1000, 2)} s`);
    row('latency p50 / p99', `${ms(percentile(steadySorted, 50))} / ${ms(percentile(steadySorted, 99))}`);
    row('CPU (node = app + load generator)', '', steadyCpuText);
    printCpuPerMessage('CPU per message (app + load generator + DB)', steadyPerMsg);
    row('database CPU per message without its JIT', ms(steadyPerMsg.db - steadyPerMsg.dbJit), `first window: ${ms(satPerMsg.db - satPerMsg.dbJit)}`);
    if (steadyLoop) printPhases(steady.phases, steadyLoop);
    printErrors(steady);
    if (baseline) {
      out();
      out('  Issue 15 targets (before = main when the work started)');
      printTargets(baseline, { saturatedRate: maxRate, saturatedP99Ms: percentile(satSorted, 99), halfRateP99Ms: p99 });
    } else {
      out();
      row('target: saturated p99 ≤ 400 ms', ms(percentile(satSorted, 99)), `${percentile(satSorted, 99) <= 400 ? 'PASS' : 'BELOW'}; steady-state window ${ms(percentile(steadySorted, 99))}`);
    }
    return {
      maxRunning: maxRunning ?? 'default',
      rate: maxRate,
      p99: percentile(satSorted, 99),
      cpuMs: satPerMsg.total,
      halfP99: p99,
      steadyRate: steady.messages / (steadyElapsed / 1000),
      steadyP99: percentile(steadySorted, 99),
      steadyCpuMs: steadyPerMsg.total,
    };
  } finally {
    recorder?.close();
    phases = null;
    agent.destroy();
    status('stopping the app');
    await app?.stop().catch((err) => out(`  error while stopping the app: ${(err as Error).message}`));
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
