import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgendaScheduler, type SchedulerLogger } from '../../../src/scheduler/agenda/agendaScheduler.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import { testDbUri } from '../../support/db.ts';
import { eventually, recorder, schedulerContract, sleep } from '../schedulerContract.ts';

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

    function make(extra: { collection?: string; logger?: SchedulerLogger; db?: Db } = {}): Scheduler {
      const s = createAgendaScheduler({ db: extra.db ?? db, processEvery: PROCESS_EVERY, ...extra });
      started.push(s);
      return s;
    }

    it("keeps keyed jobs as one document each in the 'jobs' collection by default, under a unique index", async () => {
      const s = make();
      s.define('doc.job', async () => {});
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
      s.define('log.fails', async () => {
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
      s.define('keep.fails', async () => {
        done++;
        throw new Error('nope');
      });
      s.define('keep.ok', async () => {
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

    it("leaves the app's connection open after stop()", async () => {
      const s = make({ collection: uniqueName('jobs') });
      s.define('conn.job', async () => {});
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
      stopping.define('inflight.job', fromStopping.handler);
      other.define('inflight.job', fromOther.handler);
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
        s.define('mongoose.job', rec.handler);
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
