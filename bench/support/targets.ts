import { fmt, ms, row } from './report.ts';
import type { CpuPerMessage } from './cpu.ts';

/**
 * The targets of issue 15 (performance), against the figures measured on main when that work started (medians of
 * 3 alternating rounds on the same 2-core machine; see the README's performance section): CPU per message at most
 * 70 % of it, saturated throughput at least 1.5× it with p99 ≤ 400 ms, p99 at half the saturated rate no worse.
 */
export interface Baseline {
  cpuPerMessageMs: number;
  saturatedRate: number;
  saturatedP99Ms: number;
  halfRateP99Ms: number;
}

export const BASELINES = {
  /** bench:engine 2b: POST /sim/api/messages, the whole app (startRedcollar) on the embedded memory database. */
  sim: { cpuPerMessageMs: NaN, saturatedRate: NaN, saturatedP99Ms: NaN, halfRateP99Ms: NaN },
  /** bench:channels, Telegram: POST /telegram/webhook → sendMessage at the fake Bot API. */
  telegram: { cpuPerMessageMs: NaN, saturatedRate: NaN, saturatedP99Ms: NaN, halfRateP99Ms: NaN },
} satisfies Record<string, Baseline>;

const verdict = (ok: boolean) => (ok ? 'PASS' : 'BELOW');

export function printCpuPerMessage(label: string, cpu: CpuPerMessage, baseline?: Baseline): void {
  const note = `node ${ms(cpu.node)} + database ${ms(cpu.db)}`;
  if (!baseline || Number.isNaN(baseline.cpuPerMessageMs)) return row(label, ms(cpu.total), note);
  const limit = baseline.cpuPerMessageMs * 0.7;
  row(label, ms(cpu.total), `${note}; target ≤ 70 % of ${ms(baseline.cpuPerMessageMs)} = ${ms(limit)}: ${verdict(cpu.total <= limit)}`);
}

/** The issue-15 verdicts of one path's saturated and half-rate runs. */
export function printTargets(baseline: Baseline, measured: { saturatedRate: number; saturatedP99Ms: number; halfRateP99Ms: number }): void {
  if (Number.isNaN(baseline.saturatedRate)) return;
  const rateGoal = baseline.saturatedRate * 1.5;
  row('target: saturated rate ≥ 1.5× before', fmt(measured.saturatedRate), `before ${fmt(baseline.saturatedRate)}, goal ${fmt(rateGoal)}: ${verdict(measured.saturatedRate >= rateGoal)}`);
  row('target: saturated p99 ≤ 400 ms', ms(measured.saturatedP99Ms), `before ${ms(baseline.saturatedP99Ms)}: ${verdict(measured.saturatedP99Ms <= 400)}`);
  row('target: half-rate p99 no worse than before', ms(measured.halfRateP99Ms), `before ${ms(baseline.halfRateP99Ms)}: ${verdict(measured.halfRateP99Ms <= baseline.halfRateP99Ms)}`);
}
