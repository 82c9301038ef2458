import { Schema, type Connection } from 'mongoose';
import { OPENID, type Reachability, type WechatUserDoc, type WechatUserStore, type WechatUsersSettings } from '../../channels/ports.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * What the bot may still send a WeChat user, one document per (app id, openid) in `wechat_users`:
 *
 * - A message (or a menu click, a follow, a QR scan) from the user opens a customer-service window of
 *   `csWindowHours` (48) with a fresh quota of `csQuota` (5) customer-service messages.
 * - Each customer-service message takes one unit, reserved atomically before the call (`$inc` guarded by the
 *   window and the quota), so several instances together never exceed the quota.
 * - WeChat's own verdicts are recorded: 45015 (out of window) closes the window, 45047 (quota) uses up the quota,
 *   43004 (unsubscribed) marks the user unsubscribed, as the unsubscribe event does.
 *
 * Only single-document atomic updates; no transactions.
 */

const schema = new Schema<WechatUserDoc>(
  {
    _id: String,
    appId: { type: String, required: true },
    openid: { type: String, required: true },
    subscribed: { type: Boolean, default: true },
    subscribedAt: { type: Date, default: null },
    unsubscribedAt: { type: Date, default: null },
    lastInboundAt: { type: Date, default: null },
    windowEndsAt: { type: Date, default: null },
    csSent: { type: Number, default: 0 },
    lastError: { type: Schema.Types.Mixed, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'wechat_users', versionKey: false, _id: false },
);
schema.index({ appId: 1, subscribed: 1 });

export function createMongoWechatUsers(connection: Connection, settings: WechatUsersSettings): WechatUserStore {
  const users = typedCollection<WechatUserDoc>(connection, 'WechatUser', schema);
  const windowMs = settings.csWindowHours * 3_600_000;
  const touchEveryMs = settings.touchEveryMs ?? 60_000;
  const key = (openid: string) => `${settings.appId}:${openid}`;
  /** openid → when this process last reopened the window in the database. Bounded. */
  const touched = new Map<string, number>();

  function checkOpenid(openid: string): void {
    if (!OPENID.test(openid)) throw new Error(`not a WeChat openid: ${JSON.stringify(openid.slice(0, 80))}`);
  }

  const base = (openid: string) => ({ appId: settings.appId, openid });

  return {
    /** The user interacted: reopen the window with a fresh quota (and they are evidently subscribed). */
    async touchInbound(openid: string, now: Date): Promise<void> {
      checkOpenid(openid);
      const last = touched.get(openid);
      if (last !== undefined && now.getTime() - last < touchEveryMs && now.getTime() >= last) return;
      await users.updateOne(
        { _id: key(openid) },
        {
          $set: { subscribed: true, lastInboundAt: now, windowEndsAt: new Date(now.getTime() + windowMs), csSent: 0, updatedAt: now },
          $setOnInsert: { ...base(openid), subscribedAt: now, unsubscribedAt: null, lastError: null },
        },
        { upsert: true },
      );
      if (touched.size >= 50_000) touched.clear();
      touched.set(openid, now.getTime());
    },

    async markSubscribed(openid: string, now: Date): Promise<void> {
      checkOpenid(openid);
      await users.updateOne(
        { _id: key(openid) },
        { $set: { subscribed: true, subscribedAt: now, unsubscribedAt: null, updatedAt: now }, $setOnInsert: { ...base(openid), lastInboundAt: null, windowEndsAt: null, csSent: 0, lastError: null } },
        { upsert: true },
      );
    },

    /** Unsubscribed (the event, or errcode 43004): nothing more is sent to this user until they follow again. */
    async markUnsubscribed(openid: string, now: Date, error?: { code: number; message: string }): Promise<void> {
      checkOpenid(openid);
      touched.delete(openid);
      await users.updateOne(
        { _id: key(openid) },
        {
          $set: { subscribed: false, unsubscribedAt: now, windowEndsAt: null, updatedAt: now, ...(error ? { lastError: { ...error, at: now } } : {}) },
          $setOnInsert: { ...base(openid), subscribedAt: null, lastInboundAt: null, csSent: 0, ...(error ? {} : { lastError: null }) },
        },
        { upsert: true },
      );
    },

    /** Take `n` units of the quota if the window is open and enough remain; false otherwise. */
    async reserveCs(openid: string, now: Date, n = 1): Promise<boolean> {
      checkOpenid(openid);
      const r = await users.updateOne(
        { _id: key(openid), subscribed: { $ne: false }, windowEndsAt: { $gt: now }, csSent: { $lte: settings.csQuota - n } },
        { $inc: { csSent: n }, $set: { updatedAt: now } },
      );
      return r.modifiedCount === 1;
    },

    /** Give back units reserved for messages that were not sent after all. */
    async releaseCs(openid: string, now: Date, n = 1): Promise<void> {
      checkOpenid(openid);
      await users.updateOne({ _id: key(openid), csSent: { $gte: n } }, { $inc: { csSent: -n }, $set: { updatedAt: now } });
    },

    /** WeChat's errcode for a send to this user, recorded so the next send does not try the same thing. */
    async recordError(openid: string, code: number, message: string, now: Date): Promise<void> {
      checkOpenid(openid);
      if (code === 43004) return this.markUnsubscribed(openid, now, { code, message });
      touched.delete(openid);
      const set: Partial<WechatUserDoc> = { lastError: { code, message, at: now }, updatedAt: now };
      if (code === 45015) set.windowEndsAt = now;
      if (code === 45047) set.csSent = settings.csQuota;
      await users.updateOne({ _id: key(openid) }, { $set: set, $setOnInsert: { ...base(openid), subscribed: true, subscribedAt: null, unsubscribedAt: null, lastInboundAt: null, ...(code === 45015 ? {} : { windowEndsAt: null }), ...(code === 45047 ? {} : { csSent: 0 }) } }, { upsert: true });
    },

    async get(openid: string): Promise<WechatUserDoc | null> {
      checkOpenid(openid);
      return await users.findOne({ _id: key(openid) });
    },

    async reachability(openid: string, now: Date): Promise<Reachability> {
      checkOpenid(openid);
      const doc = await users.findOne({ _id: key(openid) });
      if (!doc) return { canSendCs: false, remaining: 0, windowEndsAt: null, viaTemplate: settings.templatesConfigured };
      const open = doc.subscribed !== false && !!doc.windowEndsAt && doc.windowEndsAt.getTime() > now.getTime();
      const remaining = open ? Math.max(0, settings.csQuota - (doc.csSent ?? 0)) : 0;
      const canSendCs = remaining > 0;
      return { canSendCs, remaining, windowEndsAt: doc.windowEndsAt ?? null, viaTemplate: !canSendCs && doc.subscribed !== false && settings.templatesConfigured };
    },
  };
}
