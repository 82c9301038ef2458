/**
 * One run of the load generator child with what the benches print about it: the app's and the database's CPU per
 * message (the generator's shown apart), the app's event-loop delay and GC, and each message's phases.
 */
import { cpuMark, cpuPerMessage, type CpuPerMessage } from './cpu.ts';
import type { LoadGenerator } from './loadDriver.ts';
import type { LoadRun } from './loadTypes.ts';
import { printDatabaseTimes, type DatabaseTimesOfRun } from './databaseTimes.ts';
import { PhaseRecorder, printPhases, type LoopStats, type PhaseSample } from './phases.ts';
import { fmt, ms, out, percentile, row, sortNum } from './report.ts';
import { printCpuPerMessage, type Baseline } from './targets.ts';

export interface MeasuredRun {
  run: LoadRun;
  /** Messages per second: completed ÷ elapsed. */
  rate: number;
  sorted: number[];
  p50: number;
  p99: number;
  /** App process + database child. */
  cpu: CpuPerMessage;
  /** The load generator's CPU per message (another process; not in `cpu`). */
  generatorMs: number;
  loop?: LoopStats;
  phases?: PhaseSample[];
  database?: DatabaseTimesOfRun;
}

/** Runs `fn` (one job of the generator) with the CPU, the loop and the turns' phases measured around it. */
export async function measured(load: LoadGenerator, jvmPids: number[], recorder: PhaseRecorder | null, fn: () => Promise<LoadRun>): Promise<MeasuredRun> {
  recorder?.reset();
  await recorder?.database?.start();
  recorder?.watchLoop();
  const mark = cpuMark(jvmPids);
  const loadMark = load.cpuMs();
  const run = await fn();
  const cpu = cpuPerMessage(mark, run.messages);
  const generatorMs = (load.cpuMs() - loadMark) / Math.max(1, run.messages);
  const loop = recorder?.loopDelay();
  const database = await recorder?.database?.stop(run.messages);
  const phases = recorder?.join(run.samples);
  const sorted = sortNum(run.samples.map((s) => s.latencyMs));
  return { run, rate: run.messages / (run.elapsedMs / 1000), sorted, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpu, generatorMs, loop, phases, database };
}

export function printCpu(label: string, m: MeasuredRun, baseline?: Baseline): void {
  printCpuPerMessage(label, m.cpu, baseline);
  row('  the load generator (another process, not counted)', ms(m.generatorMs));
}

export function printOutcomes(m: MeasuredRun, note = ''): void {
  const r = m.run;
  row('messages', fmt(r.messages), `script positions ${r.minPos}–${r.maxPos}; ${fmt(r.registrations)} registrations finished, ${fmt(r.successes)} with "注册成功"${note}`);
  row('outcomes', '', Object.entries(r.outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${fmt(v)}× ${k}`).join(', '));
  if (r.firstError) out(`    first error: ${r.firstError}`);
}

export function printPhasesOf(m: MeasuredRun): void {
  if (m.phases && m.loop) printPhases(m.phases, m.loop, m.run.loop);
  if (m.database) printDatabaseTimes(m.database);
}
