/**
 * Port: persistent job scheduler (reminders, polls closing, periodic sweeps).
 *
 * Jobs survive restarts and are shared by every instance of the app: each run
 * happens on one instance. Implementation: src/scheduler/agenda/agendaScheduler.ts.
 */

/** What a handler gets besides its data. */
export interface JobHandlerContext {
  /** When this run started. */
  now: Date;
}

/**
 * Runs one job. `data` is what the caller passed to every/scheduleAt/now
 * (`{}` when nothing was passed). A rejected promise marks the run failed
 * (logged); it never crashes the process and is not retried.
 */
export type JobHandler = (data: Record<string, unknown>, ctx: JobHandlerContext) => Promise<void>;

export interface Scheduler {
  /**
   * Register a job kind. Call before start().
   * `concurrency`: runs of this kind at once per instance. `lockLifetimeMs`: how long a run
   * may hold its lock; a run still going after that counts as dead and another instance may
   * start the job again, so keep it above the handler's longest run.
   */
  define(name: string, handler: JobHandler, options?: { concurrency?: number; lockLifetimeMs?: number }): void;
  /** Run `name` repeatedly (interval like '1 minute'); idempotent: calling twice keeps one recurring job. */
  every(name: string, interval: string, data?: Record<string, unknown>): Promise<void>;
  /** Schedule one run at `when`, keyed: a job with the same name and key replaces the earlier one (never duplicates). */
  scheduleAt(name: string, when: Date, key: string, data?: Record<string, unknown>): Promise<void>;
  /** Cancel the keyed job if any; returns how many were removed. */
  cancel(name: string, key: string): Promise<number>;
  /** Run now (for tests/admin), keyed like scheduleAt. */
  now(name: string, key: string, data?: Record<string, unknown>): Promise<void>;
  start(): Promise<void>;
  /** Stop taking jobs; wait for running jobs up to timeoutMs, then give up (their locks expire and another instance picks them up). */
  stop(timeoutMs: number): Promise<void>;
  isReady(): boolean;
}
