import { Schema, type Connection } from 'mongoose';
import type { DigestItem, ReminderStore } from '../../app/ports/reminders.ts';
import type { Mute, MuteKind, Reminder, ReminderStatus } from '../../domain/reminders/reminder.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Collections `reminders` (one document per key), `reminder_sent` (the send claims: a unique _id per key),
 * `reminder_daily` (one counter per worker and China day), `reminder_digests` and `reminder_mutes`.
 */
interface ReminderDoc extends Omit<Reminder, 'key'> {
  _id: string;
}
interface ClaimDoc {
  _id: string;
  at: Date;
}
interface DailyDoc {
  _id: string;
  count: number;
  at: Date;
}
interface DigestDoc {
  _id: string;
  workerId: string;
  channel: string;
  userId: string;
  day: string;
  items: DigestItem[];
  sendAt: Date;
  status: 'pending' | 'sent';
}
interface MuteDoc extends Mute {
  _id: string;
}

const opts = { versionKey: false, _id: false, strict: false } as const;
const reminderSchema = new Schema<ReminderDoc>({ _id: String }, { ...opts, collection: 'reminders' });
reminderSchema.index({ status: 1, sendAt: 1 });
reminderSchema.index({ kind: 1, subject: 1, status: 1 });
reminderSchema.index({ regionCode: 1 });
const claimSchema = new Schema<ClaimDoc>({ _id: String }, { ...opts, collection: 'reminder_sent' });
const dailySchema = new Schema<DailyDoc>({ _id: String }, { ...opts, collection: 'reminder_daily' });
dailySchema.index({ at: 1 }, { expireAfterSeconds: 3 * 86_400 });
const digestSchema = new Schema<DigestDoc>({ _id: String }, { ...opts, collection: 'reminder_digests' });
digestSchema.index({ status: 1, sendAt: 1 });
const muteSchema = new Schema<MuteDoc>({ _id: String }, { ...opts, collection: 'reminder_mutes' });
muteSchema.index({ workerId: 1 });

