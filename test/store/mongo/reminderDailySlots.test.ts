/**
 * The daily cap's counters on the database, taken for a whole chunk of reminders at once: a worker's slots are
 * granted in order up to the cap, across calls and across two stores (instances) racing for the same workers,
 * never more than the cap per worker and day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoReminderStore } from '../../../src/store/mongo/reminderStore.ts';
import { testDbUri } from '../../support/db.ts';

let a: Connection;
let b: Connection;
beforeAll(async () => {
  // Two connections to one database (each call names a new one), as two app instances have.
  const uri = testDbUri('reminder_daily_slots');
  a = await connectMongo(uri);
  b = await connectMongo(uri);
  for (const c of [a, b]) {
    createMongoReminderStore(c);
    await Promise.all(Object.values(c.models).map((m) => m.init()));
  }
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe('takeDailySlots', () => {
  it('grants each worker at most the cap, in order, within one call and across calls', async () => {
    const store = createMongoReminderStore(a);
    const got = await store.takeDailySlots([{ workerId: 'w1', cap: 2 }, { workerId: 'w2', cap: 2 }, { workerId: 'w1', cap: 2 }, { workerId: 'w1', cap: 2 }], '2026-03-01');
    expect(got).toEqual([true, true, true, false]);
    // w2 has a counter now (one slot used): the next call goes on from it.
    expect(await store.takeDailySlots([{ workerId: 'w2', cap: 2 }, { workerId: 'w2', cap: 2 }, { workerId: 'w1', cap: 2 }], '2026-03-01')).toEqual([true, false, false]);
    // Another day starts again.
    expect(await store.takeDailySlots([{ workerId: 'w1', cap: 2 }], '2026-03-02')).toEqual([true]);
    expect(await store.takeDailySlots([], '2026-03-02')).toEqual([]);
  });

  it('two instances taking slots for the same workers at once never grant more than the cap', async () => {
    const one = createMongoReminderStore(a);
    const two = createMongoReminderStore(b);
    const requests = Array.from({ length: 60 }, (_, i) => ({ workerId: `race${i % 20}`, cap: 2 }));
    const [x, y] = await Promise.all([one.takeDailySlots(requests, '2026-03-05'), two.takeDailySlots(requests, '2026-03-05')]);
    const perWorker = new Map<string, number>();
    requests.forEach((r, i) => perWorker.set(r.workerId, (perWorker.get(r.workerId) ?? 0) + Number(x[i]) + Number(y[i])));
    expect([...perWorker.values()]).toEqual(Array.from({ length: 20 }, () => 2));
  });
});
