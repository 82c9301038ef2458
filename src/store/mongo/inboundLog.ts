import { Schema, type Connection } from 'mongoose';
import type { InboundLog } from '../../app/ports/inboundLog.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

interface InboundDoc {
  _id: string;
  createdAt: Date;
}

const inboundSchema = (ttlSeconds: number) => {
  const schema = new Schema<InboundDoc>({ _id: String, createdAt: { type: Date, required: true } }, { collection: 'inbound_messages', versionKey: false, _id: false });
  schema.index({ createdAt: 1 }, { expireAfterSeconds: ttlSeconds });
  return schema;
};

/**
 * Unique (channel, messageId) by _id; expiring by a TTL index, and by the housekeeping job on servers that do not
 * honour TTL indexes (the embedded one does not). One insert per inbound message, on the native collection.
 */
export function createMongoInboundLog(connection: Connection, ttlSeconds: number): InboundLog {
  const collection = typedCollection<InboundDoc>(connection, 'InboundMessage', inboundSchema(ttlSeconds));
  const key = (channel: string, messageId: string) => `${channel}:${messageId}`;
  return {
    async claim(channel, messageId, now) {
      try {
        await collection.insertOne({ _id: key(channel, messageId), createdAt: now });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async abandon(channel, messageId) {
      await collection.deleteOne({ _id: key(channel, messageId) });
    },
    async seen(channel, messageId) {
      return (await collection.countDocuments({ _id: key(channel, messageId) }, { limit: 1 })) > 0;
    },
    async purgeOlderThan(cutoff) {
      const r = await collection.deleteMany({ createdAt: { $lt: cutoff } });
      return r.deletedCount ?? 0;
    },
  };
}
