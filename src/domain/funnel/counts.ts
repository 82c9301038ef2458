/** The counters of one funnel step. `durations`: bucket index → count (durations.ts). */
export interface FunnelCounts {
  reached: number;
  answered: number;
  retries: number;
  gaveUp: number;
  timedOut: number;
  durations: Record<string, number>;
}

export const zeroCounts = (): FunnelCounts => ({ reached: 0, answered: 0, retries: 0, gaveUp: 0, timedOut: 0, durations: {} });

/** Adds `d` into `into` (counters and histogram); counters of days, instances or flushes add up this way. */
export function addCounts(into: FunnelCounts, d: FunnelCounts): void {
  into.reached += d.reached;
  into.answered += d.answered;
  into.retries += d.retries;
  into.gaveUp += d.gaveUp;
  into.timedOut += d.timedOut;
  for (const [b, n] of Object.entries(d.durations)) into.durations[b] = (into.durations[b] ?? 0) + n;
}
