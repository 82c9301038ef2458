import { Schema, type Connection } from 'mongoose';
import { ConflictError, type AdminRecord, type AdminRepository, type AdminToken } from '../../app/ports/certification.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Admins (`admins`, `_id` = admin id; the password's argon2id hash, never the password) and their bearer tokens
 * (`admin_tokens`, `_id` = token id; the SHA-256 of the secret, never the secret). Admins written before people
 * accounts carried one `tokenHash`; `moveLegacyTokens` (a startup migration) turns it into a token of its own.
 */
interface AdminDoc extends Omit<AdminRecord, 'id'> {
  _id: string;
  passwordHash?: string;
  /** Before people accounts: the one token's hash (moved to admin_tokens at start-up). */
  tokenHash?: string;
}

interface TokenDoc extends Omit<AdminToken, 'id'> {
  _id: string;
  hash: string;
}

const adminSchema = new Schema<AdminDoc>(
  {
    _id: String,
    name: { type: String, required: true },
    regionCode: { type: String, required: true },
    levels: { type: [String], default: [] },
    createdAt: { type: String, required: true },
    disabled: { type: Boolean, required: true },
    username: String,
    passwordHash: String,
    mustChangePassword: Boolean,
    lastLoginAt: String,
    tokenHash: String,
  },
  { collection: 'admins', versionKey: false, _id: false, minimize: false },
);
adminSchema.index({ username: 1 }, { unique: true, sparse: true });
adminSchema.index({ regionCode: 1 });

const tokenSchema = new Schema<TokenDoc>(
  {
    _id: String,
    adminId: { type: String, required: true },
    label: { type: String, required: true },
    hash: { type: String, required: true },
    createdAt: { type: String, required: true },
    lastUsedAt: String,
    revokedAt: String,
  },
  { collection: 'admin_tokens', versionKey: false, _id: false },
);
tokenSchema.index({ adminId: 1 });

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function recordOf(doc: AdminDoc): AdminRecord {
  const { _id, passwordHash: _p, tokenHash: _t, ...rest } = doc;
  return { id: _id, ...rest };
}

function tokenOf(doc: TokenDoc): AdminToken {
  const { _id, hash: _h, ...rest } = doc;
  return { id: _id, ...rest };
}

const conflict = (err: unknown, what: string): never => {
  if (isDuplicateKey(err)) throw new ConflictError(`${what} already exists`);
  throw err;
};