const toReminder = ({ _id, ...rest }: ReminderDoc): Reminder => ({ key: _id, ...rest });
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createMongoReminderStore(connection: Connection): ReminderStore {
  const reminders = typedCollection<ReminderDoc>(connection, 'Reminder', reminderSchema);
  const claims = typedCollection<ClaimDoc>(connection, 'ReminderSent', claimSchema);
  const daily = typedCollection<DailyDoc>(connection, 'ReminderDaily', dailySchema);
  const digests = typedCollection<DigestDoc>(connection, 'ReminderDigest', digestSchema);
  const mutes = typedCollection<MuteDoc>(connection, 'ReminderMute', muteSchema);

  const store: ReminderStore = {
    async schedule(r) {
      const { key, ...fields } = r;
      try {
        // A sent reminder is never rescheduled: the filter leaves it out and the upsert then collides with it.
        await reminders.updateOne(
          { _id: key, status: { $ne: 'sent' } },
          { $set: { ...fields, status: 'scheduled', reason: null, sentAt: null } },
          { upsert: true },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    },

    async cancel(kind, subject) {
      const r = await reminders.updateMany({ kind, subject, status: 'scheduled' }, { $set: { status: 'cancelled', reason: 'factsChanged' } });
      return r.modifiedCount;
    },

    async cancelFor(kind, subject, workerId) {
      const r = await reminders.updateMany({ kind, subject, workerId, status: 'scheduled' }, { $set: { status: 'cancelled', reason: 'factsChanged' } });
      return r.modifiedCount;
    },

    async due(now, limit) {
      return (await reminders.find({ status: 'scheduled', sendAt: { $lte: now } }).sort({ sendAt: 1 }).limit(limit).toArray()).map(toReminder);
    },

    async get(key) {
      const d = await reminders.findOne({ _id: key });
      return d ? toReminder(d) : null;
    },

    async postpone(key, sendAt) {
      await reminders.updateOne({ _id: key, status: 'scheduled' }, { $set: { sendAt } });
    },

    async claim(key, now) {
      try {
        await claims.insertOne({ _id: key, at: now });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },

    async claimMany(keys, now) {
      if (keys.length === 0) return new Set();
      try {
        await claims.insertMany(keys.map((k) => ({ _id: k, at: now })), { ordered: false });
        return new Set(keys);
      } catch (err) {
        const e = err as { writeErrors?: unknown };
        if (e.writeErrors === undefined) throw err;
        const errors = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { index: number; code: number }[];
        if (errors.some((w) => w.code !== 11000)) throw err;
        const lost = new Set(errors.map((w) => w.index));
        return new Set(keys.filter((_, i) => !lost.has(i)));
      }
    },

    async finishMany(items, at) {
      if (items.length === 0) return;
      await reminders.bulkWrite(
        items.map((i) => ({ updateOne: { filter: { _id: i.key }, update: { $set: { status: i.status, reason: i.reason, ...(i.status === 'sent' ? { sentAt: at } : {}) } } } })),
        { ordered: false },
      );
    },

    async mutesOf(workerIds) {
      if (workerIds.length === 0) return [];
      return (await mutes.find({ workerId: { $in: [...new Set(workerIds)] } }).toArray()).map(({ _id: _i, ...m }) => ({ ...m, kind: m.kind as MuteKind }));
    },

    async finish(key, status: Exclude<ReminderStatus, 'scheduled'>, reason, at) {
      await reminders.updateOne({ _id: key }, { $set: { status, reason, ...(status === 'sent' ? { sentAt: at } : {}) } });
    },

    async takeDailySlot(workerId, day, cap) {
      const id = `${workerId}|${day}`;
      const r = await daily.updateOne({ _id: id, count: { $lt: cap } }, { $inc: { count: 1 } });
      if (r.matchedCount === 1) return true;
      try {
        await daily.insertOne({ _id: id, count: 1, at: new Date() });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Created meanwhile by another instance: try once more against it.
        return (await daily.updateOne({ _id: id, count: { $lt: cap } }, { $inc: { count: 1 } })).matchedCount === 1;
      }
    },

    async takeDailySlots(requests, day) {
      // Most workers have no counter yet today: one read finds those, one insert creates their counters with the
      // slots granted; a worker who has one (or whose counter another instance created meanwhile) takes the
      // conditional increment one slot at a time. Ten thousand reminders cost a few round trips per hundred.
      const granted = requests.map(() => false);
      if (requests.length === 0) return granted;
      const ids = [...new Set(requests.map((r) => `${r.workerId}|${day}`))];
      const existing = new Set((await daily.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
      const fresh = new Map<string, { count: number; indexes: number[] }>();
      requests.forEach((r, i) => {
        const id = `${r.workerId}|${day}`;
        if (existing.has(id)) return;
        const f = fresh.get(id) ?? { count: 0, indexes: [] };
        if (f.count < r.cap) {
          f.count++;
          f.indexes.push(i);
        }
        fresh.set(id, f);
      });
      const docs = [...fresh].filter(([, f]) => f.count > 0).map(([_id, f]) => ({ _id, count: f.count, at: new Date() }));
      let lost = new Set<string>();
      if (docs.length > 0) {
        try {
          await daily.insertMany(docs, { ordered: false });
        } catch (err) {
          const e = err as { writeErrors?: unknown };
          if (e.writeErrors === undefined) throw err;
          const errors = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as { index: number; code: number }[];
          if (errors.some((w) => w.code !== 11000)) throw err;
          lost = new Set(errors.map((w) => docs[w.index]!._id));
        }
      }
      for (const [id, f] of fresh) if (!lost.has(id)) for (const i of f.indexes) granted[i] = true;
      for (let i = 0; i < requests.length; i++) {
        const id = `${requests[i]!.workerId}|${day}`;
        if (existing.has(id) || lost.has(id)) granted[i] = await store.takeDailySlot(requests[i]!.workerId, day, requests[i]!.cap);
      }
      return granted;
    },

    async addToDigest(who, day, item, sendAt) {
      const id = `${who.workerId}|${day}`;
      await digests.updateOne(
        { _id: id },
        { $push: { items: item }, $setOnInsert: { ...who, day, sendAt, status: 'pending' } },
        { upsert: true },
      );
    },

    async takeDueDigests(now, limit) {
      const due = await digests.find({ status: 'pending', sendAt: { $lte: now } }).limit(limit).toArray();
      const out = [];
      for (const d of due) {
        const taken = await digests.findOneAndUpdate({ _id: d._id, status: 'pending' }, { $set: { status: 'sent' } }, { returnDocument: 'after' });
        if (taken) out.push({ id: taken._id, workerId: taken.workerId, channel: taken.channel, userId: taken.userId, items: taken.items });
      }
      return out;
    },

    async mute(m) {
      await mutes.updateOne({ _id: `${m.workerId}|${m.kind}` }, { $set: { ...m } }, { upsert: true });
    },

    async unmuteAll(workerId) {
      return (await mutes.deleteMany({ workerId })).deletedCount ?? 0;
    },

    async mutes(workerId) {
      return (await mutes.find({ workerId }).toArray()).map(({ _id: _i, ...m }) => ({ ...m, kind: m.kind as MuteKind }));
    },

    async summary(regionPrefix, range = {}) {
      const dueAt = { ...(range.from ? { $gte: range.from } : {}), ...(range.to ? { $lt: range.to } : {}) };
      const rows = await reminders
        .aggregate<{ _id: { kind: string; status: ReminderStatus; reason: string | null }; count: number }>([
          { $match: { regionCode: { $regex: `^${escapeRegex(regionPrefix)}` }, ...(range.from || range.to ? { dueAt } : {}) } },
          { $group: { _id: { kind: '$kind', status: '$status', reason: '$reason' }, count: { $sum: 1 } } },
        ])
        .toArray();
      return rows
        .map((r) => ({ kind: r._id.kind, status: r._id.status, reason: r._id.reason ?? null, count: r.count }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.status.localeCompare(b.status) || String(a.reason).localeCompare(String(b.reason)));
    },
  };
  return store;
}
