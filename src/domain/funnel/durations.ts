/**
 * Time spent at a funnel step, kept as counts in log-scale buckets so that counters of many days and instances add
 * up with `$inc` and still give a median. Two buckets per doubling from 250 ms: bucket i holds durations in
 * [250·2^(i/2), 250·2^((i+1)/2)) ms, so an estimate is within a factor √2 of the truth; the last bucket (about
 * 3 days and more) takes everything longer.
 */

const BASE_MS = 250;
export const DURATION_BUCKETS = 36;

export function durationBucket(ms: number): number {
  if (!(ms >= BASE_MS)) return 0;
  return Math.min(DURATION_BUCKETS - 1, Math.floor(2 * Math.log2(ms / BASE_MS)));
}

/** The bucket's geometric middle, the estimate reported for a duration in it. */
export function bucketMiddleMs(bucket: number): number {
  return Math.round(BASE_MS * 2 ** ((bucket + 0.5) / 2));
}

/** The median of the counted durations (the middle of the bucket holding it), or null when nothing was counted. */
export function medianMs(histogram: Readonly<Record<string, number>>): number | null {
  let total = 0;
  for (const n of Object.values(histogram)) total += n;
  if (total === 0) return null;
  const half = total / 2;
  let seen = 0;
  for (let b = 0; b < DURATION_BUCKETS; b++) {
    seen += histogram[String(b)] ?? 0;
    if (seen >= half) return bucketMiddleMs(b);
  }
  return bucketMiddleMs(DURATION_BUCKETS - 1);
}
