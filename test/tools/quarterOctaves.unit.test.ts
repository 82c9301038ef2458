/**
 * bench:channels reads the embedded server's own command times as a quarter-octave histogram (CommandTimes.java:
 * bucket i holds durations d µs with floor(4 · log2(d + 1)) = i) and prints percentiles of it beside the app's
 * round trips. The percentile is the upper bound of the bucket the rank falls in.
 */
import { describe, expect, it } from 'vitest';
import { histogramPercentile } from '../../bench/support/quarterOctaves.ts';

/** The bucket CommandTimes.java puts a duration of `micros` in (its formula, restated). */
const bucketOf = (micros: number) => Math.floor(4 * Math.log2(micros + 1));
const upperMs = (bucket: number) => (2 ** ((bucket + 1) / 4) - 1) / 1000;

function histogram(durationsMicros: number[]): number[] {
  const counts = new Array<number>(108).fill(0);
  for (const d of durationsMicros) counts[bucketOf(d)]!++;
  return counts;
}

describe('histogramPercentile (the embedded server\'s command times)', () => {
  it('answers the upper bound of the bucket the rank falls in, never below the true value', () => {
    // 98 commands of 50 µs, one of 2 ms, one of 40 ms.
    const d = [...new Array<number>(98).fill(50), 2_000, 40_000];
    const counts = histogram(d);
    expect(histogramPercentile(counts, 50)).toBe(upperMs(bucketOf(50)));
    expect(histogramPercentile(counts, 99)).toBe(upperMs(bucketOf(2_000)));
    expect(histogramPercentile(counts, 100)).toBe(upperMs(bucketOf(40_000)));
    for (const [p, truth] of [[50, 50], [99, 2_000], [100, 40_000]] as const) {
      const got = histogramPercentile(counts, p) * 1000;
      expect(got).toBeGreaterThanOrEqual(truth);
      // A quarter octave wide: at most 2^(1/4) ≈ 1.19 times the duration (plus the +1 µs of the formula).
      expect(got).toBeLessThanOrEqual((truth + 1) * 2 ** 0.25);
    }
  });

  it('puts the shortest commands in the first bucket', () => {
    expect(histogramPercentile(histogram([0, 0, 0]), 99)).toBe(upperMs(0));
  });

  it('is NaN for a run with no command', () => {
    expect(histogramPercentile(new Array<number>(108).fill(0), 50)).toBeNaN();
  });
});
