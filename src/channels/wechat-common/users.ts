import { Schema, type Connection } from 'mongoose';
import { modelOf } from '../../store/mongo/connection.ts';

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

export interface WechatUserDoc {
  _id: string;
  appId: string;
  openid: string;
  subscribed: boolean;
  subscribedAt: Date | null;
  unsubscribedAt: Date | null;
  lastInboundAt: Date | null;
  windowEndsAt: Date | null;
  csSent: number;
  lastError: { code: number; message: string; at: Date } | null;
  updatedAt: Date;
}

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

export interface Reachability {
  /** A customer-service message may be sent now. */
  canSendCs: boolean;
  /** Customer-service messages left in the current window (0 outside it). */
  remaining: number;
  /** When the current window closes; null if the user never wrote. */
  windowEndsAt: Date | null;
  /** Outside the window, a template message is the way to reach this user (subscribed, and templates configured). */
  viaTemplate: boolean;
}

/** openids are 28 characters of base64url in practice; anything else is refused before it reaches a query. */
export const OPENID = /^[A-Za-z0-9_-]{6,64}$/;

export interface WechatUsersSettings {
  appId: string;
  csWindowHours: number;
  csQuota: number;
  /** Whether any template id is configured (it decides `viaTemplate`). */
  templatesConfigured: boolean;
  /**
   * A user's window is reopened in the database at most this often per process (default 60 s): a registration is
   * a burst of a dozen messages, and one write per message would cost the database as much as the turn. Skipping
   * only ever errs on the safe side (a window that ends up to this much earlier, a quota reset this much later).
   */
  touchEveryMs?: number;
}

export function createWechatUsers(connection: Connection, settings: WechatUsersSettings) {
  const Model = modelOf<WechatUserDoc>(connection, 'WechatUser', schema);
  const coll = () => Model.collection;
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
      await coll().updateOne(
        { _id: key(openid) as never },
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
      await coll().updateOne(
        { _id: key(openid) as never },
        { $set: { subscribed: true, subscribedAt: now, unsubscribedAt: null, updatedAt: now }, $setOnInsert: { ...base(openid), lastInboundAt: null, windowEndsAt: null, csSent: 0, lastError: null } },
        { upsert: true },
      );
    },

    /** Unsubscribed (the event, or errcode 43004): nothing more is sent to this user until they follow again. */
    async markUnsubscribed(openid: string, now: Date, error?: { code: number; message: string }): Promise<void> {
      checkOpenid(openid);
      touched.delete(openid);
      await coll().updateOne(
        { _id: key(openid) as never },
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
      const r = await coll().updateOne(
        { _id: key(openid) as never, subscribed: { $ne: false }, windowEndsAt: { $gt: now }, csSent: { $lte: settings.csQuota - n } },
        { $inc: { csSent: n }, $set: { updatedAt: now } },
      );
      return r.modifiedCount === 1;
    },

    /** Give back units reserved for messages that were not sent after all. */
    async releaseCs(openid: string, now: Date, n = 1): Promise<void> {
      checkOpenid(openid);
      await coll().updateOne({ _id: key(openid) as never, csSent: { $gte: n } }, { $inc: { csSent: -n }, $set: { updatedAt: now } });
    },

    /** WeChat's errcode for a send to this user, recorded so the next send does not try the same thing. */
    async recordError(openid: string, code: number, message: string, now: Date): Promise<void> {
      checkOpenid(openid);
      if (code === 43004) return this.markUnsubscribed(openid, now, { code, message });
      touched.delete(openid);
      const set: Record<string, unknown> = { lastError: { code, message, at: now }, updatedAt: now };
      if (code === 45015) set.windowEndsAt = now;
      if (code === 45047) set.csSent = settings.csQuota;
      await coll().updateOne({ _id: key(openid) as never }, { $set: set, $setOnInsert: { ...base(openid), subscribed: true, subscribedAt: null, unsubscribedAt: null, lastInboundAt: null, ...(code === 45015 ? {} : { windowEndsAt: null }), ...(code === 45047 ? {} : { csSent: 0 }) } }, { upsert: true });
    },

    async get(openid: string): Promise<WechatUserDoc | null> {
      checkOpenid(openid);
      return (await coll().findOne({ _id: key(openid) as never })) as WechatUserDoc | null;
    },

    async reachability(openid: string, now: Date): Promise<Reachability> {
      checkOpenid(openid);
      const doc = (await coll().findOne({ _id: key(openid) as never })) as WechatUserDoc | null;
      if (!doc) return { canSendCs: false, remaining: 0, windowEndsAt: null, viaTemplate: settings.templatesConfigured };
      const open = doc.subscribed !== false && !!doc.windowEndsAt && doc.windowEndsAt.getTime() > now.getTime();
      const remaining = open ? Math.max(0, settings.csQuota - (doc.csSent ?? 0)) : 0;
      const canSendCs = remaining > 0;
      return { canSendCs, remaining, windowEndsAt: doc.windowEndsAt ?? null, viaTemplate: !canSendCs && doc.subscribed !== false && settings.templatesConfigured };
    },
  };
}

export type WechatUsers = ReturnType<typeof createWechatUsers>;
