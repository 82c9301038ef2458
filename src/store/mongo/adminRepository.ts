import { Schema, type Connection } from 'mongoose';
import { ConflictError, type AdminRecord, type AdminRepository } from '../../app/ports/certification.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/** Admins (`_id` = admin id) with the SHA-256 of their token; the token itself is never stored. */
interface AdminDoc extends Omit<AdminRecord, 'id'> {
  _id: string;
  tokenHash: string;
}

const schema = new Schema<AdminDoc>(
  {
    _id: String,
    name: { type: String, required: true },
    regionCode: { type: String, required: true },
    levels: { type: [String], default: [] },
    createdAt: { type: String, required: true },
    disabled: { type: Boolean, required: true },
    tokenHash: { type: String, required: true },
  },
  { collection: 'admins', versionKey: false, _id: false, minimize: false },
);

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

export function createMongoAdminRepository(connection: Connection): AdminRepository {
  const collection = typedCollection<AdminDoc>(connection, 'Admin', schema);

  return {
    async create(admin, tokenHash) {
      const doc: AdminDoc = {
        _id: str(admin.id, 'id'),
        name: admin.name,
        regionCode: admin.regionCode,
        levels: [...admin.levels],
        createdAt: admin.createdAt,
        disabled: admin.disabled,
        tokenHash: str(tokenHash, 'tokenHash'),
      };
      try {
        await collection.insertOne(doc);
      } catch (err) {
        if (isDuplicateKey(err)) throw new ConflictError(`admin ${admin.id} already exists`);
        throw err;
      }
    },

    async findWithHash(id) {
      const doc = await collection.findOne({ _id: str(id, 'id') });
      if (!doc) return null;
      const { _id, tokenHash, ...rest } = doc;
      return { admin: { id: _id, ...rest }, tokenHash };
    },
  };
}
