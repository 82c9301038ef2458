import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Clock } from '../../../src/app/ports/clock.ts';
import { createAgendaScheduler, type SchedulerLogger } from '../../../src/scheduler/agenda/agendaScheduler.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import { testDbUri } from '../../support/db.ts';
import { TestClock } from '../../support/testClock.ts';
import { defineAny, eventually, recorder, schedulerContract, sleep } from '../schedulerContract.ts';

const PROCESS_EVERY = '100 milliseconds';

let client: MongoClient;
let db: Db;

beforeAll(async () => {
  client = await MongoClient.connect(testDbUri('scheduler_agenda'));
  db = client.db();
});

afterAll(async () => {
  await client?.close();
});

function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function memoryLogger(): SchedulerLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The app's Db, with agenda's lock queries (findOneAndUpdate with `lockedAt` in its filter) held back, unsent,
 * until release(): a scan "under way" for as long as a test needs. answered() waits for every held query's answer.
 */
function heldLockQueries(inner: Db) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const answers: Promise<unknown>[] = [];
  const isLockQuery = (filter: unknown) => JSON.stringify(filter ?? {}).includes('"lockedAt"');
  const db = new Proxy(inner, {
    get(target, prop) {
      if (prop !== 'collection') {
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (name: string) => {
        const collection = target.collection(name);
        return new Proxy(collection, {
          get(c, p) {
            const value: unknown = Reflect.get(c, p);
            if (typeof value !== 'function') return value;
            if (p !== 'findOneAndUpdate') return value.bind(c);
            return (...args: unknown[]) => {
              if (!isLockQuery(args[0])) return (value as (...a: unknown[]) => unknown).apply(c, args);
              const answer = released.then(() => (value as (...a: unknown[]) => Promise<unknown>).apply(c, args));
              answers.push(answer);
              return answer;
            };
          },
        });
      };
    },
  });
  return {
    db,
    held: () => answers.length,
    release,
    answered: async () => {
      await Promise.allSettled(answers);
    },
  };
}

