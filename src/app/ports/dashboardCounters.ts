import type { CounterKind, CounterRow } from '../../domain/dashboard/counterKeys.ts';

/**
 * The dashboard's figures kept up on write: one count per (kind, region prefix, level, key[, day]), so the 工作台
 * reads a few hundred small counters instead of grouping every application in the admin's region.
 * What each kind counts: src/domain/dashboard/counterKeys.ts.
 */
export interface DashboardCounterStore {
  /** Adds each delta to its counter (creating it); safe to run concurrently with other adds. */
  add(deltas: readonly CounterRow[]): Promise<void>;
  /** The non-zero counters of a kind under one prefix, optionally with `day` in [fromDay, toDay] (openDay, the years). */
  read(kind: CounterKind, prefix: string, fromDay?: string, toDay?: string): Promise<CounterRow[]>;
}
