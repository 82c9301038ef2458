import { Schema, type Connection } from 'mongoose';
import { TEMPLATE_ID, type Grant, type MpSubscriptionStore, type SubscriptionDoc } from '../../channels/ports.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * One-time subscribe messages (一次性订阅消息), one document per user in `mp_subscriptions`. Every "accept" the
 * user gives in wx.requestSubscribeMessage allows one message of that template; WeChat keeps the count, and so do
 * we, so the sender knows before calling whether a send can succeed. Counts change only by single-document atomic
 * updates (`$inc` guarded by `remaining > 0`), so instances sending at once never spend one grant twice.
 *
 * Template ids are keys of `templates`; they are checked against TEMPLATE_ID (no dots, no `$`) before use.
 */
const schema = new Schema<SubscriptionDoc>(
  {
    _id: { type: String, required: true },
    templates: { type: Schema.Types.Mixed, default: {} },
    refusals: { type: Number, default: 0 },
    lastRefusal: { type: Schema.Types.Mixed, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'mp_subscriptions', versionKey: false, _id: false, minimize: false },
);

export function createMongoMpSubscriptions(connection: Connection): MpSubscriptionStore {
  const subscriptions = typedCollection<SubscriptionDoc>(connection, 'MpSubscription', schema);
  const path = (templateId: string, field: keyof Grant) => {
    if (!TEMPLATE_ID.test(templateId)) throw new Error(`not a subscribe template id: ${JSON.stringify(templateId.slice(0, 80))}`);
    return `templates.${templateId}.${field}`;
  };

  return {
    async record(openid, results, now) {
      const inc: Record<string, number> = {};
      const set: Record<string, unknown> = { updatedAt: now };
      for (const [templateId, result] of Object.entries(results)) {
        set[path(templateId, 'lastResult')] = result;
        set[path(templateId, 'updatedAt')] = now;
        if (result === 'accept') {
          inc[path(templateId, 'remaining')] = 1;
          inc[path(templateId, 'accepted')] = 1;
          set[path(templateId, 'blocked')] = false;
        } else if (result === 'reject') {
          // Earlier grants stay valid: a "no" now does not take back a "yes" given before.
          inc[path(templateId, 'rejected')] = 1;
        } else {
          set[path(templateId, 'blocked')] = true;
        }
      }
      await subscriptions.updateOne(
        { _id: openid },
        { $set: set, ...(Object.keys(inc).length ? { $inc: inc } : {}), $setOnInsert: { refusals: 0, lastRefusal: null } },
        { upsert: true },
      );
    },

    async view(openid, templateIds) {
      const doc = await subscriptions.findOne({ _id: openid });
      return templateIds.map((templateId) => {
        const g = doc?.templates?.[templateId];
        return { templateId, remaining: g && !g.blocked ? Math.max(0, g.remaining ?? 0) : 0, lastResult: g?.lastResult ?? null };
      });
    },

    async spend(openid, templateIds, now) {
      const doc = await subscriptions.findOne({ _id: openid });
      if (!doc) return null;
      const candidates = templateIds.filter((t) => TEMPLATE_ID.test(t) && (doc.templates?.[t]?.remaining ?? 0) > 0 && !doc.templates?.[t]?.blocked);
      for (const templateId of candidates) {
        const r = await subscriptions.updateOne(
          { _id: openid, [path(templateId, 'remaining')]: { $gt: 0 }, [path(templateId, 'blocked')]: { $ne: true } },
          { $inc: { [path(templateId, 'remaining')]: -1 }, $set: { updatedAt: now } },
        );
        if (r.modifiedCount === 1) return templateId;
      }
      return null;
    },

    async giveBack(openid, templateId, now) {
      await subscriptions.updateOne({ _id: openid }, { $inc: { [path(templateId, 'remaining')]: 1 }, $set: { updatedAt: now } });
    },

    async exhaust(openid, templateId, now) {
      await subscriptions.updateOne({ _id: openid }, { $set: { [path(templateId, 'remaining')]: 0, updatedAt: now } });
    },

    async recordRefusal(openid, reason, templateId, now) {
      await subscriptions.updateOne(
        { _id: openid },
        { $inc: { refusals: 1 }, $set: { lastRefusal: { at: now, reason, templateId }, updatedAt: now }, $setOnInsert: { templates: {} } },
        { upsert: true },
      );
    },

    async raw(openid) {
      return subscriptions.findOne({ _id: openid });
    },
  };
}
