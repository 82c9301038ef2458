import type { Sender } from '../app/ports/sender.ts';
import type { OutboundMessage } from '../engine/types.ts';

/**
 * The state channels keep about their users and their platform (who blocked the bot, WeChat's customer-service
 * window, access tokens, mini program sessions and subscribe grants, who answers a retried message). Declared
 * here rather than in app/ports because only channel adapters use them: no use case reads a WeChat window or a
 * Telegram block directly; they ask a channel's Reach (app/ports/reach.ts). Implemented in store/mongo/.
 *
 * The shape checks below are part of the contract: every store refuses (or ignores) a key that fails them before
 * it builds a query, which is what keeps input out of the raw driver filters (see store/mongo/typedCollection.ts).
 */

/** openids are 28 characters of base64url in practice; anything else is refused before it reaches a query. */
export const OPENID = /^[A-Za-z0-9_-]{6,64}$/;
/** A Telegram chat id as the sender and the update parser produce it. */
export const TELEGRAM_CHAT_ID = /^-?\d{1,16}$/;
/** Our mini program session token: `mps_` + 43 characters of base64url. */
export const SESSION_TOKEN = /^mps_[A-Za-z0-9_-]{43}$/;
/** Subscribe-message template ids: no dots, no `$` (they become field names). */
export const TEMPLATE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const SUBSCRIBE_RESULTS = ['accept', 'reject', 'ban', 'filter'] as const;
export type SubscribeResult = (typeof SUBSCRIBE_RESULTS)[number];

// ---- Telegram ----

/**
 * What the bot knows about reaching a Telegram chat. A 403 ("bot was blocked by the user", "user is
 * deactivated") or "chat not found" marks it unreachable; the next message from that chat marks it reachable.
 */
export interface TelegramUserStore {
  markUnreachable(chatId: string, reason: string, at: Date): Promise<void>;
  /** The chat wrote: reachable (again). Also makes the chat known. */
  markReachable(chatId: string, at: Date): Promise<void>;
  isUnreachable(chatId: string): Promise<boolean>;
  /** 'unknown' for a chat that never wrote (or an id that is not a chat id). */
  status(chatId: string): Promise<'reachable' | 'unreachable' | 'unknown'>;
}

// ---- WeChat (Official Account and Mini Program) ----

/** Where the access token is shared: MongoDB for the app, memory for one-off tools. */
export interface TokenStore {
  load(appId: string): Promise<{ accessToken: string; expiresAt: Date } | null>;
  save(appId: string, accessToken: string, expiresAt: Date, fetchedAt: Date): Promise<void>;
}

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

export interface WechatUsersSettings {
  appId: string;
  csWindowHours: number;
  csQuota: number;
  /** Whether any template id is configured (it decides `viaTemplate`). */
  templatesConfigured: boolean;
  /** A user's window is reopened in the database at most this often per process. Default 60 s. */
  touchEveryMs?: number;
}

/**
 * What the bot may still send a WeChat OA user: a message from the user opens a customer-service window of
 * `csWindowHours` with a quota of `csQuota` messages; each message reserves a unit atomically; WeChat's verdicts
 * (45015, 45047, 43004) are recorded. Every method throws on a string that is not an openid.
 */
export interface WechatUserStore {
  touchInbound(openid: string, now: Date): Promise<void>;
  markSubscribed(openid: string, now: Date): Promise<void>;
  markUnsubscribed(openid: string, now: Date, error?: { code: number; message: string }): Promise<void>;
  /** Take `n` units of the quota if the window is open and enough remain; false otherwise. */
  reserveCs(openid: string, now: Date, n?: number): Promise<boolean>;
  releaseCs(openid: string, now: Date, n?: number): Promise<void>;
  recordError(openid: string, code: number, message: string, now: Date): Promise<void>;
  get(openid: string): Promise<WechatUserDoc | null>;
  reachability(openid: string, now: Date): Promise<Reachability>;
}

/** Exactly one of the slow path (customer-service message) and a retry (passive answer) delivers a turn's replies. */
export interface DeliveryClaimStore {
  claimCustomerService(messageId: string, now: Date): Promise<boolean>;
  claimPassive(messageId: string, now: Date): Promise<boolean>;
  /** For servers that do not honour TTL indexes (the embedded one). */
  purgeOlderThan(cutoff: Date): Promise<number>;
}

export interface MpSession {
  openid: string;
  expiresAt: Date;
}

/** Our own login sessions for the mini program front end (only a hash of the token is kept). */
export interface MpSessionStore {
  create(openid: string, sessionKey: string, now: Date): Promise<{ token: string; expiresAt: Date }>;
  /** The live session of a token, or null (unknown, malformed, expired). */
  find(token: string, now: Date): Promise<MpSession | null>;
  revoke(token: string): Promise<void>;
  /** WeChat's session_key of a live session. */
  sessionKey(token: string, now: Date): Promise<string | null>;
  /** Whether this openid has logged in and its session is still live. */
  hasLiveSession(openid: string, now: Date): Promise<boolean>;
  purgeExpired(now: Date): Promise<number>;
}

export interface Grant {
  remaining: number;
  accepted: number;
  rejected: number;
  /** 'ban' or 'filter': no send will work. */
  blocked: boolean;
  lastResult: SubscribeResult;
  updatedAt: Date;
}

export interface SubscriptionDoc {
  _id: string;
  templates: Record<string, Grant>;
  refusals: number;
  lastRefusal: { at: Date; reason: string; templateId: string | null } | null;
  updatedAt: Date;
}

export interface GrantView {
  templateId: string;
  remaining: number;
  lastResult: SubscribeResult | null;
}

/** One-time subscribe-message grants per user, counted as WeChat counts them. */
export interface MpSubscriptionStore {
  record(openid: string, results: Record<string, SubscribeResult>, now: Date): Promise<void>;
  view(openid: string, templateIds: string[]): Promise<GrantView[]>;
  /** Take one grant of the first template (in the given order) that has one; the template id, or null. */
  spend(openid: string, templateIds: string[], now: Date): Promise<string | null>;
  giveBack(openid: string, templateId: string, now: Date): Promise<void>;
  /** WeChat says there is no grant (43101): set our count to zero. */
  exhaust(openid: string, templateId: string, now: Date): Promise<void>;
  recordRefusal(openid: string, reason: string, templateId: string | null, now: Date): Promise<void>;
  raw(openid: string): Promise<SubscriptionDoc | null>;
}

// ---- The web simulator ----

/** Pushes to simulator users wait here until the page (or a test) fetches them: the simulator's Sender. */
export interface SimOutbox extends Sender {
  /** Take the pending pushes of a user (oldest first) and remove them. */
  take(userId: string, limit?: number): Promise<OutboundMessage[]>;
}

/** What main hands the channels: one factory per kind of channel state (settings differ per channel). */
export interface ChannelStores {
  simOutbox(): SimOutbox;
  telegramUsers(): TelegramUserStore;
  wechatTokens(): TokenStore;
  wechatUsers(settings: WechatUsersSettings): WechatUserStore;
  wechatDeliveryClaims(appId: string): DeliveryClaimStore;
  mpSessions(opts: { ttlMs: number }): MpSessionStore;
  mpSubscriptions(): MpSubscriptionStore;
  /** Resolves when the collections' indexes are built (call after creating the stores a channel uses). */
  ready(): Promise<void>;
}
