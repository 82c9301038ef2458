import { Schema, type Connection } from 'mongoose';
import type { ReplayGuard } from '../../app/ports/replayGuard.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

interface NonceDoc {
  /** scope:timestamp:nonce; the _id makes the pair unique across instances with no extra index. */
  _id: string;
  digest: string;
  expiresAt: Date;
}

const schema = new Schema<NonceDoc>(
  { _id: String, digest: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { collection: 'signed_nonces', versionKey: false, _id: false },
);
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

/**
 * The replay guard on MongoDB: one insert per signed request; a duplicate key means the pair was seen, and one read
 * says whether with the same digest. Expiry by a TTL index on `expiresAt`, and by `purgeExpired` from the
 * housekeeping job on servers that do not honour TTL indexes (the embedded one does not).
 */
export function createMongoReplayGuard(connection: Connection): ReplayGuard {
  const nonces = typedCollection<NonceDoc>(connection, 'SignedNonce', schema);
  return {
    async claim(scope, timestamp, nonce, digest, expiresAt) {
      const _id = `${scope}:${timestamp}:${nonce}`;
      // A pair purged between the failed insert and the read is free again: insert once more.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await nonces.insertOne({ _id, digest, expiresAt });
          return 'first';
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
        const seen = await nonces.findOne({ _id }, { projection: { digest: 1 } });
        if (seen) return seen.digest === digest ? 'again' : 'reused';
      }
      throw new Error(`the nonce record ${_id} kept disappearing while it was claimed`);
    },
    async purgeExpired(now) {
      const r = await nonces.deleteMany({ expiresAt: { $lt: now } });
      return r.deletedCount ?? 0;
    },
  };
}
