import { Schema, type Connection } from 'mongoose';
import type { AnnualRecord } from '../../domain/certification/types.ts';
import type { AnnualRecordRepository } from '../../app/ports/certification.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * 年检 and 年度考核: one document per (worker, year), `_id` = `${workerId}:${year}`. Recording an inspection or an
 * assessment is one upsert on that _id that sets only its own part, so the two can be recorded in either order,
 * or at once, without overwriting each other.
 */
interface AnnualRecordDoc extends AnnualRecord {
  _id: string;
}

const schema = new Schema<AnnualRecordDoc>(
  {
    _id: String,
    workerId: { type: String, required: true },
    certificateNumber: { type: String, required: true },
    year: { type: Number, required: true },
    inspection: { type: Schema.Types.Mixed, default: null },
    assessment: { type: Schema.Types.Mixed, default: null },
    satisfaction: { type: Schema.Types.Mixed },
  },
  { collection: 'annual_records', versionKey: false, _id: false, minimize: false },
);
// listForYear, in worker order; also states the (worker, year) uniqueness the _id already gives.
schema.index({ year: 1, workerId: 1 }, { unique: true });

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function toRecord(doc: AnnualRecordDoc): AnnualRecord {
  const { _id: _i, ...rest } = doc;
  return rest;
}

export function createMongoAnnualRecordRepository(connection: Connection): AnnualRecordRepository {
  const collection = typedCollection<AnnualRecordDoc>(connection, 'AnnualRecord', schema);
  const key = (workerId: string, year: number) => `${workerId}:${year}`;

  async function upsert(workerId: string, certificateNumber: string, year: number, part: 'inspection' | 'assessment' | 'satisfaction', value: NonNullable<AnnualRecord['inspection'] | AnnualRecord['assessment'] | AnnualRecord['satisfaction']>): Promise<AnnualRecord> {
    str(workerId, 'workerId');
    str(certificateNumber, 'certificateNumber');
    if (!Number.isInteger(year)) throw new TypeError('year must be an integer');
    const others = (['inspection', 'assessment'] as const).filter((p) => p !== part);
    const run = () =>
      collection.findOneAndUpdate(
        { _id: key(workerId, year) },
        { $set: { certificateNumber, [part]: value }, $setOnInsert: { workerId, year, ...Object.fromEntries(others.map((o) => [o, null])) } },
        { upsert: true, returnDocument: 'after', ignoreUndefined: true },
      );
    let doc: AnnualRecordDoc | null;
    try {
      doc = await run();
    } catch (err) {
      // Two first recordings for one (worker, year) raced to insert; the document exists now.
      if (!isDuplicateKey(err)) throw err;
      doc = await run();
    }
    // An upsert returning the document after always has one; null would be a driver or server fault.
    if (!doc) throw new Error(`the upsert of the annual record ${key(workerId, year)} returned no document`);
    return toRecord(doc);
  }

  return {
    recordInspection: (workerId, certificateNumber, year, inspection) => upsert(workerId, certificateNumber, year, 'inspection', inspection),
    recordAssessment: (workerId, certificateNumber, year, assessment) => upsert(workerId, certificateNumber, year, 'assessment', assessment),
    recordSatisfaction: (workerId, certificateNumber, year, satisfaction) => upsert(workerId, certificateNumber, year, 'satisfaction', satisfaction),

    async get(workerId, year) {
      const doc = await collection.findOne({ _id: key(str(workerId, 'workerId'), year) });
      return doc ? toRecord(doc) : null;
    },

    async listForYear(year, workerIds) {
      if (!Number.isInteger(year)) throw new TypeError('year must be an integer');
      // By the workers' keys when given: the report's holders, not every record of the year in the country.
      const filter = workerIds === undefined ? { year } : { _id: { $in: [...new Set(workerIds)].map((w) => key(str(w, 'workerId'), year)) } };
      const docs = await collection.find(filter).sort({ workerId: 1 }).toArray();
      return docs.map(toRecord);
    },
  };
}
