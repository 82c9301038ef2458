import { Schema, type Connection } from 'mongoose';
import type { SimOutbox } from '../../channels/ports.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import { typedCollection } from './typedCollection.ts';

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

export function createSimOutbox(connection: Connection, cipher: PiiCipher, now: () => Date): SimOutbox {
  const outbox = typedCollection<OutboxDoc>(connection, 'SimOutbox', schema);
  return {
    async send(_channel, userId, messages) {
      await outbox.insertOne({ userId, at: now(), sealed: cipher.encrypt(JSON.stringify(messages)) });
      return { ok: true };
    },
    async take(userId, limit = 50) {
      const docs = await outbox.find({ userId }).sort({ at: 1, _id: 1 }).limit(limit).toArray();
      if (docs.length === 0) return [];
      // Delete exactly what was read; a push arriving meanwhile stays for the next fetch.
      await outbox.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      return docs.flatMap((d) => JSON.parse(cipher.decrypt(d.sealed)) as OutboundMessage[]);
    },
  };
}
