import { Schema, type Connection } from 'mongoose';
import type { DeliveryClaimStore } from '../../channels/ports.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Who answers a message when its turn outlived the 5-second budget and WeChat retried it meanwhile: the first
 * request goes on to send a customer-service message, the retry may get the replies in time for a passive
 * answer. Exactly one of them may deliver. `wechat_deliveries` holds one document per message that took the slow
 * path or was retried, never for the ordinary fast answer:
 *
 * - the slow path claims `cs` with an insert; a duplicate key means someone already answered, so it sends nothing;
 * - a retry answering passively claims `passive` unless `cs` is there (then it answers "success"). Several passive
 *   claims may succeed: WeChat keeps only the response to its latest attempt, so they cannot reach the user twice.
 *
 * Message ids are WeChat's MsgId (digits) or ids the inbound parser builds from checked fields.
 */
interface ClaimDoc {
  _id: string;
  mode: 'cs' | 'passive';
  at: Date;
}
const schema = new Schema<ClaimDoc>({ _id: String, mode: { type: String, required: true }, at: { type: Date, required: true } }, { collection: 'wechat_deliveries', versionKey: false, _id: false });
schema.index({ at: 1 }, { expireAfterSeconds: 2 * 86_400 });

export function createMongoDeliveryClaims(connection: Connection, appId: string): DeliveryClaimStore {
  const claims = typedCollection<ClaimDoc>(connection, 'WechatDelivery', schema);
  const key = (messageId: string) => `${appId}:${messageId}`;
  return {
    async claimCustomerService(messageId, now) {
      try {
        await claims.insertOne({ _id: key(messageId), mode: 'cs', at: now });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async claimPassive(messageId, now) {
      try {
        await claims.updateOne({ _id: key(messageId), mode: { $ne: 'cs' } }, { $set: { mode: 'passive', at: now } }, { upsert: true });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async purgeOlderThan(cutoff) {
      const r = await claims.deleteMany({ at: { $lt: cutoff } });
      return r.deletedCount ?? 0;
    },
  };
}
