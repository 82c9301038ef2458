import { availableParallelism, loadavg } from 'node:os';
import { heapFlagsOfThisProcess } from './appNodeFlags.ts';

/**
 * Output and percentiles shared by the benchmark scripts: figures go to stdout as aligned rows, progress to stderr
 * (so `npm run bench:* > figures.txt` keeps only the figures).
 */

export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Milliseconds with two decimals below 10 ms, one above. */
export const ms = (n: number): string => `${fmt(n, n < 10 ? 2 : 1)} ms`;

export function row(label: string, value: string, note = ''): void {
  out(`  ${label.padEnd(44)} ${value.padStart(14)}${note ? `   ${note}` : ''}`);
}

export function heading(title: string): void {
  out();
  out(title);
  out('─'.repeat(Math.max(title.length, 78)));
}

/** Progress, on stderr. */
export function status(text: string): void {
  process.stderr.write(`  … ${text}\n`);
}

/** The nearest-rank percentile of an ascending array; NaN when it is empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const sortNum = (a: number[]): number[] => [...a].sort((x, y) => x - y);

/** The percentile of values in any order. */
export const pct = (values: number[], p: number): number => percentile(sortNum(values), p);

const loadAverage = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * Runs a benchmark's parts between a header (machine, load) and a total, the load again at the end: other
 * processes on the machine skew every figure, and the reader should see how busy it was.
 */
export async function runBench(name: string, parts: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  const flags = heapFlagsOfThisProcess();
  out(`redcollar ${name} — node ${process.version} (${flags.length ? flags.join(' ') : "V8's default heap sizes"}), ${process.platform}/${process.arch}, ${availableParallelism()} CPUs, load average ${loadAverage()}`);
  await parts();
  out();
  out(`total ${fmt((performance.now() - t0) / 1000, 1)} s; load average now ${loadAverage()} (other processes on this machine skew every figure)`);
}

/**
 * Anything still keeping the event loop alive a second after everything was stopped is a leak worth seeing; the
 * bench then exits anyway so it stays within its time budget. (Seen: agenda's JobProcessor checkIfJobIsStillAlive
 * leaves a lockLifetime/2 = 5 min timer behind once the housekeeping job has run, even after scheduler.stop().)
 */
export function exitSoonAfterStop(): void {
  setTimeout(() => {
    process.stderr.write(`note: still alive 1 s after stop(), held by ${JSON.stringify(process.getActiveResourcesInfo())}; exiting explicitly\n`);
    process.exit(process.exitCode ?? 0);
  }, 1000).unref();
}
