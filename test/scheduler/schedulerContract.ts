/**
 * Contract for Scheduler implementations (src/app/ports/scheduler.ts), run by
 * each implementation's test file against a real store.
 *
 * Timing: implementations under test should poll often (~100 ms). Positive
 * checks poll until a generous bound; negative checks ("did not run again")
 * wait a short settle period. The only clock comparisons are lower bounds
 * ("did not run before its time", "stop waited for its timeout").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JobHandlerContext, JobOptions, Scheduler } from '../../src/app/ports/scheduler.ts';

/** A handler of any data: the contract's jobs do not care what their data is. */
export type JobHandler = (data: Record<string, unknown>, ctx: JobHandlerContext) => Promise<void>;

/** Defines a job whose data may be any object. */
export function defineAny(s: Scheduler, name: string, handler: JobHandler, options?: JobOptions): void {
  s.define({ name, data: z.record(z.string(), z.unknown()), handler, ...(options ? { options } : {}) });
}

export interface SchedulerUnderTest {
  scheduler: Scheduler;
  /** Frees what makeScheduler set up; called after the scheduler was stopped. */
  dispose?(): Promise<void>;
}

/**
 * Builds a fresh, not yet started scheduler. Calls with the same `store` share
 * one backing store, like two instances of the app on one database; calls
 * without `store` get a store of their own.
 */
export type MakeScheduler = (opts?: { store?: string }) => Promise<SchedulerUnderTest>;

/** Lower-bound tolerance for timer jitter (Node timers may fire a millisecond early). */
const EARLY_TOLERANCE_MS = 50;
// Generous: CI runs the whole suite on two cores, and "eventually" must not turn load into a failure.
const EVENTUALLY_MS = 20_000;
/** How long to keep watching that something does NOT happen again. */
const SETTLE_MS = 400;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = EVENTUALLY_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}

export interface Run {
  data: Record<string, unknown>;
  ctx: JobHandlerContext;
}

