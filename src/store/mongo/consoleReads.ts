import { ObjectId, type Document, type Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Certificate, CertificateStatus } from '../../domain/certification/types.ts';
import type { ConsoleReads, Count, ReadScope, TrendRow } from '../../app/ports/consoleReads.ts';

/**
 * The console's read model over the collections the other adapters write (applications, certificates,
 * annual_records, workers, admins, audit_log): counts by aggregation on an indexed match, searches by index.
 * Region scope is always an equality on the multikey `regionPath` (see applicationRepository), levels an `$in`.
 * Every value put in a filter is checked to be a string (or built here), so no input can become an operator.
 */

const BOUNDARIES = [2, 4, 6, 9];

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function scopeMatch(scope: ReadScope): Document {
  const prefix = str(scope.regionPrefix, 'regionPrefix');
  const match: Document = {};
  if (prefix !== '') {
    if (!BOUNDARIES.includes(prefix.length)) throw new RangeError(`region prefix ${prefix} is not at an administrative boundary`);
    match.regionPath = prefix;
  }
  if (scope.levels) match.level = { $in: scope.levels.map((l) => str(l, 'level')) };
  return match;
}

const counts = <K extends string>(rows: { _id: K | null; n: number }[]): Count<K>[] =>
  rows.filter((r) => r._id !== null && r._id !== undefined).map((r) => ({ key: r._id as K, count: r.n }));

const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

