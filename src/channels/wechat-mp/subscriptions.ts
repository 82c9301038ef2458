import { Schema, type Connection } from 'mongoose';
import { modelOf } from '../../store/mongo/connection.ts';

/**
 * One-time subscribe messages (一次性订阅消息), one document per user in `mp_subscriptions`. Every "accept" the
 * user gives in wx.requestSubscribeMessage allows one message of that template; WeChat keeps the count, and so do
 * we, so the sender knows before calling whether a send can succeed. Counts change only by single-document atomic
 * updates (`$inc` guarded by `remaining > 0`), so instances sending at once never spend one grant twice.
 *
 * Template ids are keys of `templates`; they are checked against TEMPLATE_ID (no dots, no `$`) before use.
 */
export const TEMPLATE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const SUBSCRIBE_RESULTS = ['accept', 'reject', 'ban', 'filter'] as const;
export type SubscribeResult = (typeof SUBSCRIBE_RESULTS)[number];

interface Grant {
  remaining: number;
  accepted: number;
  rejected: number;
  /** 'ban' (the template is banned by WeChat) or 'filter' (filtered as a duplicate title): no send will work. */
  blocked: boolean;
  lastResult: SubscribeResult;
  updatedAt: Date;
}

interface SubscriptionDoc {
  _id: string;
  templates: Record<string, Grant>;
  /** Sends that could not be made for want of a grant (or that WeChat refused as unauthorised). */
  refusals: number;
  lastRefusal: { at: Date; reason: string; templateId: string | null } | null;
  updatedAt: Date;
}

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

export interface GrantView {
  templateId: string;
  remaining: number;
  lastResult: SubscribeResult | null;
}

export interface MpSubscriptions {
  /** Record the results of one wx.requestSubscribeMessage call. */
  record(openid: string, results: Record<string, SubscribeResult>, now: Date): Promise<void>;
  /** The grants of `templateIds` (in that order) for this user. */
  view(openid: string, templateIds: string[]): Promise<GrantView[]>;
  /** Take one grant of the first template (in the given order) that has one; the template id, or null. */
  spend(openid: string, templateIds: string[], now: Date): Promise<string | null>;
  /** Give a grant back (the send failed before WeChat used it). */
  giveBack(openid: string, templateId: string, now: Date): Promise<void>;
  /** WeChat says there is no grant (43101): our count was wrong, set it to zero. */
  exhaust(openid: string, templateId: string, now: Date): Promise<void>;
  recordRefusal(openid: string, reason: string, templateId: string | null, now: Date): Promise<void>;
  raw(openid: string): Promise<SubscriptionDoc | null>;
}

export function createMpSubscriptions(connection: Connection): MpSubscriptions {
  const Model = modelOf<SubscriptionDoc>(connection, 'MpSubscription', schema);
  const coll = () => Model.collection;
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
      await coll().updateOne(
        { _id: openid as never },
        { $set: set, ...(Object.keys(inc).length ? { $inc: inc } : {}), $setOnInsert: { refusals: 0, lastRefusal: null } },
        { upsert: true },
      );
    },

    async view(openid, templateIds) {
      const doc = (await coll().findOne({ _id: openid as never })) as SubscriptionDoc | null;
      return templateIds.map((templateId) => {
        const g = doc?.templates?.[templateId];
        return { templateId, remaining: g && !g.blocked ? Math.max(0, g.remaining ?? 0) : 0, lastResult: g?.lastResult ?? null };
      });
    },

    async spend(openid, templateIds, now) {
      const doc = (await coll().findOne({ _id: openid as never })) as SubscriptionDoc | null;
      if (!doc) return null;
      const candidates = templateIds.filter((t) => TEMPLATE_ID.test(t) && (doc.templates?.[t]?.remaining ?? 0) > 0 && !doc.templates?.[t]?.blocked);
      for (const templateId of candidates) {
        const r = await coll().updateOne(
          { _id: openid as never, [path(templateId, 'remaining')]: { $gt: 0 }, [path(templateId, 'blocked')]: { $ne: true } },
          { $inc: { [path(templateId, 'remaining')]: -1 }, $set: { updatedAt: now } },
        );
        if (r.modifiedCount === 1) return templateId;
      }
      return null;
    },

    async giveBack(openid, templateId, now) {
      await coll().updateOne({ _id: openid as never }, { $inc: { [path(templateId, 'remaining')]: 1 }, $set: { updatedAt: now } });
    },

    async exhaust(openid, templateId, now) {
      await coll().updateOne({ _id: openid as never }, { $set: { [path(templateId, 'remaining')]: 0, updatedAt: now } });
    },

    async recordRefusal(openid, reason, templateId, now) {
      await coll().updateOne(
        { _id: openid as never },
        { $inc: { refusals: 1 }, $set: { lastRefusal: { at: now, reason, templateId }, updatedAt: now }, $setOnInsert: { templates: {} } },
        { upsert: true },
      );
    },

    async raw(openid) {
      return (await coll().findOne({ _id: openid as never })) as SubscriptionDoc | null;
    },
  };
}
