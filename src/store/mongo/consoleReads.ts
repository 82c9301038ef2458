import { ObjectId, type Document, type Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Certificate, CertificateStatus } from '../../domain/certification/types.ts';
import type { ConsoleReads, Count, ReadScope, TrendRow } from '../../app/ports/consoleReads.ts';
import type { DashboardCounterStore } from '../../app/ports/dashboardCounters.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { inForceAtYearEnd, type CounterKind, type CounterRow } from '../../domain/dashboard/counterKeys.ts';

/**
 * The console's read model over the collections the other adapters write (applications, certificates,
 * workers, admins, audit_log): the dashboard's counts from the counters kept up on write (dashboardCounters.ts),
 * the 报表 counts from counters too (plus, for a day before the year's end, two small index ranges), searches by index.
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

/** Counter rows summed by a key of each, zeros left out. */
function sumBy<K extends string>(rows: readonly CounterRow[], keyOf: (r: CounterRow) => K): Count<K>[] {
  const sums = new Map<K, number>();
  for (const r of rows) sums.set(keyOf(r), (sums.get(keyOf(r)) ?? 0) + r.n);
  return [...sums].filter(([, n]) => n !== 0).map(([key, count]) => ({ key, count }));
}

const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

export function createMongoConsoleReads(connection: Connection, counters: DashboardCounterStore): ConsoleReads {
  const applications = connection.collection('applications');
  const certificates = connection.collection('certificates');
  const workers = connection.collection('workers');
  const admins = connection.collection('admins');
  const audit = connection.collection('audit_log');

  /** The dashboard counters of a kind in the scope's region, at the scope's levels. */
  const counted = async (scope: ReadScope, kind: CounterKind, fromDay?: string, toDay?: string): Promise<CounterRow[]> => {
    const prefix = str(scope.regionPrefix, 'regionPrefix');
    if (prefix !== '' && !BOUNDARIES.includes(prefix.length)) throw new RangeError(`region prefix ${prefix} is not at an administrative boundary`);
    const rows = await counters.read(kind, prefix, fromDay, toDay);
    return scope.levels ? rows.filter((r) => scope.levels!.includes(r.level)) : rows;
  };

  return {
    async applicationsBy(scope, field) {
      const rows = await counted(scope, field === 'subRegion' ? 'subRegion' : 'stage');
      return sumBy(rows, (r) => (field === 'level' ? r.level : r.key));
    },

    async waiting(filter, bucketStarts, oldest) {
      const match: Document = {
        ...scopeMatch(filter),
        status: 'open',
        level: { $in: filter.actingLevels.map((l) => str(l, 'level')) },
        ...(filter.exceptStages.length ? { stage: { $nin: filter.exceptStages.map((s) => str(s, 'stage')) } } : {}),
      };
      const acting = new Set(filter.actingLevels);
      const except = new Set(filter.exceptStages);
      const waits = (r: CounterRow) => acting.has(r.level) && !except.has(r.key);
      // bucketStarts are ISO times, newest first: bucket i is [start(i), start(i-1)), the last one older than all.
      // The counters know the China day each application entered its stage, so a bucket is whole days from the
      // day of its start: an application is at most a day off its exact age.
      const days = bucketStarts.map((b) => chinaDate(new Date(str(b, 'bucket start'))));
      const [open, recent, rows] = await Promise.all([
        counted(filter, 'open'),
        days.length ? counted(filter, 'openDay', days.at(-1)) : Promise.resolve([]),
        applications
          .find(match, { projection: { workerId: 1, level: 1, stage: 1, policyId: 1, stageSince: 1 } })
          .sort({ stageSince: 1 })
          .limit(oldest)
          .toArray(),
      ]);
      const total = open.filter(waits).reduce((n, r) => n + r.n, 0);
      const counts = days.map(() => 0);
      for (const r of recent) {
        if (!waits(r)) continue;
        const i = days.findIndex((d) => r.day! >= d);
        if (i >= 0) counts[i]! += r.n;
      }
      counts.push(total - counts.reduce((a, b) => a + b, 0));
      return {
        total,
        counts,
        oldest: rows.map((d) => ({ id: String(d._id), workerId: d.workerId, level: d.level, stage: d.stage, policyId: d.policyId, since: d.stageSince })),
      };
    },

    async certificatesByStatus(scope) {
      return sumBy(await counted(scope, 'certStatus'), (r) => r.key as CertificateStatus);
    },

    async trends(scope, fromMonth) {
      const from = str(fromMonth, 'fromMonth');
      const [declaredRows, closedRows] = await Promise.all([counted(scope, 'declared'), counted(scope, 'closed')]);
      const declared = sumBy(declaredRows, (r) => r.key).filter((c) => c.key >= from);
      const closed = sumBy(closedRows, (r) => r.key)
        .map((c) => ({ s: c.key.split('|')[0]!, m: c.key.split('|')[1]!, n: c.count }))
        .filter((c) => c.m >= from);
      const rows = new Map<string, TrendRow>();
      const last = [...declared.map((d) => d.key), ...closed.map((c) => c.m)].sort().at(-1) ?? from;
      for (let m = from; m <= last; m = nextMonth(m)) rows.set(m, { month: m, declared: 0, certified: 0, returned: 0, rejected: 0 });
      for (const d of declared) if (rows.has(d.key)) rows.get(d.key)!.declared = d.count;
      for (const c of closed) {
        const row = rows.get(c.m);
        if (row && (c.s === 'certified' || c.s === 'returned' || c.s === 'rejected')) row[c.s] = c.n;
      }
      return [...rows.values()];
    },

    async countsForYear(scope, year, day) {
      const y = String(year);
      const onDay = str(day, 'day');
      const yearEnd = `${y}-12-31`;
      const match = { ...scopeMatch(scope), status: 'valid' };
      const byRegion = (r: CounterRow) => r.key.split('|')[0]!;
      // On the year's last day the counters alone say what was in force. On an earlier day (today, in the current
      // year) two corrections from the records, each a range on an index and as small as its range: certificates
      // issued after the day (normally none), and those ending between the day and the year's end.
      const partial = onDay < yearEnd;
      const projection = { projection: { _id: 0, regionCode: 1, level: 1 } };
      const [declared, certified, spans, notYet, ending] = await Promise.all([
        counted(scope, 'yearDeclared', y, y),
        counted(scope, 'yearCertified', y, y),
        counted(scope, 'validSpan', partial ? String(year + 1) : y),
        partial ? certificates.find({ ...match, issuedOn: { $gt: onDay, $lte: yearEnd }, validUntil: { $gt: yearEnd } }, projection).toArray() : Promise.resolve([]),
        partial ? certificates.find({ ...match, validUntil: { $gte: onDay, $lte: yearEnd }, issuedOn: { $lte: onDay } }, projection).toArray() : Promise.resolve([]),
      ]);
      const rows = new Map<string, { regionCode: string; level: string; declared: number; certified: number; active: number }>();
      const at = (regionCode: string, level: string) => {
        const id = `${regionCode}|${level}`;
        if (!rows.has(id)) rows.set(id, { regionCode, level, declared: 0, certified: 0, active: 0 });
        return rows.get(id)!;
      };
      for (const r of declared) at(r.key, r.level).declared += r.n;
      for (const r of certified) at(r.key, r.level).certified += r.n;
      // partial: the spans read end after the year, so only their first year is left to check.
      for (const r of spans) if (partial ? Number(r.key.split('|')[1]) <= year : inForceAtYearEnd(r, year)) at(byRegion(r), r.level).active += r.n;
      for (const c of notYet) at(c.regionCode, c.level).active -= 1;
      for (const c of ending) at(c.regionCode, c.level).active += 1;
      return [...rows.values()].filter((r) => r.declared || r.certified || r.active).sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.level.localeCompare(b.level));
    },

    async annual(scope, year, dueLevels) {
      const levels = dueLevels ? { ...scope, levels: dueLevels.filter((l) => !scope.levels || scope.levels.includes(l)) } : scope;
      // Due: certificates not revoked whose validity runs through some day of the year.
      const [spans, inspected, assessed] = await Promise.all([counted(levels, 'certSpan'), counted(levels, 'inspected'), counted(levels, 'assessed')]);
      const due = spans.filter((r) => Number(r.key.split('|')[0]) <= year && year <= Number(r.key.split('|')[1])).reduce((n, r) => n + r.n, 0);
      const ofYear = (rows: CounterRow[]) => rows.filter((r) => r.key === String(year)).reduce((n, r) => n + r.n, 0);
      return { due, inspectionsDone: ofYear(inspected), assessmentsDone: ofYear(assessed) };
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

    async recentCertificates(q) {
      const scope = scopeMatch(q.scope);
      const page = (filter: Filter<Document>, limit: number) => certificates.find({ ...scope, ...filter }).sort({ issuedOn: -1, _id: -1 }).limit(limit).toArray();
      let docs: Document[];
      if (!q.before) docs = await page({}, q.limit);
      else {
        // Two ranges of the (regionPath, issuedOn, _id) index rather than one $or, which the planner cannot bound:
        // the rest of the cursor's day below its number, then the days before it. Numbers are the string _id
        // (Document: the driver types _id as an ObjectId).
        const issuedOn = str(q.before.issuedOn, 'issuedOn');
        const sameDay: Document = { issuedOn, _id: { $lt: str(q.before.number, 'number') } };
        docs = await page(sameDay, q.limit);
        if (docs.length < q.limit) docs = docs.concat(await page({ issuedOn: { $lt: issuedOn } }, q.limit - docs.length));
      }
      return docs.map(({ _id, regionPath: _r, ...rest }) => ({ number: String(_id), ...rest }) as Certificate);
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