describe('agenda scheduler', () => {
  // Same `store` → same collection in this file's database (two app instances on one DB).
  const stores = new Map<string, string>();
  schedulerContract(async (opts) => {
    let collection: string;
    if (opts?.store) {
      collection = stores.get(opts.store) ?? uniqueName('jobs');
      stores.set(opts.store, collection);
    } else {
      collection = uniqueName('jobs');
    }
    return { scheduler: createAgendaScheduler({ db, collection, processEvery: PROCESS_EVERY }) };
  });

  describe('agenda specifics', () => {
    const started: Scheduler[] = [];
    afterAll(async () => {
      await Promise.all(started.map((s) => s.stop(100)));
    });

    function make(extra: { collection?: string; logger?: SchedulerLogger; db?: Db; clock?: Clock; processEvery?: string } = {}): Scheduler {
      const s = createAgendaScheduler({ db: extra.db ?? db, processEvery: PROCESS_EVERY, ...extra });
      started.push(s);
      return s;
    }

    it("keeps keyed jobs as one document each in the 'jobs' collection by default, under a unique index", async () => {
      const s = make();
      defineAny(s, 'doc.job', async () => {});
      await s.scheduleAt('doc.job', new Date(Date.now() + 60_000), 'k1', { a: 1 });
      await s.scheduleAt('doc.job', new Date(Date.now() + 120_000), 'k1', { a: 2 });
      await s.scheduleAt('doc.job', new Date(Date.now() + 60_000), 'k2', { a: 3 });
      await s.every('doc.every', '5 minutes', { b: 1 });

      const jobs = db.collection('jobs');
      const docs = await jobs.find({ name: 'doc.job' }).sort({ 'data.key': 1 }).toArray();
      expect(docs.map((d) => [d.data.key, d.data.payload])).toEqual([
        ['k1', { a: 2 }],
        ['k2', { a: 3 }],
      ]);
      expect(await jobs.countDocuments({ name: 'doc.every' })).toBe(1);

      const indexes = await jobs.listIndexes().toArray();
      const unique = indexes.find((i) => i.name === 'scheduler_name_key_unique');
      expect(unique).toMatchObject({ unique: true, key: { name: 1, 'data.key': 1 } });
      expect(await s.cancel('doc.job', 'k1')).toBe(1);
      expect(await s.cancel('doc.job', 'k2')).toBe(1);
    });

    it('logs handler failures with the job name and key', async () => {
      const logger = memoryLogger();
      const s = make({ collection: uniqueName('jobs'), logger });
      defineAny(s, 'log.fails', async () => {
        throw new Error('kaput');
      });
      await s.start();
      await s.now('log.fails', 'the-key');
      await eventually('the failure was logged', () =>
        logger.entries.some((e) => e.level === 'error' && e.msg === 'scheduled job failed'),
      );
      const entry = logger.entries.find((e) => e.msg === 'scheduled job failed')!;
      expect(entry.obj).toMatchObject({ job: 'log.fails', key: 'the-key' });
      expect((entry.obj.err as Error).message).toBe('kaput');
    });

    it('keeps a failed keyed job (with the reason) and removes a succeeded one', async () => {
      const collection = uniqueName('jobs');
      const s = make({ collection });
      let done = 0;
      defineAny(s, 'keep.fails', async () => {
        done++;
        throw new Error('nope');
      });
      defineAny(s, 'keep.ok', async () => {
        done++;
      });
      await s.start();
      await s.now('keep.fails', 'f');
      await s.now('keep.ok', 'o');
      await eventually('both ran', () => done === 2);
      const jobs = db.collection(collection);
      let failed: Record<string, unknown> | null = null;
      let okCount = -1;
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline) {
        failed = await jobs.findOne({ name: 'keep.fails' });
        okCount = await jobs.countDocuments({ name: 'keep.ok' });
        if (failed?.failReason && okCount === 0) break;
        await sleep(20);
      }
      expect(failed).toMatchObject({ failReason: 'nope', failCount: 1, nextRunAt: null });
      expect(okCount).toBe(0);
      expect(await s.cancel('keep.fails', 'f')).toBe(1);
    });

    it('rejects an interval agenda cannot parse', async () => {
      const s = make({ collection: uniqueName('jobs') });
      await expect(s.every('bad.interval', 'every blue moon')).rejects.toThrow(/invalid interval/);
      await expect(s.scheduleAt('bad.when', new Date(Number.NaN), 'k')).rejects.toThrow(/valid Date/);
      await expect(s.scheduleAt('bad.key', new Date(), '')).rejects.toThrow(/key/);
    });

    it("checks a job's data against its definition once, before the handler, and fails the run naming the job", async () => {
      const logger = memoryLogger();
      const s = make({ collection: uniqueName('jobs'), logger });
      const seen: { n: number }[] = [];
      s.define({ name: 'typed.job', data: z.object({ n: z.number() }), handler: async (data) => void seen.push(data) });
      await s.start();
      await s.now('typed.job', 'bad', { n: 'one' });
      await eventually('the bad run failed', () => logger.entries.some((e) => e.msg === 'scheduled job failed'));
      const entry = logger.entries.find((e) => e.msg === 'scheduled job failed')!;
      expect((entry.obj.err as Error).message).toMatch(/^job 'typed\.job' key 'bad': its data does not match the job's definition \(n: /);
      await s.now('typed.job', 'good', { n: 1 });
      await eventually('the good run ran', () => seen.length === 1);
      expect(seen).toEqual([{ n: 1 }]);
    });

    it("schedules on the app's clock and, when that clock moves, catchUp() runs what fell due before resolving", async () => {
      // Far from the system clock, and frozen: agenda alone would see both jobs as long overdue.
      const clock = new TestClock(new Date('2020-01-01T00:00:00Z'));
      const collection = uniqueName('jobs');
      // Agenda would not look again for ten minutes: catchUp() must not wait for its poll.
      const s = make({ collection, clock, processEvery: '10 minutes' });
      const rec = recorder();
      defineAny(s, 'clock.job', rec.handler);
      await s.start();
      const before = Date.now();
      await s.scheduleAt('clock.job', new Date(clock.now().getTime() + 7 * 86_400_000), 'week', { which: 'week' });
      await s.scheduleAt('clock.job', new Date(clock.now().getTime() + 30 * 86_400_000), 'month', { which: 'month' });
      const stored = await db.collection(collection).findOne({ 'data.key': 'week' });
      expect((stored!.nextRunAt as Date).getTime()).toBeGreaterThanOrEqual(before + 7 * 86_400_000);
      await sleep(300);
      expect(rec.runs).toEqual([]);

      clock.advance(8 * 86_400_000);
      await s.catchUp(8 * 86_400_000);
      expect(rec.runs.map((r) => r.data)).toEqual([{ which: 'week' }]);
      expect(rec.runs[0]!.ctx.now).toEqual(new Date('2020-01-09T00:00:00Z'));
      expect(await db.collection(collection).countDocuments({ 'data.key': 'week' })).toBe(0);
      expect(await db.collection(collection).countDocuments({ 'data.key': 'month' })).toBe(1);
    });

    it("leaves the app's connection open after stop()", async () => {
      const s = make({ collection: uniqueName('jobs') });
      defineAny(s, 'conn.job', async () => {});
      await s.start();
      await s.stop(1_000);
      await expect(db.command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    });

    it('regression: a job locked by a scan still under way when stop() was called stayed locked, so no other instance ran it', async () => {
      // Agenda's stop() releases the jobs its processor holds; a lock query already sent was not among them, and
      // the job it then locked stayed locked by an instance that would never run it, for the lock lifetime (10
      // minutes by default). On a loaded machine that query was simply slow; here it is held until stop() began.
      const collection = uniqueName('jobs');
      const gate = heldLockQueries(db);
      const stopping = createAgendaScheduler({ db: gate.db, collection, processEvery: '1 minute' });
      const other = make({ collection });
      const fromStopping = recorder();
      const fromOther = recorder();
      defineAny(stopping, 'inflight.job', fromStopping.handler);
      defineAny(other, 'inflight.job', fromOther.handler);
      await stopping.scheduleAt('inflight.job', new Date(Date.now() - 1_000), 'k', { due: true });

      await stopping.start();
      expect(gate.held()).toBe(1);
      const stopped = stopping.stop(5_000);
      gate.release();
      await stopped;
      await gate.answered();
      const job = await db.collection(collection).findOne({ name: 'inflight.job' });
      expect(job).not.toBeNull();
      expect(job!.lockedAt ?? null).toBeNull();

      await other.start();
      await eventually('the other instance ran it', () => fromOther.runs.length === 1);
      expect(fromOther.runs[0]!.data).toEqual({ due: true });
      expect(fromStopping.runs).toHaveLength(0);
    });

    it("runs on mongoose's connection.db", async () => {
      const conn = await mongoose.createConnection(testDbUri('scheduler_mongoose')).asPromise();
      try {
        const mdb = conn.db;
        if (!mdb) throw new Error('mongoose connection has no db');
        // mongoose 9.12 pins mongodb ~7.8 and gets its own copy next to the app's 7.9: the two
        // Db types differ (private members), the objects work (one shared bson 7). Hence the cast.
        const s = createAgendaScheduler({ db: mdb as unknown as Db, processEvery: PROCESS_EVERY });
        const rec = recorder();
        defineAny(s, 'mongoose.job', rec.handler);
        await s.start();
        await s.now('mongoose.job', 'k', { via: 'mongoose' });
        await eventually('the job ran', () => rec.runs.length === 1);
        expect(rec.runs[0]!.data).toEqual({ via: 'mongoose' });
        await s.stop(1_000);
      } finally {
        await conn.close();
      }
    });
  });
});
