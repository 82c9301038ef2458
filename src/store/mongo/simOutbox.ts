import { Schema, type Connection } from 'mongoose';
import type { OutboundMessage } from '../../engine/types.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import type { Sender } from '../../app/ports/sender.ts';
import { modelOf } from './connection.ts';

/**
 * The web simulator has no platform to push to, so pushes wait here until the page (or a test) fetches them:
 * the simulator's side of the Sender port. Sealed like every stored message text.
 */
interface OutboxDoc {
  userId: string;
  at: Date;
  sealed: string;
}
const schema = new Schema<OutboxDoc>({ userId: { type: String, required: true }, at: { type: Date, required: true }, sealed: { type: String, required: true } }, { collection: 'sim_outbox', versionKey: false });
schema.index({ userId: 1, at: 1 });

export interface SimOutbox extends Sender {
  /** Take the pending pushes of a user (oldest first) and remove them. */
  take(userId: string, limit?: number): Promise<OutboundMessage[]>;
}

export function createSimOutbox(connection: Connection, cipher: PiiCipher, now: () => Date): SimOutbox {
  const Model = modelOf<OutboxDoc>(connection, 'SimOutbox', schema);
  return {
    async send(_channel, userId, messages) {
      await Model.collection.insertOne({ userId, at: now(), sealed: cipher.encrypt(JSON.stringify(messages)) } as never);
      return { ok: true };
    },
    async take(userId, limit = 50) {
      const docs = await Model.collection.find({ userId }).sort({ at: 1, _id: 1 }).limit(limit).toArray();
      if (docs.length === 0) return [];
      // Delete exactly what was read; a push arriving meanwhile stays for the next fetch.
      await Model.collection.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      return docs.flatMap((d) => JSON.parse(cipher.decrypt(String(d.sealed))) as OutboundMessage[]);
    },
  };
}
