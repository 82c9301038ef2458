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
