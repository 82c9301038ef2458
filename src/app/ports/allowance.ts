import type { AllowanceEntry } from '../../domain/certification/allowanceEntries.ts';
import type { ReadScope } from './consoleReads.ts';

export type { AllowanceEntry };

export interface AllowanceTotals {
  /** Paid rows per policy and level (holders, yuan). */
  byLevel: { policyId: string; level: string; holders: number; amountYuan: number }[];
  rows: number;
  excluded: number;
  /** Distinct workers with a row not paid; null when the scope's levels leave it unknown from the counters. */
  excludedHolders: number | null;
}

/**
 * The allowance report kept up on write (src/app/console/allowanceUpkeep.ts): entries per (year, certificate) and
 * their counters, so a preview reads its totals and one page of rows, never the year's holders.
 */
export interface AllowanceStore {
  /** Every entry of one worker (all years). */
  ofWorker(workerId: string): Promise<AllowanceEntry[]>;
  /** Replaces a worker's entries `before` (as ofWorker read them) with `after`, and moves the counters by the change. */
  replace(workerId: string, before: readonly AllowanceEntry[], after: readonly AllowanceEntry[]): Promise<void>;
  /** A year's paid or excluded entries in the scope, in the report's order; the first `limit` when given. */
  list(scope: ReadScope, year: number, kind: AllowanceEntry['kind'], limit?: number): Promise<AllowanceEntry[]>;
  totals(scope: ReadScope, year: number): Promise<AllowanceTotals>;
  /** Distinct workers among the scope's excluded entries of the year (the slow, exact count for level-limited scopes). */
  excludedWorkers(scope: ReadScope, year: number): Promise<number>;
}
