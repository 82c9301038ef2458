/**
 * The p-th percentile of the embedded server's command-time histogram (CommandTimes.java: bucket i holds durations
 * d µs with floor(4 · log2(d + 1)) = i, so it ends at 2^((i+1)/4) − 1 µs), as its bucket's upper bound in ms: at
 * most about 19 % above the true value. Apart from databaseTimes.ts, which needs the driver, so that a unit test
 * can check the arithmetic without the database.
 */
export function histogramPercentile(counts: number[], p: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return (2 ** ((i + 1) / 4) - 1) / 1000;
  }
  return Infinity;
}
