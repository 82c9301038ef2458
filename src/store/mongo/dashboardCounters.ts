import { Schema, type Connection } from 'mongoose';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { DashboardCounterStore } from '../../app/ports/dashboardCounters.ts';
import { ALLOWANCE_KINDS, annualKeys, applicationKeys, certificateKeys, counterId, tally, type CounterKind, type CounterRow } from '../../domain/dashboard/counterKeys.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * The dashboard's counters, collection `dashboard_counters`: one document per counter (see counterKeys.ts), `_id`
 * made of its key, only ever `$inc`-upserted by the counting repositories (src/app/console/dashboardCounts.ts), so
 * any number of instances add to the same document without reading it. `recountDashboard` rebuilds them all.
 */
interface CounterDoc extends CounterRow {
  _id: string;
}

const schema = new Schema<CounterDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    prefix: { type: String, default: '' },
    level: { type: String, required: true },
    key: { type: String, required: true },
    day: { type: String },
    n: { type: Number, required: true },
  },
  { collection: 'dashboard_counters', versionKey: false, _id: false },
);
// read(): equality on kind and prefix, openDay and the year kinds by a range of `day`.
schema.index({ kind: 1, prefix: 1, day: 1 });

const MODEL = 'DashboardCounter';
const BATCH = 1_000;
/** Records per cursor batch while recounting: fewer round trips over 100,000 applications. */
const READ_BATCH = 5_000;

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

export function createMongoDashboardCounterStore(connection: Connection): DashboardCounterStore {
  const collection = typedCollection<CounterDoc>(connection, MODEL, schema);
  return {
    async add(deltas) {
      const ops: AnyBulkWriteOperation<CounterDoc>[] = deltas
        .filter((d) => d.n !== 0)
        .map((d) => ({
          updateOne: {
            filter: { _id: counterId(d) },
            update: { $setOnInsert: { kind: d.kind, prefix: d.prefix, level: d.level, key: d.key, ...(d.day !== undefined ? { day: d.day } : {}) }, $inc: { n: d.n } },
            upsert: true,
          },
        }));
      if (ops.length) await collection.bulkWrite(ops, { ordered: false });
    },

    async read(kind, prefix, fromDay, toDay) {
      const day = { ...(fromDay !== undefined ? { $gte: str(fromDay, 'fromDay') } : {}), ...(toDay !== undefined ? { $lte: str(toDay, 'toDay') } : {}) };
      const filter = { kind: str(kind, 'kind') as CounterKind, prefix: str(prefix, 'prefix'), ...(Object.keys(day).length ? { day } : {}) };
      const docs = await collection.find(filter).toArray();
      return docs.filter((d) => d.n !== 0).map(({ _id, ...row }) => row);
    },
  };
}

/**
 * Recomputes every counter from the records (applications, certificates, annual records) and replaces the stored
 * ones. For a database whose counters are missing or were changed by hand; writes made while it runs may be lost
 * from the counters, so run it when the console is quiet (start-up does, when the counters are missing).
 */
export async function recountDashboard(connection: Connection): Promise<{ counters: number; applications: number; certificates: number; annual: number }> {
  const collection = typedCollection<CounterDoc>(connection, MODEL, schema);
  const counts = new Map<string, CounterRow>();
  let applications = 0;
  for await (const a of connection.collection('applications').find({}, { projection: { regionCode: 1, level: 1, stage: 1, status: 1, createdAt: 1, updatedAt: 1, stageSince: 1 }, batchSize: READ_BATCH })) {
    tally(applicationKeys({ regionCode: a.regionCode, level: a.level, stage: a.stage, status: a.status, createdAt: a.createdAt, updatedAt: a.updatedAt, stageSince: a.stageSince ?? a.createdAt }), 1, counts);
    applications++;
  }
  const certs = new Map<string, { regionCode: string; level: string }>();
  for await (const c of connection.collection('certificates').find({}, { projection: { regionCode: 1, level: 1, status: 1, issuedOn: 1, validUntil: 1 }, batchSize: READ_BATCH })) {
    certs.set(String(c._id), { regionCode: c.regionCode, level: c.level });
    tally(certificateKeys({ regionCode: c.regionCode, level: c.level, status: c.status, issuedOn: c.issuedOn, validUntil: c.validUntil }), 1, counts);
  }
  let annual = 0;
  for await (const r of connection.collection('annual_records').find({}, { projection: { certificateNumber: 1, year: 1, inspection: 1, assessment: 1 }, batchSize: READ_BATCH })) {
    const cert = certs.get(r.certificateNumber);
    if (!cert) continue;
    tally(annualKeys({ year: r.year, inspection: r.inspection, assessment: r.assessment }, cert), 1, counts);
    annual++;
  }
  const rows = [...counts.values()].filter((r) => r.n !== 0).map((r) => ({ _id: counterId(r), ...r }));
  // The allowance kinds are recounted with their entries (recountAllowance), from the same records.
  await collection.deleteMany({ kind: { $nin: [...ALLOWANCE_KINDS] } });
  // Two batches in flight: a full-size database has ~150,000 counters, and one batch at a time waited on each.
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const from = next;
      next += BATCH;
      await collection.insertMany(rows.slice(from, from + BATCH), { ordered: false });
    }
  };
  await Promise.all([lane(), lane()]);
  return { counters: rows.length, applications, certificates: certs.size, annual };
}

/**
 * At start-up: recount when there are records but no counters yet (a database from before the counters), or no
 * counter of the newest application kind (from before the 报表 counts were counted): every application has one.
 */
export async function recountDashboardIfMissing(connection: Connection): Promise<boolean> {
  const [counter, application] = await Promise.all([
    connection.collection('dashboard_counters').findOne({ kind: 'yearDeclared' }, { projection: { _id: 1 } }),
    connection.collection('applications').findOne({}, { projection: { _id: 1 } }),
  ]);
  if (counter || !application) return false;
  await recountDashboard(connection);
  return true;
}
