import { Schema, type Connection } from 'mongoose';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { AllowanceEntry, AllowanceStore, AllowanceTotals } from '../../app/ports/allowance.ts';
import type { ReadScope } from '../../app/ports/consoleReads.ts';
import type { DashboardCounterStore } from '../../app/ports/dashboardCounters.ts';
import { allowanceEntriesOf, allowanceKeys } from '../../domain/certification/allowanceEntries.ts';
import type { PolicyLookup } from '../../domain/certification/annual.ts';
import type { AnnualRecord, Certificate } from '../../domain/certification/types.ts';
import { ALLOWANCE_KINDS, counterDeltas, counterId, tally, type CounterRow } from '../../domain/dashboard/counterKeys.ts';
import { regionPathOf } from './applicationRepository.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * The 红领津贴 report kept up on write, collection `allowance_entries`: one document per (year, certificate held
 * that year), `_id` `year|number`, the domain's row (paid) or exclusion as `row`. The preview reads one page of them
 * in the report's order from the index below and its totals from the dashboard counters (kinds allowance*), so a
 * province's preview costs the same as a county's. `recountAllowance` rebuilds both from the records.
 */
interface EntryDoc {
  _id: string;
  year: number;
  kind: AllowanceEntry['kind'];
  regionCode: string;
  regionPath: string[];
  policyId: string;
  level: string;
  rank: number;
  certificateNumber: string;
  workerId: string;
  row: AllowanceEntry['row'];
}

const schema = new Schema<EntryDoc>(
  {
    _id: String,
    year: { type: Number, required: true },
    kind: { type: String, required: true },
    regionCode: { type: String, required: true },
    regionPath: { type: [String], required: true },
    policyId: { type: String, required: true },
    level: { type: String, required: true },
    rank: { type: Number, required: true },
    certificateNumber: { type: String, required: true },
    workerId: { type: String, required: true },
    row: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'allowance_entries', versionKey: false, _id: false, minimize: false },
);
// list(): equality on year, kind and one region prefix, in the report's order, so a page stops after its rows.
schema.index({ year: 1, kind: 1, regionPath: 1, policyId: 1, rank: 1, certificateNumber: 1 });
// ofWorker(): a worker's entries before they are recomputed.
schema.index({ workerId: 1 });

const MODEL = 'AllowanceEntry';
const BOUNDARIES = [2, 4, 6, 9];
const BATCH = 1_000;
const READ_BATCH = 5_000;

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function prefixOf(scope: ReadScope): string {
  const prefix = str(scope.regionPrefix, 'regionPrefix');
  if (prefix !== '' && !BOUNDARIES.includes(prefix.length)) throw new RangeError(`region prefix ${prefix} is not at an administrative boundary`);
  return prefix;
}

const idOf = (e: AllowanceEntry) => `${e.year}|${e.row.certificateNumber}`;

function toDoc(e: AllowanceEntry): EntryDoc {
  return { _id: idOf(e), year: e.year, kind: e.kind, regionCode: e.regionCode, regionPath: regionPathOf(e.regionCode), policyId: e.row.policyId, level: e.row.level, rank: e.rank, certificateNumber: e.row.certificateNumber, workerId: e.row.workerId, row: e.row };
}

const toEntry = (d: EntryDoc) => ({ year: d.year, regionCode: d.regionCode, rank: d.rank, kind: d.kind, row: d.row }) as AllowanceEntry;

