/** Progress of a broadcast from its counters: shares that add up to 100, and when the page keeps asking. */
import { DELIVERY_STATES, REACH, type Broadcast, type BroadcastStatus, type Counts, type DeliveryState, type DryRun } from './types.ts';

/** Recipients whose delivery is settled one way or another (unknown waits for a decision, so it is not). */
export function settled(counts: Counts): number {
  return counts.sent + counts.failed + counts.skipped;
}

/** Whole percentages of `parts` in `whole` that add up to exactly 100 (largest remainder), 0s when whole is 0. */
export function shares(parts: number[], whole: number): number[] {
  if (whole <= 0) return parts.map(() => 0);
  const exact = parts.map((p) => (Math.max(0, p) / whole) * 100);
  const floors = exact.map(Math.floor);
  const sum = parts.reduce((a, b) => a + Math.max(0, b), 0);
  // Only a full breakdown is topped up to 100; a partial one (counters still arriving) keeps its floors.
  if (sum !== whole) return floors;
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
}

export interface ProgressView {
  total: number;
  settled: number;
  /** Settled share as a whole percentage, 0-100; 100 only when every recipient is settled. */
  percent: number;
  parts: { state: DeliveryState; count: number; percent: number }[];
}

export function progressOf(b: Pick<Broadcast, 'total' | 'counts'>): ProgressView {
  const counts = normalCounts(b.counts);
  const total = Math.max(b.total, DELIVERY_STATES.reduce((n, s) => n + counts[s], 0));
  const done = settled(counts);
  // Rounding must not show 100% while one recipient is still open.
  const percent = total === 0 ? 0 : done >= total ? 100 : Math.min(99, Math.floor((done / total) * 100));
  const p = shares(DELIVERY_STATES.map((s) => counts[s]), total);
  return { total, settled: done, percent, parts: DELIVERY_STATES.map((state, i) => ({ state, count: counts[state], percent: p[i]! })) };
}

/** Counters with every state present (an older record may lack one). */
export function normalCounts(counts: Partial<Counts> | undefined): Counts {
  const out = {} as Counts;
  for (const s of DELIVERY_STATES) out[s] = Math.max(0, Number(counts?.[s] ?? 0) || 0);
  return out;
}

/** Reasons with their counts, largest first (skip and fail breakdowns). */
export function reasons(map: Record<string, number> | undefined): { reason: string; count: number }[] {
  return Object.entries(map ?? {})
    .filter(([, n]) => n > 0)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export const FINAL: readonly BroadcastStatus[] = ['done', 'cancelled', 'expired'];

/**
 * Whether the detail page should ask again: while sending; while scheduled or awaiting approval (it may start
 * any moment); while paused only as long as sends already handed to a platform are still coming back. Never for
 * a draft or a finished broadcast.
 */
export function shouldPoll(b: Pick<Broadcast, 'status' | 'counts'>): boolean {
  if (b.status === 'sending' || b.status === 'scheduled' || b.status === 'awaitingApproval') return true;
  if (b.status === 'paused') return normalCounts(b.counts).sending > 0;
  return false;
}

/** Dry-run rows with every way of reaching present, and the totals per way. */
export function dryRunRows(d: DryRun) {
  return d.byChannel.map((c) => {
    const reach = Object.fromEntries(REACH.map((r) => [r, Number(c.reachable?.[r] ?? 0)])) as Record<(typeof REACH)[number], number>;
    const reachable = c.recipients - reach.none;
    return { channel: c.channel, recipients: c.recipients, ...reach, reachable };
  });
}

/** How many recipients the approval threshold lets through without a second admin ("above" = more than). */
export function needsApproval(recipients: number, threshold: number | undefined): boolean {
  return threshold !== undefined && recipients > threshold;
}