export function createMongoAdminRepository(connection: Connection): AdminRepository {
  const admins = typedCollection<AdminDoc>(connection, 'Admin', adminSchema);
  const tokens = typedCollection<TokenDoc>(connection, 'AdminToken', tokenSchema);

  return {
    async create(admin, passwordHash) {
      const doc: AdminDoc = {
        _id: str(admin.id, 'id'),
        name: admin.name,
        regionCode: admin.regionCode,
        levels: [...admin.levels],
        createdAt: admin.createdAt,
        disabled: admin.disabled,
        ...(admin.username !== undefined ? { username: str(admin.username, 'username') } : {}),
        ...(passwordHash !== undefined ? { passwordHash: str(passwordHash, 'passwordHash') } : {}),
        ...(admin.mustChangePassword !== undefined ? { mustChangePassword: admin.mustChangePassword } : {}),
      };
      try {
        await admins.insertOne(doc);
      } catch (err) {
        conflict(err, admin.username ? `an account ${admin.username} or admin ${admin.id}` : `admin ${admin.id}`);
      }
    },

    async get(id) {
      const doc = await admins.findOne({ _id: str(id, 'id') });
      return doc ? recordOf(doc) : null;
    },

    async findLogin(username) {
      const doc = await admins.findOne({ username: str(username, 'username') });
      return doc?.passwordHash ? { admin: recordOf(doc), passwordHash: doc.passwordHash } : null;
    },

    async passwordHash(id) {
      const doc = await admins.findOne({ _id: str(id, 'id') }, { projection: { passwordHash: 1 } });
      return doc?.passwordHash ?? null;
    },

    async listInRegion(regionPrefix) {
      // A prefix of digits only (checked here too), so it is safe inside the anchored regex.
      if (!/^\d{1,9}$/.test(regionPrefix)) throw new TypeError('regionPrefix must be digits');
      const docs = await admins.find({ regionCode: { $regex: `^${regionPrefix}` } }).sort({ createdAt: 1, _id: 1 }).toArray();
      return docs.map(recordOf);
    },

    async count() {
      return admins.countDocuments({});
    },

    async update(id, change) {
      const set: Partial<AdminDoc> = {};
      if (change.disabled !== undefined) set.disabled = change.disabled;
      if (change.mustChangePassword !== undefined) set.mustChangePassword = change.mustChangePassword;
      if (change.lastLoginAt !== undefined) set.lastLoginAt = str(change.lastLoginAt, 'lastLoginAt');
      if (change.username !== undefined) set.username = str(change.username, 'username');
      if (change.passwordHash !== undefined) set.passwordHash = str(change.passwordHash, 'passwordHash');
      if (Object.keys(set).length === 0) {
        const doc = await admins.findOne({ _id: str(id, 'id') });
        return doc ? recordOf(doc) : null;
      }
      try {
        const doc = await admins.findOneAndUpdate({ _id: str(id, 'id') }, { $set: set }, { returnDocument: 'after' });
        return doc ? recordOf(doc) : null;
      } catch (err) {
        return conflict(err, `an account ${change.username ?? ''}`.trim());
      }
    },

    async addToken(token, hash) {
      try {
        await tokens.insertOne({ _id: str(token.id, 'id'), adminId: str(token.adminId, 'adminId'), label: str(token.label, 'label'), createdAt: token.createdAt, hash: str(hash, 'hash') });
      } catch (err) {
        conflict(err, `token ${token.id}`);
      }
    },

    async findToken(id) {
      const doc = await tokens.findOne({ _id: str(id, 'id') });
      return doc ? { token: tokenOf(doc), hash: doc.hash } : null;
    },

    async listTokens(adminId) {
      const docs = await tokens.find({ adminId: str(adminId, 'adminId') }).sort({ createdAt: 1, _id: 1 }).toArray();
      return docs.map(tokenOf);
    },

    async revokeToken(adminId, id, at) {
      const r = await tokens.updateOne({ _id: str(id, 'id'), adminId: str(adminId, 'adminId'), revokedAt: { $exists: false } }, { $set: { revokedAt: str(at, 'at') } });
      return r.matchedCount === 1;
    },

    async touchToken(id, at) {
      await tokens.updateOne({ _id: str(id, 'id') }, { $set: { lastUsedAt: str(at, 'at') } });
    },
  };
}

/**
 * Startup migration: an admin written before people accounts has one `tokenHash`; it becomes a token of its own
 * with the admin's id as the token id (the token's text, `rca_<adminId>_<secret>`, keeps working unchanged), and
 * the field goes from the admin. Idempotent: the token is inserted only when missing, the field removed after.
 */
export async function moveLegacyTokens(connection: Connection): Promise<number> {
  const admins = typedCollection<AdminDoc>(connection, 'Admin', adminSchema);
  const tokens = typedCollection<TokenDoc>(connection, 'AdminToken', tokenSchema);
  let moved = 0;
  for await (const doc of admins.find({ tokenHash: { $exists: true } })) {
    await tokens.updateOne(
      { _id: doc._id },
      { $setOnInsert: { adminId: doc._id, label: 'admin:create', hash: doc.tokenHash!, createdAt: doc.createdAt } },
      { upsert: true },
    );
    await admins.updateOne({ _id: doc._id }, { $unset: { tokenHash: '' } });
    moved += 1;
  }
  return moved;
}
