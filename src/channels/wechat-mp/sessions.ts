import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import { modelOf } from '../../store/mongo/connection.ts';

/**
 * Our own sessions for the mini program front end, in `mp_sessions`. The token the client holds is 32 random
 * bytes; only its SHA-256 is stored (a stolen database dump holds no usable token, and with 256 bits of entropy a
 * fast hash is enough: there is nothing to guess). WeChat's session_key never leaves the server and is stored
 * sealed with the PII cipher, kept for decrypting data the front end may later send (wx.getUserInfo and the like).
 */
interface SessionDoc {
  _id: string;
  openid: string;
  sessionKey: string | null;
  createdAt: Date;
  expiresAt: Date;
}

const schema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    openid: { type: String, required: true },
    sessionKey: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'mp_sessions', versionKey: false, _id: false },
);
// Expired sessions disappear on servers that honour TTL indexes; purgeExpired() does it elsewhere.
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
schema.index({ openid: 1 });

/** The token's shape: `mps_` + 43 characters of base64url. Anything else is refused before a lookup. */
export const SESSION_TOKEN = /^mps_[A-Za-z0-9_-]{43}$/;

export interface MpSession {
  openid: string;
  expiresAt: Date;
}

export interface MpSessions {
  create(openid: string, sessionKey: string, now: Date): Promise<{ token: string; expiresAt: Date }>;
  /** The live session of a token, or null (unknown, malformed, expired). */
  find(token: string, now: Date): Promise<MpSession | null>;
  revoke(token: string): Promise<void>;
  /** WeChat's session_key of a live session (for decrypting data the client sends). */
  sessionKey(token: string, now: Date): Promise<string | null>;
  purgeExpired(now: Date): Promise<number>;
}

export function createMpSessions(connection: Connection, cipher: PiiCipher, opts: { ttlMs: number }): MpSessions {
  const Model = modelOf<SessionDoc>(connection, 'MpSession', schema);
  const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');
  return {
    async create(openid, sessionKey, now) {
      const token = `mps_${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(now.getTime() + opts.ttlMs);
      await Model.collection.insertOne({ _id: hash(token), openid, sessionKey: cipher.encrypt(sessionKey), createdAt: now, expiresAt } as never);
      // Housekeeping on the side: this user's expired sessions go now rather than waiting for the purge.
      await Model.collection.deleteMany({ openid, expiresAt: { $lte: now } });
      return { token, expiresAt };
    },
    async find(token, now) {
      if (!SESSION_TOKEN.test(token)) return null;
      const doc = await Model.collection.findOne({ _id: hash(token) as never, expiresAt: { $gt: now } }, { projection: { openid: 1, expiresAt: 1 } });
      return doc ? { openid: String(doc.openid), expiresAt: doc.expiresAt as Date } : null;
    },
    async revoke(token) {
      if (!SESSION_TOKEN.test(token)) return;
      await Model.collection.deleteOne({ _id: hash(token) as never });
    },
    async sessionKey(token, now) {
      if (!SESSION_TOKEN.test(token)) return null;
      const doc = await Model.collection.findOne({ _id: hash(token) as never, expiresAt: { $gt: now } }, { projection: { sessionKey: 1 } });
      return doc?.sessionKey ? cipher.decrypt(String(doc.sessionKey)) : null;
    },
    async purgeExpired(now) {
      const r = await Model.collection.deleteMany({ expiresAt: { $lte: now } });
      return r.deletedCount ?? 0;
    },
  };
}
