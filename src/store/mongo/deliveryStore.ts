import { Schema, type Connection } from 'mongoose';
import type { Answer } from '../../domain/broadcasts/broadcast.ts';
import { emptyCounts } from '../../domain/broadcasts/broadcast.ts';
import type { DeliveryStatus } from '../../domain/broadcasts/delivery.ts';
import type { DeliveryRecord, DeliveryStore, DeliveryTally } from '../../app/ports/broadcasts.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * `broadcast_deliveries`: `_id` = broadcast id + worker id, so a recipient has one delivery however often the
 * fan-out is resumed. (broadcastId, status, nextAt, seq) serves a run's batch reads, (channel, userId, at) a
 * reply finding the notice it answers.
 */
type DeliveryDoc = Omit<DeliveryRecord, 'id'> & { _id: string };

const schema = new Schema<DeliveryDoc>({ _id: String }, { collection: 'broadcast_deliveries', versionKey: false, _id: false, strict: false });
schema.index({ broadcastId: 1, status: 1, nextAt: 1, seq: 1 });
schema.index({ broadcastId: 1, seq: 1 });
schema.index({ channel: 1, userId: 1, at: -1 });

const toRecord = ({ _id, ...rest }: DeliveryDoc): DeliveryRecord => ({ id: _id, ...rest });

