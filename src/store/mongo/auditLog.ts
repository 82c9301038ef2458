import { Schema, type Connection } from 'mongoose';
import type { AuditEntry, AuditLog } from '../../app/ports/certification.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * The admin audit trail, collection `audit_log`. Append-only: this adapter inserts and reads, and has no code
 * path that updates or deletes an entry. `at` is stored as a Date so the log can be read by time range.
 */
interface AuditDoc extends Omit<AuditEntry, 'at'> {
  at: Date;
}

const schema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true },
    adminId: { type: String, required: true },
    action: { type: String, required: true },
    target: { type: String, required: true },
    outcome: { type: String, required: true },
    detail: { type: Schema.Types.Mixed },
  },
  { collection: 'audit_log', versionKey: false },
);
schema.index({ at: -1 });
schema.index({ adminId: 1, at: -1 });
schema.index({ target: 1, at: -1 });

const MAX_LIST = 1000;

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

export function createMongoAuditLog(connection: Connection): AuditLog {
  const collection = typedCollection<AuditDoc>(connection, 'AuditEntry', schema);

  return {
    async append(entry) {
      const at = new Date(entry.at);
      if (Number.isNaN(at.getTime())) throw new TypeError('at must be an ISO time');
      const doc: AuditDoc = {
        at,
        adminId: str(entry.adminId, 'adminId'),
        action: str(entry.action, 'action'),
        target: str(entry.target, 'target'),
        outcome: entry.outcome,
        ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
      };
      await collection.insertOne(doc, { ignoreUndefined: true });
    },

    async list(filter, limit) {
      if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
      const query: Record<string, string> = {};
      if (filter.adminId !== undefined) query.adminId = str(filter.adminId, 'adminId');
      if (filter.target !== undefined) query.target = str(filter.target, 'target');
      const docs = await collection
        .find(query)
        .sort({ at: -1, _id: -1 })
        .limit(Math.min(limit, MAX_LIST))
        .toArray();
      return docs.map(({ _id: _i, at, detail, ...rest }) => ({ at: at.toISOString(), ...rest, ...(detail !== undefined ? { detail } : {}) }));
    },
  };
}
