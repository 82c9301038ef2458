import { Schema, type Connection } from 'mongoose';
import type { LoginThrottle } from '../../app/ports/accounts.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Failed logins per key, collection `login_throttle`: the newest failures as a capped, sorted array (a sliding
 * window log) and an optional lock. Recording a failure is ONE atomic update ($push with $each/$sort/$slice and an
 * upsert), so instances sharing the database never lose each other's counts; the caller reads the window from the
 * array the update returns. Documents idle for a day go by the TTL index on `updatedAt`.
 */
interface ThrottleDoc {
  _id: string;
  failures: Date[];
  lockedUntil?: Date;
  updatedAt: Date;
}

const schema = new Schema<ThrottleDoc>(
  {
    _id: String,
    failures: { type: [Date], default: [] },
    lockedUntil: Date,
    updatedAt: { type: Date, required: true },
  },
  { collection: 'login_throttle', versionKey: false, _id: false },
);
schema.index({ updatedAt: 1 }, { expireAfterSeconds: 86_400 });

function key(value: unknown): string {
  if (typeof value !== 'string' || value.length > 300) throw new TypeError('key must be a string of at most 300 characters');
  return value;
}

export function createMongoLoginThrottle(connection: Connection): LoginThrottle {
  const docs = typedCollection<ThrottleDoc>(connection, 'LoginThrottle', schema);
  return {
    async recordFailure(k, at, keep) {
      const doc = await docs.findOneAndUpdate(
        { _id: key(k) },
        { $push: { failures: { $each: [at], $sort: 1, $slice: -keep } }, $set: { updatedAt: at } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc?.failures ?? [at];
    },
    async state(k) {
      const doc = await docs.findOne({ _id: key(k) });
      return { failures: doc?.failures ?? [], lockedUntil: doc?.lockedUntil ?? null };
    },
    async lock(k, until) {
      // The failures that led to the lock are spent (the lock is their consequence); $max: of two instances locking
      // at once, the later end wins.
      await docs.updateOne({ _id: key(k) }, { $max: { lockedUntil: until }, $set: { failures: [], updatedAt: until } }, { upsert: true });
    },
    async clear(k) {
      await docs.deleteOne({ _id: key(k) });
    },
  };
}
