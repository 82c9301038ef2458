import { Schema, type Connection } from 'mongoose';
import type { AdminSession, SessionStore } from '../../app/ports/accounts.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Console login sessions, collection `admin_sessions` (`_id` = the public session id). The cookie's value is never
 * stored, only its SHA-256 (`secretHash`, unique), so a copy of the database opens no session. Expired sessions are
 * refused by the caller at once and removed by the TTL index on `expiresAt` later.
 */
interface SessionDoc extends Omit<AdminSession, 'id' | 'expiresAt'> {
  _id: string;
  secretHash: string;
  expiresAt: Date;
}

const schema = new Schema<SessionDoc>(
  {
    _id: String,
    secretHash: { type: String, required: true },
    adminId: { type: String, required: true },
    createdAt: { type: String, required: true },
    lastSeenAt: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    address: { type: String, default: '' },
    userAgent: { type: String, default: '' },
  },
  { collection: 'admin_sessions', versionKey: false, _id: false },
);
schema.index({ secretHash: 1 }, { unique: true });
schema.index({ adminId: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

const sessionOf = ({ _id, secretHash: _s, expiresAt, ...rest }: SessionDoc): AdminSession => ({ id: _id, ...rest, expiresAt: expiresAt.toISOString() });

export function createMongoSessionStore(connection: Connection): SessionStore {
  const sessions = typedCollection<SessionDoc>(connection, 'AdminSession', schema);
  return {
    async create(session, secretHash) {
      const { id, expiresAt, ...rest } = session;
      await sessions.insertOne({ _id: str(id, 'id'), ...rest, expiresAt: new Date(expiresAt), secretHash: str(secretHash, 'secretHash') });
    },
    async findBySecretHash(secretHash) {
      const doc = await sessions.findOne({ secretHash: str(secretHash, 'secretHash') });
      return doc ? sessionOf(doc) : null;
    },
    async touch(id, at) {
      await sessions.updateOne({ _id: str(id, 'id') }, { $set: { lastSeenAt: str(at, 'at') } });
    },
    async listByAdmin(adminId) {
      const docs = await sessions.find({ adminId: str(adminId, 'adminId') }).sort({ createdAt: 1, _id: 1 }).toArray();
      return docs.map(sessionOf);
    },
    async remove(adminId, id) {
      const r = await sessions.deleteOne({ _id: str(id, 'id'), adminId: str(adminId, 'adminId') });
      return r.deletedCount === 1;
    },
    async removeAllOf(adminId, keep) {
      const r = await sessions.deleteMany(keep === undefined ? { adminId: str(adminId, 'adminId') } : { adminId: str(adminId, 'adminId'), _id: { $ne: str(keep, 'keep') } });
      return r.deletedCount;
    },
  };
}