export function createMongoConsoleReads(connection: Connection): ConsoleReads {
  const applications = connection.collection('applications');
  const certificates = connection.collection('certificates');
  const annual = connection.collection('annual_records');
  const workers = connection.collection('workers');
  const admins = connection.collection('admins');
  const audit = connection.collection('audit_log');

  const group = async <K extends string>(collection: typeof applications, match: Document, key: unknown): Promise<Count<K>[]> =>
    counts<K>(await collection.aggregate<{ _id: K | null; n: number }>([{ $match: match }, { $group: { _id: key, n: { $sum: 1 } } }]).toArray());

  return {
    async applicationsBy(scope, field) {
      const match = scopeMatch(scope);
      if (field === 'subRegion') {
        const depth = scope.regionPrefix === '' ? 0 : BOUNDARIES.indexOf(scope.regionPrefix.length) + 1;
        return group(applications, match, { $arrayElemAt: ['$regionPath', depth] });
      }
      return group(applications, match, field === 'stage' ? '$stage' : '$level');
    },

    async waiting(filter, bucketStarts, oldest) {
      const match: Document = {
        ...scopeMatch(filter),
        status: 'open',
        level: { $in: filter.actingLevels.map((l) => str(l, 'level')) },
        ...(filter.exceptStages.length ? { stage: { $nin: filter.exceptStages.map((s) => str(s, 'stage')) } } : {}),
      };
      // bucketStarts are ISO times, newest first: bucket i is [start(i), start(i-1)), the last one older than all.
      const bounds = bucketStarts.map((b) => str(b, 'bucket start'));
      const ranges = [...bounds.map((start, i) => ({ $gte: start, ...(i > 0 ? { $lt: bounds[i - 1] } : {}) })), bounds.length ? { $lt: bounds.at(-1) } : {}];
      const [bucketCounts, rows] = await Promise.all([
        Promise.all(ranges.map((range) => applications.countDocuments({ ...match, stageSince: range }))),
        applications
          .find(match, { projection: { workerId: 1, level: 1, stage: 1, policyId: 1, stageSince: 1 } })
          .sort({ stageSince: 1 })
          .limit(oldest)
          .toArray(),
      ]);
      return {
        total: bucketCounts.reduce((a, b) => a + b, 0),
        counts: bucketCounts,
        oldest: rows.map((d) => ({ id: String(d._id), workerId: d.workerId, level: d.level, stage: d.stage, policyId: d.policyId, since: d.stageSince })),
      };
    },

    certificatesByStatus(scope) {
      return group<CertificateStatus>(certificates, scopeMatch(scope), '$status');
    },

    async trends(scope, fromMonth) {
      const from = str(fromMonth, 'fromMonth');
      const match = scopeMatch(scope);
      const [declared, closed] = await Promise.all([
        applications.aggregate<{ _id: string; n: number }>([{ $match: { ...match, createdAt: { $gte: from } } }, { $group: { _id: { $substr: ['$createdAt', 0, 7] }, n: { $sum: 1 } } }]).toArray(),
        applications
          .aggregate<{ _id: { s: string; m: string }; n: number }>([
            { $match: { ...match, status: { $in: ['certified', 'returned', 'rejected'] }, updatedAt: { $gte: from } } },
            { $group: { _id: { s: '$status', m: { $substr: ['$updatedAt', 0, 7] } }, n: { $sum: 1 } } },
          ])
          .toArray(),
      ]);
      const rows = new Map<string, TrendRow>();
      const last = [...declared.map((d) => d._id), ...closed.map((c) => c._id.m)].sort().at(-1) ?? from;
      for (let m = from; m <= last; m = nextMonth(m)) rows.set(m, { month: m, declared: 0, certified: 0, returned: 0, rejected: 0 });
      for (const d of declared) if (rows.has(d._id)) rows.get(d._id)!.declared = d.n;
      for (const c of closed) {
        const row = rows.get(c._id.m);
        if (row && (c._id.s === 'certified' || c._id.s === 'returned' || c._id.s === 'rejected')) row[c._id.s] = c.n;
      }
      return [...rows.values()];
    },

    async countsForYear(scope, year, day) {
      const match = scopeMatch(scope);
      const start = `${year}-01-01`;
      const end = `${year + 1}-01-01`;
      const key = { r: '$regionCode', l: '$level' };
      type Row = { _id: { r: string; l: string }; n: number };
      const [declared, certified, active] = await Promise.all([
        applications.aggregate<Row>([{ $match: { ...match, createdAt: { $gte: start, $lt: end } } }, { $group: { _id: key, n: { $sum: 1 } } }]).toArray(),
        applications.aggregate<Row>([{ $match: { ...match, status: 'certified', updatedAt: { $gte: start, $lt: end } } }, { $group: { _id: key, n: { $sum: 1 } } }]).toArray(),
        certificates.aggregate<Row>([{ $match: { ...match, status: 'valid', issuedOn: { $lte: str(day, 'day') }, validUntil: { $gte: day } } }, { $group: { _id: key, n: { $sum: 1 } } }]).toArray(),
      ]);
      const rows = new Map<string, { regionCode: string; level: string; declared: number; certified: number; active: number }>();
      const at = (k: Row['_id']) => {
        const id = `${k.r}|${k.l}`;
        if (!rows.has(id)) rows.set(id, { regionCode: k.r, level: k.l, declared: 0, certified: 0, active: 0 });
        return rows.get(id)!;
      };
      for (const d of declared) at(d._id).declared = d.n;
      for (const d of certified) at(d._id).certified = d.n;
      for (const d of active) at(d._id).active = d.n;
      return [...rows.values()].sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.level.localeCompare(b.level));
    },

    async annual(scope, year, dueLevels) {
      const match = scopeMatch(scope);
      if (dueLevels) match.level = { $in: dueLevels.filter((l) => !scope.levels || scope.levels.includes(l)).map((l) => str(l, 'level')) };
      // Due: certificates valid at some point of the year and not revoked.
      const held = await certificates
        .find({ ...match, issuedOn: { $lte: `${year}-12-31` }, validUntil: { $gte: `${year}-01-01` }, status: { $ne: 'revoked' } }, { projection: { _id: 1 } })
        .toArray();
      const numbers = new Set(held.map((c) => String(c._id)));
      // Annual records carry no region: the year's records, intersected with the certificates in scope.
      const records = await annual.find({ year }, { projection: { certificateNumber: 1, inspection: 1, assessment: 1 } }).toArray();
      let inspectionsDone = 0;
      let assessmentsDone = 0;
      for (const r of records) {
        if (!numbers.has(r.certificateNumber)) continue;
        if (r.inspection) inspectionsDone++;
        if (r.assessment) assessmentsDone++;
      }
      return { due: numbers.size, inspectionsDone, assessmentsDone };
    },

    async searchCertificates(q) {
      const filter: Filter<Document> = scopeMatch(q.scope);
      const idRange: Document = {};
      if (q.number !== undefined) {
        const n = str(q.number, 'number');
        Object.assign(idRange, { $gte: n, $lt: `${n}\uffff` });
      }
      if (q.after !== undefined) idRange.$gt = str(q.after, 'after');
      if (Object.keys(idRange).length) filter._id = idRange;
      if (q.workerIds) filter.workerId = { $in: q.workerIds.map((w) => str(w, 'workerId')) };
      if (q.status) filter.status = str(q.status, 'status');
      const docs = await certificates.find(filter).sort({ _id: 1 }).limit(q.limit).toArray();
      return docs.map(({ _id, regionPath: _r, ...rest }) => ({ number: String(_id), ...rest }) as Certificate);
    },

    async workersNamed(name) {
      const docs = await workers.find({ name: str(name, 'name') }, { projection: { name: 1 } }).limit(500).toArray();
      return docs.map((d) => ({ id: String(d._id), name: d.name }));
    },

    async workerNames(ids) {
      const valid = [...new Set(ids)].filter((id) => /^[0-9a-f]{24}$/.test(id)).map((id) => new ObjectId(id));
      if (!valid.length) return new Map();
      const docs = await workers.find({ _id: { $in: valid } }, { projection: { name: 1 } }).toArray();
      return new Map(docs.map((d) => [String(d._id), d.name as string]));
    },

    async adminsInRegion(regionPrefix) {
      const prefix = str(regionPrefix, 'regionPrefix');
      if (!/^\d{0,9}$/.test(prefix)) throw new RangeError('region prefix must be digits');
      const docs = await admins.find(prefix ? { regionCode: { $regex: `^${prefix}` } } : {}, { projection: { name: 1, regionCode: 1 } }).toArray();
      return docs.map((d) => ({ id: String(d._id), name: d.name, regionCode: d.regionCode }));
    },

    async searchAudit(q) {
      const prefix = str(q.regionPrefix, 'regionPrefix');
      const filter: Document = prefix === '' ? {} : { regionPath: prefix };
      if (q.adminId !== undefined) filter.adminId = str(q.adminId, 'adminId');
      if (q.action !== undefined) filter.action = str(q.action, 'action');
      if (q.target !== undefined) filter.target = str(q.target, 'target');
      const at: Document = {};
      if (q.from) at.$gte = q.from;
      if (q.to) at.$lt = q.to;
      if (Object.keys(at).length) filter.at = at;
      let docs: Document[];
      if (q.before) {
        // Keyset on (at, _id), newest first: the rest of the cursor's millisecond, then strictly older entries.
        // Two queries rather than one `$or`, since each is a seek on the (…, at, _id) index and an `$or` is not.
        const id = new ObjectId(str(q.before.id, 'cursor id'));
        const inRange = (t: Date) => (!q.from || t >= q.from) && (!q.to || t < q.to);
        const sameAt = inRange(q.before.at) ? await audit.find({ ...filter, at: q.before.at, _id: { $lt: id } }).sort({ at: -1, _id: -1 }).limit(q.limit).toArray() : [];
        const older = sameAt.length < q.limit ? await audit.find({ ...filter, at: { ...at, $lt: q.to && q.to < q.before.at ? q.to : q.before.at } }).sort({ at: -1, _id: -1 }).limit(q.limit - sameAt.length).toArray() : [];
        docs = [...sameAt, ...older];
      } else {
        docs = await audit.find(filter).sort({ at: -1, _id: -1 }).limit(q.limit).toArray();
      }
      return docs.map(({ _id, at: when, adminId, action, target, outcome, detail }) => ({
        id: String(_id),
        at: (when as Date).toISOString(),
        adminId,
        action,
        target,
        outcome,
        ...(detail !== undefined ? { detail } : {}),
      }));
    },
  };
}
