import { Schema, type Connection } from 'mongoose';
import type { OutboundMessage } from '../../engine/types.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import type { InboundBegin, InboundLog } from '../../app/ports/inboundLog.ts';
import { isDuplicateKey, modelOf, trusted } from './connection.ts';

interface InboundDoc {
  _id: string;
  status: 'processing' | 'done';
  createdAt: Date;
  /** Replies of the finished turn, sealed (they can echo personal data back to the user). */
  replies: string | null;
}

const inboundSchema = (ttlSeconds: number) => {
  const schema = new Schema<InboundDoc>(
  {
    _id: String,
    status: { type: String, required: true },
    createdAt: { type: Date, required: true },
    replies: { type: String, default: null },
  },
  { collection: 'inbound_messages', versionKey: false, _id: false },
  );
  schema.index({ createdAt: 1 }, { expireAfterSeconds: ttlSeconds });
  return schema;
};

/** Unique (channel, messageId) by _id; expiring by a TTL index, and by the housekeeping job where TTL is not honoured. */
export function createMongoInboundLog(connection: Connection, cipher: PiiCipher, ttlSeconds: number): InboundLog {
  const Model = modelOf<InboundDoc>(connection, 'InboundMessage', inboundSchema(ttlSeconds));
  const key = (channel: string, messageId: string) => `${channel}:${messageId}`;

  const read = async (id: string): Promise<InboundBegin> => {
    const doc = await Model.findById(id).lean();
    if (!doc) return { kind: 'new' };
    if (doc.status === 'done') return { kind: 'done', replies: doc.replies ? (JSON.parse(cipher.decrypt(doc.replies)) as OutboundMessage[]) : [] };
    return { kind: 'processing' };
  };

  return {
    async begin(channel, messageId, now) {
      try {
        await Model.create({ _id: key(channel, messageId), status: 'processing', createdAt: now, replies: null });
        return { kind: 'new' };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const seen = await read(key(channel, messageId));
        // Deleted between our insert and our read (abandoned by a failed turn): treat as seen-and-processing.
        return seen.kind === 'new' ? { kind: 'processing' } : seen;
      }
    },
    async complete(channel, messageId, replies) {
      await Model.updateOne({ _id: key(channel, messageId) }, { $set: { status: 'done', replies: cipher.encrypt(JSON.stringify(replies)) } });
    },
    async abandon(channel, messageId) {
      await Model.deleteOne({ _id: key(channel, messageId) });
    },
    peek: (channel, messageId) => read(key(channel, messageId)),
    async purgeOlderThan(cutoff) {
      const r = await Model.deleteMany({ createdAt: trusted({ $lt: cutoff }) });
      return r.deletedCount ?? 0;
    },
  };
}
