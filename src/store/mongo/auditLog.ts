import { Schema, type Connection } from 'mongoose';
import type { AuditEntry, AuditLog } from '../../app/ports/certification.ts';
import { regionPathOf } from './applicationRepository.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * The admin audit trail, collection `audit_log`. Append-only: this adapter inserts and reads, and has no code
 * path that updates or deletes an entry. `at` is stored as a Date so the log can be read by time range.
 */
interface AuditDoc extends Omit<AuditEntry, 'at'> {
  at: Date;
  /**
   * The acting admin's region prefixes (see applicationRepository regionPath), set on append from the admins
   * collection: the console's region-wide trail is then an equality on one indexed field, read in time order.
   */
  regionPath?: string[];
}

const schema = new Schema<AuditDoc>(
  {
    at: { type: Date, required: true },
    adminId: { type: String, required: true },
    action: { type: String, required: true },
    target: { type: String, required: true },
    outcome: { type: String, required: true },
    detail: { type: Schema.Types.Mixed },
    regionPath: { type: [String], default: undefined },
  },
  { collection: 'audit_log', versionKey: false },
);
// Every read sorts by (at, _id) newest first, so each index ends in both: an index ending in `at` alone cannot give
// that order, and the database then reads and sorts every entry in scope before returning the first page.
schema.index({ at: -1, _id: -1 });
schema.index({ adminId: 1, at: -1, _id: -1 });
schema.index({ target: 1, at: -1, _id: -1 });
// The console's audit search (consoleReads.searchAudit): a region's trail, newest first, optionally one action.
schema.index({ regionPath: 1, at: -1, _id: -1 });
schema.index({ regionPath: 1, action: 1, at: -1, _id: -1 });

const MAX_LIST = 1000;

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

/** Sets `regionPath` on entries written before it existed, from their admin's region; run at start-up (idempotent). */
export async function markAuditRegions(connection: Connection): Promise<number> {
  const audit = connection.collection<AuditDoc>('audit_log');
  const admins = await connection.collection<{ _id: string; regionCode: string }>('admins').find({}, { projection: { regionCode: 1 } }).toArray();
  let marked = 0;
  for (const a of admins) {
    const r = await audit.updateMany({ adminId: a._id, regionPath: { $exists: false } }, { $set: { regionPath: regionPathOf(a.regionCode) } });
    marked += r.modifiedCount;
  }
  return marked;
}

export function createMongoAuditLog(connection: Connection): AuditLog {
  const collection = typedCollection<AuditDoc>(connection, 'AuditEntry', schema);
  // An admin's region never changes; read once per admin.
  const regions = new Map<string, string[]>();
  async function regionPathOfAdmin(adminId: string): Promise<string[] | undefined> {
    if (regions.has(adminId)) return regions.get(adminId);
    const admin = await connection.collection<{ _id: string; regionCode: string }>('admins').findOne({ _id: adminId }, { projection: { regionCode: 1 } });
    if (!admin) return undefined;
    const path = regionPathOf(admin.regionCode);
    regions.set(adminId, path);
    return path;
  }

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
      const regionPath = await regionPathOfAdmin(doc.adminId);
      if (regionPath) doc.regionPath = regionPath;
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
      return docs.map(({ _id: _i, at, detail, regionPath: _r, ...rest }) => ({ at: at.toISOString(), ...rest, ...(detail !== undefined ? { detail } : {}) }));
    },
  };
}
