/**
 * Updates, deletes and findAndModify find their documents with the same index lookups as find
 * (src/store/embedded/IndexedBackends.java: byUniqueKey, plan).
 *
 * The broadcast sender marks its batches with `{_id: {$in: ids}, status}`: mongo-java-server uses its `_id` index
 * only for a query with exactly `_id`, so each such write read the whole deliveries collection. These tests start
 * their own servers: the plan counters they read (`embeddedPlanStats`) are per server.
 */
import type { Collection, Db, Filter } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ownEmbeddedServers } from '../../support/ownEmbeddedServer.ts';

const withServer = ownEmbeddedServers('plans');

interface Delivery {
  _id: string | number;
  broadcastId?: string;
  seq?: number | number[];
  status?: string | null;
  nextAt?: Date;
  tags?: string[];
  n?: number;
  touched?: number;
}

interface PlanStats {
  fullScans: number;
  candidatesRead: number;
}

async function planStats(db: Db): Promise<PlanStats> {
  const stats = await db.command({ embeddedPlanStats: 1 });
  return { fullScans: Number(stats['fullScans']), candidatesRead: Number(stats['candidatesRead']) };
}

/** The delivery store's indexes (src/store/mongo/deliveryStore.ts). */
async function deliveryIndexes(c: Collection<Delivery>): Promise<void> {
  await c.createIndex({ broadcastId: 1, status: 1, nextAt: 1, seq: 1 });
  await c.createIndex({ broadcastId: 1, seq: 1 });
}

const DELIVERIES = 2_000;
const at = new Date('2026-12-01T08:00:00Z');

async function seedDeliveries(c: Collection<Delivery>): Promise<void> {
  await deliveryIndexes(c);
  const docs: Delivery[] = [];
  for (let i = 0; i < DELIVERIES; i++) docs.push({ _id: `d${i}`, broadcastId: 'b1', seq: i, status: 'pending', nextAt: at });
  await c.insertMany(docs);
}

/** 64 ids spread over the collection, as a sender's batch would name them. */
const batch = Array.from({ length: 64 }, (_, k) => k * 31 + 3);

