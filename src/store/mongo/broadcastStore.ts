import { Schema, type Connection } from 'mongoose';
import type { Broadcast } from '../../domain/broadcasts/broadcast.ts';
import type { BroadcastStore } from '../../app/ports/broadcasts.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * `broadcasts`: one document per broadcast, its counters moved by `$inc`, every status move conditional on the
 * status it leaves, edits conditional on `version`. `regionPrefix` (the segment's region) is what an admin's list
 * is scoped by. `runId`/`leaseUntil` belong to the one sending run at a time (system time, not the app's clock:
 * a lease is about processes, not about the demo clock).
 */
type BroadcastDoc = Omit<Broadcast, 'id'> & { _id: string; regionPrefix: string; runId: string | null; leaseUntil: Date | null };

const schema = new Schema<BroadcastDoc>({ _id: String }, { collection: 'broadcasts', versionKey: false, _id: false, strict: false });
schema.index({ regionPrefix: 1, _id: -1 });
schema.index({ status: 1, sendAt: 1 });
// The notices of a training session, found when a worker's enrolment in it changes (answerFollows.ts).
schema.index({ sessionId: 1 }, { sparse: true });

const toBroadcast = (doc: BroadcastDoc): Broadcast => {
  const { _id, regionPrefix: _r, runId: _run, leaseUntil: _l, ...rest } = doc;
  return { id: _id, ...rest };
};

export function createMongoBroadcastStore(connection: Connection): BroadcastStore {
  const c = typedCollection<BroadcastDoc>(connection, 'Broadcast', schema);
  const after = { returnDocument: 'after' as const };
  return {
    async create(b) {
      const { id, ...rest } = b;
      const doc: BroadcastDoc = { _id: id, ...rest, version: 1, regionPrefix: b.segment.region, runId: null, leaseUntil: null };
      await c.insertOne(doc);
      return toBroadcast(doc);
    },
    async get(id) {
      const doc = await c.findOne({ _id: id });
      return doc ? toBroadcast(doc) : null;
    },
    async list(regionPrefix, filter, cursor, limit) {
      const docs = await c
        .find({ regionPrefix: { $regex: `^${regionPrefix}` }, ...(filter.status ? { status: filter.status } : {}), ...(cursor ? { _id: { $lt: cursor } } : {}) })
        .sort({ _id: -1 })
        .limit(limit + 1)
        .toArray();
      const items = docs.slice(0, limit).map(toBroadcast);
      return { items, nextCursor: docs.length > limit ? items.at(-1)!.id : null };
    },
    async edit(id, version, changes, unset) {
      const set: Record<string, unknown> = { ...changes };
      if (changes.segment) set.regionPrefix = changes.segment.region;
      const doc = await c.findOneAndUpdate(
        { _id: id, version, status: 'draft' },
        { $set: set, $inc: { version: 1 }, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, ''])) } : {}) },
        after,
      );
      return doc ? toBroadcast(doc) : null;
    },
    async move(id, from, to, set = {}) {
      const { id: _id, ...fields } = set;
      const doc = await c.findOneAndUpdate({ _id: id, status: { $in: [...from] } }, { $set: { ...fields, status: to }, $inc: { version: 1 } }, after);
      return doc ? toBroadcast(doc) : null;
    },
    async inc(id, incs) {
      const nonZero = Object.fromEntries(Object.entries(incs).filter(([, n]) => n !== 0));
      if (Object.keys(nonZero).length) await c.updateOne({ _id: id }, { $inc: nonZero });
    },
    async markFannedOut(id, total) {
      await c.updateOne({ _id: id }, { $set: { total, fannedOut: true } });
    },
    async setCounters(id, counters) {
      await c.updateOne({ _id: id }, { $set: counters });
    },
    async takeLease(id, runId, leaseMs) {
      const now = new Date();
      const before = await c.findOneAndUpdate(
        { _id: id, $or: [{ runId: null }, { runId }, { leaseUntil: { $lt: now } }] },
        { $set: { runId, leaseUntil: new Date(now.getTime() + leaseMs) } },
        { returnDocument: 'before' },
      );
      return before ? { taken: true, previousRun: before.runId && before.runId !== runId ? before.runId : null } : { taken: false, previousRun: null };
    },
    async releaseLease(id, runId) {
      await c.updateOne({ _id: id, runId }, { $set: { runId: null, leaseUntil: null } });
    },
    async leaseFree(id) {
      return (await c.countDocuments({ _id: id, $or: [{ runId: null }, { leaseUntil: { $lt: new Date() } }] })) === 1;
    },
    async offeringSession(sessionId) {
      return (await c.find({ sessionId }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    },
    async due(now, limit) {
      const docs = await c
        .find({ $or: [{ status: 'scheduled', sendAt: { $lte: now } }, { status: 'sending' }] })
        .limit(limit)
        .toArray();
      return docs.map(toBroadcast);
    },
  };
}
