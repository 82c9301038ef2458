import { Schema, type Connection } from 'mongoose';
import { isDuplicateKey, modelOf } from '../../store/mongo/connection.ts';

/**
 * Who answers a message when its turn outlived the 5-second budget and WeChat retried it meanwhile: the first
 * request goes on to send a customer-service message, the retry may get the replies in time for a passive
 * answer. Exactly one of them may deliver. `wechat_deliveries` holds one document per message that took the slow
 * path or was retried, never for the ordinary fast answer:
 *
 * - the slow path claims `cs` with an insert; a duplicate key means someone already answered, so it sends nothing;
 * - a retry answering passively claims `passive` unless `cs` is there (then it answers "success"). Several passive
 *   claims may succeed: WeChat keeps only the response to its latest attempt, so they cannot reach the user twice.
 */
interface ClaimDoc {
  _id: string;
  mode: 'cs' | 'passive';
  at: Date;
}
const schema = new Schema<ClaimDoc>({ _id: String, mode: { type: String, required: true }, at: { type: Date, required: true } }, { collection: 'wechat_deliveries', versionKey: false, _id: false });
schema.index({ at: 1 }, { expireAfterSeconds: 2 * 86_400 });

export function createDeliveryClaims(connection: Connection, appId: string) {
  const Model = modelOf<ClaimDoc>(connection, 'WechatDelivery', schema);
  const key = (messageId: string) => `${appId}:${messageId}`;
  return {
    /** The slow path may send its customer-service message; false when a passive answer (or another sender) won. */
    async claimCustomerService(messageId: string, now: Date): Promise<boolean> {
      try {
        await Model.collection.insertOne({ _id: key(messageId), mode: 'cs', at: now } as never);
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** A retry may answer passively; false when the slow path has claimed the answer for itself. */
    async claimPassive(messageId: string, now: Date): Promise<boolean> {
      try {
        await Model.collection.updateOne({ _id: key(messageId) as never, mode: { $ne: 'cs' } }, { $set: { mode: 'passive', at: now } }, { upsert: true });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    /** For servers that do not honour TTL indexes (the embedded one): call from a housekeeping job. */
    async purgeOlderThan(cutoff: Date): Promise<number> {
      const r = await Model.collection.deleteMany({ at: { $lt: cutoff } });
      return r.deletedCount ?? 0;
    },
  };
}

export type DeliveryClaims = ReturnType<typeof createDeliveryClaims>;