export function createMongoAllowanceStore(connection: Connection, counters: DashboardCounterStore): AllowanceStore {
  const collection = typedCollection<EntryDoc>(connection, MODEL, schema);
  return {
    async ofWorker(workerId) {
      return (await collection.find({ workerId: str(workerId, 'workerId') }).toArray()).map(toEntry);
    },

    async replace(workerId, before, after) {
      const was = new Map(before.map((e) => [idOf(e), JSON.stringify(e)]));
      const now = new Set(after.map(idOf));
      const ops: AnyBulkWriteOperation<EntryDoc>[] = [];
      for (const e of after) if (was.get(idOf(e)) !== JSON.stringify(e)) ops.push({ replaceOne: { filter: { _id: idOf(e) }, replacement: toDoc(e), upsert: true } });
      for (const id of was.keys()) if (!now.has(id)) ops.push({ deleteOne: { filter: { _id: id, workerId: str(workerId, 'workerId') } } });
      if (ops.length) await collection.bulkWrite(ops, { ordered: false });
      await counters.add(counterDeltas(allowanceKeys(before), allowanceKeys(after)));
    },

    async list(scope, year, kind, limit) {
      const prefix = prefixOf(scope);
      const filter = {
        year: Number(year),
        kind: str(kind, 'kind') as AllowanceEntry['kind'],
        ...(prefix ? { regionPath: prefix } : {}),
        ...(scope.levels ? { level: { $in: scope.levels.map((l) => str(l, 'level')) } } : {}),
      };
      const cursor = collection.find(filter).sort({ policyId: 1, rank: 1, certificateNumber: 1 });
      if (limit !== undefined) cursor.limit(limit);
      else cursor.batchSize(READ_BATCH);
      return (await cursor.toArray()).map(toEntry);
    },

    async totals(scope, year) {
      const prefix = prefixOf(scope);
      const y = String(year);
      const atLevels = (rows: CounterRow[]) => (scope.levels ? rows.filter((r) => scope.levels!.includes(r.level)) : rows);
      const [paid, excluded, holders] = await Promise.all([counters.read('allowancePaid', prefix, y, y), counters.read('allowanceExcluded', prefix, y, y), scope.levels ? Promise.resolve([]) : counters.read('allowanceHolders', prefix, y, y)]);
      const byLevel = new Map<string, AllowanceTotals['byLevel'][number]>();
      for (const r of atLevels(paid)) {
        const [policyId, amount] = r.key.split('|') as [string, string];
        const id = `${policyId}|${r.level}`;
        const t = byLevel.get(id) ?? byLevel.set(id, { policyId, level: r.level, holders: 0, amountYuan: 0 }).get(id)!;
        t.holders += r.n;
        t.amountYuan += r.n * Number(amount);
      }
      const levels = [...byLevel.values()].filter((t) => t.holders !== 0);
      return {
        byLevel: levels,
        rows: levels.reduce((n, t) => n + t.holders, 0),
        excluded: atLevels(excluded).reduce((n, r) => n + r.n, 0),
        excludedHolders: scope.levels ? null : holders.reduce((n, r) => n + r.n, 0),
      };
    },

    async excludedWorkers(scope, year) {
      const prefix = prefixOf(scope);
      const filter = { year: Number(year), kind: 'excluded' as const, ...(prefix ? { regionPath: prefix } : {}), ...(scope.levels ? { level: { $in: scope.levels.map((l) => str(l, 'level')) } } : {}) };
      return (await collection.distinct('workerId', filter)).length;
    },
  };
}

/**
 * Recomputes every allowance entry and its counters from the certificates and annual records, and replaces them.
 * Like recountDashboard: for a database from before the entries, or changed outside the app; run it when quiet.
 */
export async function recountAllowance(connection: Connection, policies: PolicyLookup): Promise<{ entries: number; workers: number }> {
  const collection = typedCollection<EntryDoc>(connection, MODEL, schema);
  const certs = new Map<string, Certificate[]>();
  for await (const doc of connection.collection('certificates').find({}, { batchSize: READ_BATCH })) {
    const { _id, regionPath: _r, ...rest } = doc;
    const c = { number: String(_id), ...rest } as Certificate;
    (certs.get(c.workerId) ?? certs.set(c.workerId, []).get(c.workerId)!).push(c);
  }
  const records = new Map<string, AnnualRecord[]>();
  for await (const doc of connection.collection('annual_records').find({}, { batchSize: READ_BATCH })) {
    const { _id: _i, ...rest } = doc;
    const r = rest as AnnualRecord;
    if (certs.has(r.workerId)) (records.get(r.workerId) ?? records.set(r.workerId, []).get(r.workerId)!).push(r);
  }
  const docs: EntryDoc[] = [];
  const counts = new Map<string, CounterRow>();
  for (const [workerId, held] of certs) {
    const entries = allowanceEntriesOf(policies, held, records.get(workerId) ?? []);
    tally(allowanceKeys(entries), 1, counts);
    for (const e of entries) docs.push(toDoc(e));
  }
  const counterDocs = [...counts.values()].filter((r) => r.n !== 0).map((r) => ({ _id: counterId(r), ...r }));
  const counterCollection = connection.collection<{ _id: string } & CounterRow>('dashboard_counters');
  await Promise.all([collection.deleteMany({}), counterCollection.deleteMany({ kind: { $in: [...ALLOWANCE_KINDS] } })]);
  await Promise.all([inBatches(docs, (b) => collection.insertMany(b, { ordered: false })), inBatches(counterDocs, (b) => counterCollection.insertMany(b, { ordered: false }))]);
  return { entries: docs.length, workers: certs.size };
}

/** Inserts in batches, two in flight (a full-size database has tens of thousands of entries). */
async function inBatches<T>(rows: readonly T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const from = next;
      next += BATCH;
      await insert(rows.slice(from, from + BATCH));
    }
  };
  await Promise.all([lane(), lane()]);
}

/** At start-up: recount when there are certificates but no allowance entry yet (a database from before them). */
export async function recountAllowanceIfMissing(connection: Connection, policies: PolicyLookup): Promise<boolean> {
  const [entry, certificate] = await Promise.all([
    connection.collection('allowance_entries').findOne({}, { projection: { _id: 1 } }),
    connection.collection('certificates').findOne({}, { projection: { _id: 1 } }),
  ]);
  if (entry || !certificate) return false;
  await recountAllowance(connection, policies);
  return true;
}