/** A handler that records its runs, optionally doing more. */
export function recorder(then?: JobHandler): { handler: JobHandler; runs: Run[] } {
  const runs: Run[] = [];
  return {
    runs,
    handler: async (data, ctx) => {
      runs.push({ data, ctx });
      if (then) await then(data, ctx);
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function schedulerContract(makeScheduler: MakeScheduler): void {
  const made: SchedulerUnderTest[] = [];
  /** Released after each test, so handlers left blocked do not outlive it. */
  const gates: Array<() => void> = [];

  async function make(opts?: { store?: string }): Promise<Scheduler> {
    const sut = await makeScheduler(opts);
    made.push(sut);
    return sut.scheduler;
  }

  function inMs(ms: number): Date {
    return new Date(Date.now() + ms);
  }

  afterEach(async () => {
    const all = made.splice(0);
    await Promise.all(all.map((sut) => sut.scheduler.stop(100)));
    for (const release of gates.splice(0)) release();
    for (const sut of all) await sut.dispose?.();
  });

  describe('Scheduler contract', () => {
    it('is not ready before start, ready after start, not ready after stop', async () => {
      const s = await make();
      defineAny(s, 'ready.noop', async () => {});
      expect(s.isReady()).toBe(false);
      await s.start();
      expect(s.isReady()).toBe(true);
      await s.stop(1_000);
      expect(s.isReady()).toBe(false);
    });

    it('runs a job scheduled shortly ahead once, with its data, not before its time', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'once.remind', rec.handler);
      await s.start();
      const when = inMs(200);
      await s.scheduleAt('once.remind', when, 'user-1', { text: 'hello', count: 2, nested: { a: [1, 2] } });

      await eventually('the job ran', () => rec.runs.length >= 1);
      const run = rec.runs[0]!;
      expect(run.data).toEqual({ text: 'hello', count: 2, nested: { a: [1, 2] } });
      expect(run.ctx.now).toBeInstanceOf(Date);
      expect(run.ctx.now.getTime()).toBeGreaterThanOrEqual(when.getTime() - EARLY_TOLERANCE_MS);
      await sleep(SETTLE_MS);
      expect(rec.runs).toHaveLength(1);
    });

    it('passes {} when scheduled without data', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'nodata.job', rec.handler);
      await s.start();
      await s.now('nodata.job', 'k');
      await eventually('the job ran', () => rec.runs.length === 1);
      expect(rec.runs[0]!.data).toEqual({});
    });

    it('scheduleAt twice with the same key keeps one job, with the latest data and time', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'replace.job', rec.handler);
      await s.start();
      await s.scheduleAt('replace.job', inMs(150), 'k', { version: 1 });
      const later = inMs(700);
      await s.scheduleAt('replace.job', later, 'k', { version: 2 });

      await eventually('the job ran', () => rec.runs.length >= 1);
      expect(rec.runs[0]!.data).toEqual({ version: 2 });
      expect(rec.runs[0]!.ctx.now.getTime()).toBeGreaterThanOrEqual(later.getTime() - EARLY_TOLERANCE_MS);
      await sleep(SETTLE_MS);
      expect(rec.runs).toHaveLength(1);
    });

    it('moving a keyed job earlier runs it at the new time, once', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'earlier.job', rec.handler);
      await s.start();
      await s.scheduleAt('earlier.job', inMs(60_000), 'k', { version: 1 });
      await s.scheduleAt('earlier.job', inMs(100), 'k', { version: 2 });
      await eventually('the job ran', () => rec.runs.length >= 1);
      expect(rec.runs.map((r) => r.data)).toEqual([{ version: 2 }]);
      await sleep(SETTLE_MS);
      expect(rec.runs).toHaveLength(1);
    });

    it('keys are per job name and per key: different keys are different jobs', async () => {
      const s = await make();
      const a = recorder();
      const b = recorder();
      defineAny(s, 'keys.a', a.handler);
      defineAny(s, 'keys.b', b.handler);
      await s.start();
      await s.scheduleAt('keys.a', inMs(100), 'same', { n: 1 });
      await s.scheduleAt('keys.a', inMs(100), 'other', { n: 2 });
      await s.scheduleAt('keys.b', inMs(100), 'same', { n: 3 });
      await eventually('all three ran', () => a.runs.length === 2 && b.runs.length === 1);
      expect(a.runs.map((r) => r.data.n).sort()).toEqual([1, 2]);
      expect(b.runs[0]!.data).toEqual({ n: 3 });
    });

    it('concurrent scheduleAt calls for one key, from two instances, never make two jobs', async () => {
      const one = await make({ store: 'concurrent' });
      const two = await make({ store: 'concurrent' });
      const rec = recorder();
      defineAny(one, 'race.job', rec.handler);
      defineAny(two, 'race.job', rec.handler);
      const when = inMs(400);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? one : two).scheduleAt('race.job', when, 'k', { i })),
      );
      await Promise.all([one.start(), two.start()]);
      await eventually('the job ran', () => rec.runs.length >= 1);
      await sleep(SETTLE_MS);
      expect(rec.runs).toHaveLength(1);
      expect(typeof rec.runs[0]!.data.i).toBe('number');
    });

    it('a keyed job runs on only one of two instances', async () => {
      const one = await make({ store: 'two-instances' });
      const two = await make({ store: 'two-instances' });
      const rec = recorder();
      defineAny(one, 'shared.job', rec.handler);
      defineAny(two, 'shared.job', rec.handler);
      await Promise.all([one.start(), two.start()]);
      for (let i = 0; i < 5; i++) await one.scheduleAt('shared.job', inMs(150), `k${i}`, { i });
      await eventually('all five ran', () => rec.runs.length >= 5);
      await sleep(SETTLE_MS);
      expect(rec.runs.map((r) => r.data.i).sort()).toEqual([0, 1, 2, 3, 4]);
    });

    it('a key can be scheduled again after its job ran', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'reuse.job', rec.handler);
      await s.start();
      await s.now('reuse.job', 'k', { round: 1 });
      await eventually('first run', () => rec.runs.length === 1);
      await s.scheduleAt('reuse.job', inMs(100), 'k', { round: 2 });
      await eventually('second run', () => rec.runs.length === 2);
      expect(rec.runs.map((r) => r.data.round)).toEqual([1, 2]);
    });

    it('a handler that reschedules its own key is not undone by the end of its run', async () => {
      const s = await make();
      const rec = recorder(async (data) => {
        const round = data.round as number;
        if (round < 3) await s.scheduleAt('chain.job', inMs(100), 'k', { round: round + 1 });
      });
      defineAny(s, 'chain.job', rec.handler);
      await s.start();
      await s.now('chain.job', 'k', { round: 1 });
      await eventually('three rounds', () => rec.runs.length >= 3);
      await sleep(SETTLE_MS);
      expect(rec.runs.map((r) => r.data.round)).toEqual([1, 2, 3]);
    });

    it('cancel removes the keyed job and returns how many were removed', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'cancel.job', rec.handler);
      await s.start();
      await s.scheduleAt('cancel.job', inMs(300), 'gone', { which: 'gone' });
      await s.scheduleAt('cancel.job', inMs(300), 'kept', { which: 'kept' });

      expect(await s.cancel('cancel.job', 'gone')).toBe(1);
      expect(await s.cancel('cancel.job', 'gone')).toBe(0);
      expect(await s.cancel('cancel.job', 'never-scheduled')).toBe(0);
      expect(await s.cancel('other.name', 'kept')).toBe(0);

      await eventually('the kept job ran', () => rec.runs.length >= 1);
      await sleep(SETTLE_MS);
      expect(rec.runs.map((r) => r.data.which)).toEqual(['kept']);
    });

    it('every() called twice keeps one recurring job', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'every.hourly', rec.handler);
      await s.every('every.hourly', '1 hour', { v: 1 });
      await s.every('every.hourly', '1 hour', { v: 1 });
      await s.start();
      await eventually('the recurring job ran', () => rec.runs.length >= 1);
      await sleep(SETTLE_MS);
      expect(rec.runs).toHaveLength(1);
      expect(rec.runs[0]!.data).toEqual({ v: 1 });
    });

    it('every() from two instances keeps one recurring job', async () => {
      const one = await make({ store: 'every-two' });
      const two = await make({ store: 'every-two' });
      const rec = recorder();
      defineAny(one, 'every.shared', rec.handler);
      defineAny(two, 'every.shared', rec.handler);
      await Promise.all([one.every('every.shared', '1 hour'), two.every('every.shared', '1 hour')]);
      await Promise.all([one.start(), two.start()]);
      await eventually('the recurring job ran', () => rec.runs.length >= 1);
      await sleep(SETTLE_MS);
      expect(rec.runs).toHaveLength(1);
    });

    it('every() repeats at its interval', async () => {
      const s = await make();
      const rec = recorder();
      defineAny(s, 'every.fast', rec.handler);
      await s.start();
      await s.every('every.fast', '200 milliseconds', { tick: true });
      await eventually('three runs', () => rec.runs.length >= 3);
      expect(rec.runs.every((r) => r.data.tick === true)).toBe(true);
    });

    it('a failing handler does not stop the scheduler: other and later jobs still run', async () => {
      const s = await make();
      const ok = recorder();
      let rejected = 0;
      let thrown = 0;
      defineAny(s, 'fail.rejects', async () => {
        rejected++;
        throw new Error('handler rejected on purpose');
      });
      // Breaks the JobHandler promise contract on purpose: throws before returning a promise.
      defineAny(s, 'fail.throws', (() => {
        thrown++;
        throw new Error('handler threw on purpose');
      }) as unknown as JobHandler);
      defineAny(s, 'fail.ok', ok.handler);
      await s.start();
      await s.now('fail.rejects', 'r');
      await s.now('fail.throws', 't');
      await eventually('both failing jobs ran', () => rejected === 1 && thrown === 1);
      await s.scheduleAt('fail.ok', inMs(100), 'after', { fine: true });
      await eventually('the next job ran', () => ok.runs.length === 1);
      expect(ok.runs[0]!.data).toEqual({ fine: true });
      expect(s.isReady()).toBe(true);
    });

    it('a recurring job keeps recurring after its handler fails', async () => {
      const s = await make();
      let calls = 0;
      defineAny(s, 'fail.every', async () => {
        calls++;
        throw new Error('always fails');
      });
      await s.start();
      await s.every('fail.every', '200 milliseconds');
      await eventually('it ran again after failing', () => calls >= 2);
    });

    it('stop(timeout) waits for a running job that finishes within the bound', async () => {
      const s = await make();
      let started = false;
      let finished = false;
      defineAny(s, 'stop.slow', async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      await s.start();
      await s.now('stop.slow', 'k');
      await eventually('the job started', () => started);
      await s.stop(5_000);
      expect(finished).toBe(true);
      expect(s.isReady()).toBe(false);
    });

    it('stop(timeout) returns after the bound when a job does not finish', async () => {
      const s = await make();
      const gate = deferred();
      gates.push(gate.resolve);
      let started = false;
      let finished = false;
      defineAny(s, 'stop.stuck', async () => {
        started = true;
        await gate.promise;
        finished = true;
      });
      await s.start();
      await s.now('stop.stuck', 'k');
      await eventually('the job started', () => started);
      const timeoutMs = 300;
      const t0 = Date.now();
      await s.stop(timeoutMs);
      const elapsed = Date.now() - t0;
      expect(finished).toBe(false);
      expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - EARLY_TOLERANCE_MS);
      expect(elapsed).toBeLessThan(timeoutMs + EVENTUALLY_MS);
      expect(s.isReady()).toBe(false);
    });

    it('a stopped scheduler takes no jobs; another instance runs them', async () => {
      const stopped = await make({ store: 'handover' });
      const other = await make({ store: 'handover' });
      const fromStopped = recorder();
      const fromOther = recorder();
      defineAny(stopped, 'handover.job', fromStopped.handler);
      defineAny(other, 'handover.job', fromOther.handler);
      await stopped.start();
      await stopped.stop(1_000);
      await stopped.scheduleAt('handover.job', inMs(100), 'k', { x: 1 });
      await sleep(SETTLE_MS);
      expect(fromStopped.runs).toHaveLength(0);
      await other.start();
      await eventually('the other instance ran it', () => fromOther.runs.length === 1);
      expect(fromStopped.runs).toHaveLength(0);
    });

    it('a job abandoned by stop() is picked up by another instance once its lock expires', async () => {
      const first = await make({ store: 'abandoned' });
      const second = await make({ store: 'abandoned' });
      const gate = deferred();
      gates.push(gate.resolve);
      let firstStarted = 0;
      const fromSecond = recorder();
      const lockLifetimeMs = 400;
      defineAny(first, 
        'abandoned.job',
        async () => {
          firstStarted++;
          await gate.promise;
        },
        { lockLifetimeMs },
      );
      defineAny(second, 'abandoned.job', fromSecond.handler, { lockLifetimeMs });
      await first.start();
      await first.now('abandoned.job', 'k', { attempt: 'any' });
      await eventually('the first instance started it', () => firstStarted === 1);
      await first.stop(50);
      await second.start();
      await eventually('the second instance ran it', () => fromSecond.runs.length === 1);
      expect(fromSecond.runs[0]!.data).toEqual({ attempt: 'any' });
      expect(firstStarted).toBe(1);
    });
  });
}