describe.each(['memory', 'h2'] as const)('embedded server (%s): writes plan with the indexes', (backend) => {
  it('regression: updateMany by _id $in scanned the whole collection', async () => {
    await withServer(backend, async (_server, db) => {
      const c = db.collection<Delivery>('deliveries');
      await seedDeliveries(c);
      const ids = batch.map((i) => `d${i}`);
      const before = await planStats(db);
      const r = await c.updateMany({ _id: { $in: ids }, status: 'pending' }, { $set: { status: 'sending' } });
      expect(r.matchedCount).toBe(64);
      expect(r.modifiedCount).toBe(64);
      // The same filter again matches none of them now: the matcher still decides.
      expect((await c.updateMany({ _id: { $in: ids }, status: 'pending' }, { $set: { status: 'x' } })).matchedCount).toBe(0);
      const deleted = await c.deleteMany({ _id: { $in: ids.slice(0, 8) }, status: 'sending' });
      expect(deleted.deletedCount).toBe(8);
      const rest = { _id: { $in: ids.slice(8) }, status: 'sending' };
      // The first in the scan's order (insertion order in memory, _id order in H2), read before the count below.
      const first = await c.find({ $and: [rest] }).limit(1).next();
      const scansBefore = (await planStats(db)).fullScans;
      const taken = await c.findOneAndUpdate(rest, { $set: { status: 'sent' } }, { returnDocument: 'after' });
      expect(taken).toEqual({ ...first, status: 'sent' });
      const after = await planStats(db);
      expect(scansBefore).toBe(before.fullScans + 1);
      expect(after.fullScans).toBe(scansBefore);
      // Each write read only the documents it names (64 + 64 + 8 + 56), none of the other deliveries.
      expect(after.candidatesRead - before.candidatesRead).toBeLessThanOrEqual(64 + 64 + 8 + 56);
      expect(await c.countDocuments({ status: 'sending' })).toBe(55);
      expect(await c.countDocuments({ status: 'pending' })).toBe(DELIVERIES - 64);
    });
  });

  it('regression: bulkWrite updateOne by _id scanned the whole collection', async () => {
    await withServer(backend, async (_server, db) => {
      const c = db.collection<Delivery>('deliveries');
      await seedDeliveries(c);
      const before = await planStats(db);
      // Both spellings of an _id equality, each with the status condition the sender adds.
      const r = await c.bulkWrite(
        batch.map((i, k) => ({
          updateOne: {
            filter: k % 2 === 0 ? { _id: `d${i}`, status: 'pending' } : { _id: { $eq: `d${i}` }, status: 'pending' },
            update: { $set: { status: 'sent' } },
          },
        })),
      );
      expect(r.matchedCount).toBe(64);
      expect(r.modifiedCount).toBe(64);
      const after = await planStats(db);
      expect(after.fullScans).toBe(before.fullScans);
      expect(after.candidatesRead - before.candidatesRead).toBeLessThanOrEqual(64);
      expect(await c.countDocuments({ status: 'sent' })).toBe(64);
    });
  });

  it('regression: updateMany by an indexed field with $in read every pending delivery of the broadcast', async () => {
    await withServer(backend, async (_server, db) => {
      const c = db.collection<Delivery>('deliveries');
      await seedDeliveries(c);
      const before = await planStats(db);
      // Two equalities on (broadcastId, status, nextAt, seq) and on (broadcastId, seq): the second reads 64.
      const r = await c.updateMany({ broadcastId: 'b1', status: 'pending', seq: { $in: batch } }, { $set: { status: 'sending' } });
      expect(r.modifiedCount).toBe(64);
      const after = await planStats(db);
      expect(after.fullScans).toBe(before.fullScans);
      expect(after.candidatesRead - before.candidatesRead).toBeLessThanOrEqual(64);
      expect((await c.find({ status: 'sending' }).toArray()).map((d) => d.seq).sort((a, b) => Number(a) - Number(b))).toEqual(batch);
    });
  });

  it('writes with an index plan change the same documents as the library’s scan, in its order', async () => {
    await withServer(backend, async (_server, db) => {
      const planned = db.collection<Delivery>('planned');
      const scanned = db.collection<Delivery>('scanned');
      await deliveryIndexes(planned);
      await deliveryIndexes(scanned);
      // Inserted out of _id and seq order, so the scan's order differs from both the index order and `$in`'s.
      const docs: Delivery[] = [
        { _id: 'm', broadcastId: 'b1', seq: 5, status: 'pending', nextAt: at },
        { _id: 7, broadcastId: 'b1', seq: 2, status: 'pending', nextAt: at, tags: ['x'] },
        { _id: 'a', broadcastId: 'b1', seq: 9, status: 'sent', nextAt: at, tags: ['x', 'y'] },
        { _id: 'c', broadcastId: 'b2', seq: 1, status: 'pending', nextAt: at },
        { _id: 'b', broadcastId: 'b1', seq: [1, 500], status: 'pending', nextAt: at },
        { _id: 2.5, broadcastId: 'b1', seq: 3, status: null },
        { _id: 'z', broadcastId: 'b1', seq: 4 },
        { _id: 'k', seq: 6, status: 'pending' },
        { _id: 'e', broadcastId: 'b2', seq: 2, status: 'sent', nextAt: new Date('2026-12-02T08:00:00Z') },
        { _id: 'd', broadcastId: 'b1', seq: 8, status: 'pending', nextAt: new Date('2026-11-30T08:00:00Z') },
      ];
      const queries: Filter<Delivery>[] = [
        { _id: { $in: ['b', 'm', 'a', 'd'] }, status: 'pending' },
        { _id: { $in: [7, 7.0, 'a', 'zz'] } },
        { _id: { $in: ['d', 'c', 'm'], $nin: ['c'] } },
        { _id: { $eq: 'a' }, tags: 'x' },
        { _id: { $in: [] } },
        // null also matches a missing _id, so it stays with the library (the driver's types leave null out).
        { _id: { $in: [null, 'a'] } } as unknown as Filter<Delivery>,
        { _id: 2.5, status: null },
        { broadcastId: 'b1', status: 'pending', seq: { $in: [5, 1, 8, 2] } },
        { broadcastId: 'b1', seq: { $in: [500, 4] } },
        { broadcastId: 'b1', status: 'pending' },
        { broadcastId: { $in: ['b2', 'b1'] }, status: { $in: ['sent', 'pending'] } },
        { broadcastId: 'b1', seq: { $gte: 3, $lte: 8 } },
        { status: null },
        { $or: [{ _id: 'a' }, { seq: 2 }] },
      ];
      const ops: { name: string; run: (c: Collection<Delivery>, q: Filter<Delivery>) => Promise<unknown> }[] = [
        { name: 'updateOne', run: (c, q) => c.updateOne(q, { $set: { touched: 1 } }) },
        { name: 'findOneAndUpdate', run: (c, q) => c.findOneAndUpdate(q, { $set: { touched: 2 } }) },
        { name: 'findOneAndUpdate sorted', run: (c, q) => c.findOneAndUpdate(q, { $inc: { n: 10 } }, { sort: { seq: -1 }, returnDocument: 'after' }) },
        { name: 'updateMany', run: (c, q) => c.updateMany(q, { $inc: { n: 1 } }) },
        { name: 'deleteOne', run: (c, q) => c.deleteOne(q) },
        { name: 'findOneAndDelete $natural', run: (c, q) => c.findOneAndDelete(q, { sort: { $natural: -1 } }) },
        { name: 'deleteMany', run: (c, q) => c.deleteMany(q) },
      ];
      const planBefore = await planStats(db);
      for (const query of queries) {
        for (const c of [planned, scanned]) {
          await c.deleteMany({});
          await c.insertMany(docs.map((d) => ({ ...d })));
        }
        for (const op of ops) {
          const label = `${op.name} ${JSON.stringify(query)}`;
          // `$and` hides every key from the planner: the library's own scan, the reference answer.
          const got = await op.run(planned, query);
          const expected = await op.run(scanned, { $and: [query] });
          expect(got, label).toEqual(expected);
          expect(await planned.find().toArray(), label).toEqual(await scanned.find().toArray());
        }
      }
      // The planned side did use the indexes for most of its writes (else this compared the scan with itself).
      const planAfter = await planStats(db);
      expect(planAfter.candidatesRead).toBeGreaterThan(planBefore.candidatesRead);
    });
  });

  it('upserts by _id $in insert only when nothing matches, with the id the library derives', async () => {
    await withServer(backend, async (_server, db) => {
      const c = db.collection<Delivery>('deliveries');
      await deliveryIndexes(c);
      await c.insertMany([{ _id: 'a', status: 'pending' }, { _id: 'b', status: 'sent' }]);
      const matched = await c.updateOne({ _id: { $in: ['b', 'a'] }, status: 'sent' }, { $set: { n: 1 } }, { upsert: true });
      expect(matched).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
      const inserted = await c.updateOne({ _id: { $in: ['q', 'a'] }, status: 'gone' }, { $set: { n: 2 } }, { upsert: true });
      expect(inserted).toMatchObject({ matchedCount: 0, upsertedCount: 1, upsertedId: 'q' });
      expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 'a', status: 'pending' },
        { _id: 'b', status: 'sent', n: 1 },
        { _id: 'q', status: 'gone', n: 2 },
      ]);
    });
  });
});