export function createMongoDeliveryStore(connection: Connection): DeliveryStore {
  const c = typedCollection<DeliveryDoc>(connection, 'BroadcastDelivery', schema);
  /** Notices that offered choices, sent to this chat after `since`, answered or not, newest first. */
  async function offered(channel: string, userId: string, since: Date, answered: boolean, broadcastId: string | undefined, limit: number): Promise<DeliveryRecord[]> {
    const filter = { channel, userId, status: 'sent' as const, offersChoices: true, answer: answered ? { $ne: null } : null, at: { $gte: since }, ...(broadcastId ? { broadcastId } : {}) };
    return (await c.find(filter).sort({ at: -1 }).limit(limit).toArray()).map(toRecord);
  }
  return {
    async insertMany(items) {
      if (items.length === 0) return 0;
      const docs: DeliveryDoc[] = items.map(({ id, ...rest }) => ({ _id: id, ...rest, status: 'pending', reason: null, attempts: 0, runId: null, answer: null, at: null }));
      try {
        return (await c.insertMany(docs, { ordered: false })).insertedCount;
      } catch (err) {
        // Those already there (a resumed fan-out) are refused one by one; the rest went in.
        const e = err as { code?: number; insertedCount?: number; writeErrors?: { code: number }[]; result?: { insertedCount?: number } };
        const dupOnly = isDuplicateKey(err) || (Array.isArray(e.writeErrors) && e.writeErrors.every((w) => w.code === 11000));
        if (!dupOnly) throw err;
        return e.insertedCount ?? e.result?.insertedCount ?? 0;
      }
    },
    count: (broadcastId) => c.countDocuments({ broadcastId }),
    async duePending(broadcastId, now, limit) {
      const docs = await c.find({ broadcastId, status: 'pending', nextAt: { $lte: now } }).sort({ nextAt: 1, seq: 1 }).limit(limit).toArray();
      return docs.map(toRecord);
    },
    async nextPendingAt(broadcastId) {
      const doc = await c.find({ broadcastId, status: 'pending' }).sort({ nextAt: 1 }).limit(1).next();
      return doc ? doc.nextAt : null;
    },
    async markSending(id, runId, now) {
      return (await c.updateOne({ _id: id, status: 'pending' }, { $set: { status: 'sending', runId, at: now } })).modifiedCount === 1;
    },
    async markSendingMany(ids, runId, now) {
      if (ids.length === 0) return [];
      const r = await c.updateMany({ _id: { $in: ids }, status: 'pending' }, { $set: { status: 'sending', runId, at: now } });
      if (r.modifiedCount === ids.length) return ids;
      // Some were moved meanwhile (a cancel): the ones this run holds are those now sending under its id.
      return (await c.find({ _id: { $in: ids }, status: 'sending', runId }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    },
    async finish(id, from, to, reason, now, extra = {}) {
      const r = await c.updateOne(
        { _id: id, status: from },
        { $set: { status: to, reason, at: now, ...(extra.nextAt ? { nextAt: extra.nextAt } : {}), ...(extra.detail ? { detail: extra.detail } : {}) }, ...(extra.attemptsInc ? { $inc: { attempts: extra.attemptsInc } } : {}) },
      );
      return r.modifiedCount === 1;
    },
    async finishMany(ids, from, to, reason, now, detail) {
      if (ids.length === 0) return 0;
      return (await c.updateMany({ _id: { $in: ids }, status: from }, { $set: { status: to, reason, at: now, ...(detail ? { detail } : {}) } })).modifiedCount;
    },
    async moveAll(broadcastId, from, to, reason, now, exceptRun) {
      const filter = { broadcastId, status: from, ...(exceptRun ? { runId: { $ne: exceptRun } } : {}) };
      // A resend after a crash is marked for good: the reason is overwritten when the resend succeeds, and the mark is
      // how a recipient's second message is accounted for.
      const resent = reason === 'resentAfterCrash' ? { resentAfterCrash: true } : {};
      return (await c.updateMany(filter, { $set: { status: to, reason, at: now, ...resent, ...(to === 'pending' ? { nextAt: now } : {}) } })).modifiedCount;
    },
    async tally(broadcastId) {
      const rows = await c
        .aggregate<{ _id: { status: DeliveryStatus; reason: string | null; answer: Answer | null }; n: number }>([
          { $match: { broadcastId } },
          { $group: { _id: { status: '$status', reason: '$reason', answer: '$answer' }, n: { $sum: 1 } } },
        ])
        .toArray();
      const t: DeliveryTally = { counts: emptyCounts(), skipped: {}, failed: {}, answers: { enrol: 0, waiting: 0, decline: 0 } };
      for (const { _id: k, n } of rows) {
        t.counts[k.status] += n;
        if (k.status === 'skipped' && k.reason) t.skipped[k.reason] = (t.skipped[k.reason] ?? 0) + n;
        if (k.status === 'failed' && k.reason) t.failed[k.reason] = (t.failed[k.reason] ?? 0) + n;
        if (k.answer) t.answers[k.answer] += n;
      }
      return t;
    },
    async list(broadcastId, filter, cursor, limit) {
      const docs = await c
        .find({ broadcastId, ...(filter.status ? { status: filter.status } : {}), ...(cursor !== undefined ? { seq: { $gt: cursor } } : {}) })
        .sort({ seq: 1 })
        .limit(limit + 1)
        .toArray();
      const items = docs.slice(0, limit).map(toRecord);
      return { items, nextCursor: docs.length > limit ? items.at(-1)!.seq : null };
    },
    async awaitingAnswer(channel, userId, since, broadcastId) {
      return (await offered(channel, userId, since, false, broadcastId, 1))[0] ?? null;
    },
    async answered(channel, userId, since, broadcastId) {
      return (await offered(channel, userId, since, true, broadcastId, 1))[0] ?? null;
    },
    listAwaiting: (channel, userId, since, limit) => offered(channel, userId, since, false, undefined, limit),
    async answeredOf(ids) {
      if (!ids.length) return [];
      return (await c.find({ _id: { $in: ids }, answer: { $ne: null } }).toArray()).map(toRecord);
    },
    async answer(id, answer, now) {
      return (await c.updateOne({ _id: id, answer: null }, { $set: { answer, answeredAt: now } })).modifiedCount === 1;
    },
    async changeAnswer(id, from, to, now) {
      return (await c.updateOne({ _id: id, answer: from }, { $set: { answer: to, answeredAt: now } })).modifiedCount === 1;
    },
  };
}
