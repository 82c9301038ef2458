import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { SESSION_TOKEN, type MpSessionStore } from '../../channels/ports.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import { typedCollection } from './typedCollection.ts';

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

export function createMongoMpSessions(connection: Connection, cipher: PiiCipher, opts: { ttlMs: number }): MpSessionStore {
  const sessions = typedCollection<SessionDoc>(connection, 'MpSession', schema);
  const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');
  return {
    async create(openid, sessionKey, now) {
      const token = `mps_${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(now.getTime() + opts.ttlMs);
      await sessions.insertOne({ _id: hash(token), openid, sessionKey: cipher.encrypt(sessionKey), createdAt: now, expiresAt });
      // Housekeeping on the side: this user's expired sessions go now rather than waiting for the purge.
      await sessions.deleteMany({ openid, expiresAt: { $lte: now } });
      return { token, expiresAt };
    },
    async find(token, now) {
      if (!SESSION_TOKEN.test(token)) return null;
      const doc = await sessions.findOne({ _id: hash(token), expiresAt: { $gt: now } }, { projection: { openid: 1, expiresAt: 1 } });
      return doc ? { openid: doc.openid, expiresAt: doc.expiresAt } : null;
    },
    async revoke(token) {
      if (!SESSION_TOKEN.test(token)) return;
      await sessions.deleteOne({ _id: hash(token) });
    },
    async sessionKey(token, now) {
      if (!SESSION_TOKEN.test(token)) return null;
      const doc = await sessions.findOne({ _id: hash(token), expiresAt: { $gt: now } }, { projection: { sessionKey: 1 } });
      return doc?.sessionKey ? cipher.decrypt(doc.sessionKey) : null;
    },
    async hasLiveSession(openid, now) {
      // Openids here come from our own sessions and WeChat's code2session, or have passed OPENID.
      return (await sessions.findOne({ openid, expiresAt: { $gt: now } }, { projection: { _id: 1 } })) !== null;
    },
    async purgeExpired(now) {
      const r = await sessions.deleteMany({ expiresAt: { $lte: now } });
      return r.deletedCount ?? 0;
    },
  };
}
