/**
 * Port: persistent job scheduler (reminders, polls closing, periodic sweeps).
 *
 * Jobs survive restarts and are shared by every instance of the app: each run
 * happens on one instance. Implementation: src/scheduler/agenda/agendaScheduler.ts.
 */

import type { z } from 'zod';

/** What a handler gets besides its data. */
export interface JobHandlerContext {
  /** When this run started. */
  now: Date;
}

export interface JobOptions {
  /** Runs of this kind at once per instance. */
  concurrency?: number;
  /**
   * How long a run may hold its lock; a run still going after that counts as dead and another instance may
   * start the job again, so keep it above the handler's longest run.
   */
  lockLifetimeMs?: number;
  /** Run repeatedly at this interval ('10 minutes') once the app is up; main.ts asks the scheduler for it. */
  every?: string;
}

/**
 * A kind of job, defined next to its use case. `data` checks what the caller passed to every/scheduleAt/now
 * (`{}` when nothing was passed): the scheduler parses it once, before the handler runs, so the handler gets
 * typed data; data that does not parse fails the run with an error naming the job. A rejected promise marks the
 * run failed (logged); it never crashes the process and is not retried.
 */
export interface JobDefinition<T> {
  /** Stored with every job of this kind: renaming one orphans the jobs already scheduled. */
  name: string;
  data: z.ZodType<T>;
  handler(data: T, ctx: JobHandlerContext): Promise<void>;
  options?: JobOptions;
}

export interface Scheduler {
  /** Register a job kind. Call before start(). `options.every` is not acted on here: call every() for it. */
  define<T>(job: JobDefinition<T>): void;
  /** Run `name` repeatedly (interval like '1 minute'); idempotent: calling twice keeps one recurring job. */
  every(name: string, interval: string, data?: Record<string, unknown>): Promise<void>;
  /** Schedule one run when the app's clock shows `when`, keyed: a job with the same name and key replaces the earlier one (never duplicates). */
  scheduleAt(name: string, when: Date, key: string, data?: Record<string, unknown>): Promise<void>;
  /** Cancel the keyed job if any; returns how many were removed. */
  cancel(name: string, key: string): Promise<number>;
  /** Run now (for tests/admin), keyed like scheduleAt. */
  now(name: string, key: string, data?: Record<string, unknown>): Promise<void>;
  start(): Promise<void>;
  /** Stop taking jobs; wait for running jobs up to timeoutMs, then give up (their locks expire and another instance picks them up). */
  stop(timeoutMs: number): Promise<void>;
  isReady(): boolean;
  /**
   * The app's clock was moved forward by `ms` (demo mode): every job that falls due by the new time runs now,
   * recurring ones included. Resolves once those runs have finished (or after a minute, logged).
   */
  catchUp(ms: number): Promise<void>;
}
