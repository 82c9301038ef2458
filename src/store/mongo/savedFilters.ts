import { Schema, type Connection } from 'mongoose';
import type { SavedFilter, SavedFilterStore } from '../../app/ports/consoleReads.ts';
import { typedCollection } from './typedCollection.ts';

/** Saved review-queue filters, collection `saved_filters`, one document per filter (`_id` = its id), per admin. */
interface SavedFilterDoc extends Omit<SavedFilter, 'id'> {
  _id: string;
}

const schema = new Schema<SavedFilterDoc>(
  {
    _id: String,
    adminId: { type: String, required: true },
    name: { type: String, required: true },
    query: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: String, required: true },
  },
  { collection: 'saved_filters', versionKey: false, _id: false, minimize: false },
);
schema.index({ adminId: 1, createdAt: 1 });

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

export function createMongoSavedFilterStore(connection: Connection): SavedFilterStore {
  const collection = typedCollection<SavedFilterDoc>(connection, 'SavedFilter', schema);
  return {
    async list(adminId) {
      const docs = await collection.find({ adminId: str(adminId, 'adminId') }).sort({ createdAt: 1, _id: 1 }).limit(200).toArray();
      return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
    },
    async create(filter) {
      const { id, ...rest } = filter;
      await collection.insertOne({ _id: str(id, 'id'), ...rest });
    },
    async remove(adminId, id) {
      const r = await collection.deleteOne({ _id: str(id, 'id'), adminId: str(adminId, 'adminId') });
      return r.deletedCount === 1;
    },
  };
}
