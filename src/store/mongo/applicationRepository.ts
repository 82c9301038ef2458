import { Schema, type Connection } from 'mongoose';
import type { Filter } from 'mongodb';
import type { Application, ApplicationStatus } from '../../domain/certification/types.ts';
import { ConflictError, OpenApplicationExistsError, type ApplicationFilter, type ApplicationRepository, type Page } from '../../app/ports/certification.ts';
import { stageEnteredAt } from '../../domain/certification/stageAge.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Applications, one document per application (`_id` = application id). The application's own fields are stored
 * as they are; four derived fields exist only for queries and constraints and are stripped on the way out:
 *
 * - `openKey`: `${workerId}:${level}` while the application is open or returned, `${workerId}:${level}:${id}`
 *   once it is closed, under a UNIQUE index. That is "one open application per worker and level" without a
 *   partial index (the embedded test server ignores partial filters; a plain unique index works everywhere), and
 *   it is enforced by the server on every insert and replace, so two racing creates give one winner.
 * - `regionPath`: the region code's prefixes at the administrative boundaries (2 province, 4 city, 6 county,
 *   9 township digits), e.g. ['32', '3201', '320102']. An admin's region prefix (always one of those, see
 *   domain/regions regionPrefix) is then an EQUALITY match on a multikey field, so the compound indexes
 *   (regionPath, [stage|status|level], sortKey) hand back the newest N of one region in index order, with no
 *   in-memory sort. An anchored regex on regionCode would be a range scan: good for finding the rows, but a
 *   range over many codes (all counties of a city) is not ordered by date, so every matching row would be
 *   fetched and sorted before the first page. Prefixes of other lengths still work, through that regex.
 * - `sortKey`: `${createdAt as canonical ISO}|${id}`. ISO times are fixed-width, so ordering by this one string
 *   is ordering by (createdAt, id); the keyset cursor is then a single `$lt` bound on the last index field.
 * - `noticeDue`: a Date, present only while the application is open and has a notice end; a sparse index on it
 *   holds just the applications waiting for their public notice to end.
 * - `stageSince`: when the application entered its current stage (domain stageEnteredAt), for the console's
 *   "waiting for how long" without reading every history; indexed with region and status.
 * - `certificateDue`: a Date (when it was certified), present only while the application is certified and its
 *   certificate number is not recorded yet; a sparse index on it holds just the applications whose certificate
 *   is still to be issued or recorded (normally none, for more than the moment between two writes).
 *
 * Reads and writes go to the native collection (no mongoose casting, no sanitizeFilter): every filter here is
 * built by this file from values checked to be strings, so nothing a caller passes can become an operator.
 */
interface ApplicationDoc extends Omit<Application, 'id'> {
  _id: string;
  openKey: string;
  regionPath: string[];
  sortKey: string;
  noticeDue?: Date;
  certificateDue?: Date;
  stageSince?: string;
}

const schema = new Schema<ApplicationDoc>(
  {
    _id: String,
    openKey: { type: String, required: true },
    regionPath: { type: [String], required: true },
    sortKey: { type: String, required: true },
    noticeDue: { type: Date },
    certificateDue: { type: Date },
    stageSince: { type: String },
    workerId: { type: String, required: true },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    policyId: { type: String, required: true },
    regionCode: { type: String, required: true },
    level: { type: String, required: true },
    wayIn: { type: String, required: true },
    recommendingOrg: String,
    declared: { type: Schema.Types.Mixed, default: {} },
    evidence: { type: [String], default: [] },
    stage: { type: String, required: true },
    status: { type: String, required: true },
    testScore: { type: Number, default: null },
    satisfaction: { type: Number, default: null },
    objections: { type: Schema.Types.Mixed, default: [] },
    noticeStartedAt: { type: String, default: null },
    noticeEndsAt: { type: String, default: null },
    certificateNumber: { type: String, default: null },
    history: { type: Schema.Types.Mixed, default: [] },
    createdAt: { type: String, required: true },
    updatedAt: { type: String, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'applications', versionKey: false, _id: false, minimize: false },
);
// One open application per worker and level (see openKey above).
schema.index({ openKey: 1 }, { unique: true });
// save()'s compare-and-set filter. Redundant on MongoDB, which answers { _id, version } from the _id index; the
// embedded server answers from a unique index only a query that names exactly that index's fields, and its
// secondary indexes (src/store/embedded/SecondaryIndex.java) have none on _id, so without this one every save
// scanned the whole collection (about 90 ms at 100,000 applications).
schema.index({ _id: 1, version: 1 }, { unique: true });
// listByWorker.
schema.index({ workerId: 1, sortKey: -1 });
// The admin lists: equality fields first, then the sort key, which also carries the cursor bound (ESR). With
// `levels` ($in) the server merges the per-level ranges of the level index, still in order.
schema.index({ regionPath: 1, sortKey: -1 });
schema.index({ regionPath: 1, stage: 1, sortKey: -1 });
schema.index({ regionPath: 1, status: 1, sortKey: -1 });
schema.index({ regionPath: 1, level: 1, sortKey: -1 });
schema.index({ policyId: 1, sortKey: -1 });
// Whole-country views (no region prefix); other fields are filtered on the rows this walks.
schema.index({ sortKey: -1 });
// The console's waiting list and its ages (src/store/mongo/consoleReads.ts): open applications, oldest in stage first.
schema.index({ regionPath: 1, status: 1, stageSince: 1 });
// noticesDueBy: only documents that have the field are in it.
schema.index({ noticeDue: 1 }, { sparse: true });
// certificatesMissingBy, likewise.
schema.index({ certificateDue: 1 }, { sparse: true });

/** The cursor passed to `list` was not one it handed out. The HTTP layer answers 400. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const OPEN_STATUSES: ReadonlySet<ApplicationStatus> = new Set(['open', 'returned']);
/** Lengths of a region code's prefixes at the administrative boundaries: province, city, county, township. */
const REGION_BOUNDARIES = [2, 4, 6, 9] as const;
const ISO_LENGTH = 24; // 2026-03-01T02:00:00.000Z
const SORT_KEY = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|./;
const WRITE = { ignoreUndefined: true } as const;

/** Filter values come typed and validated from the caller; checked again here so none can carry an operator. */
function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function regionPathOf(regionCode: string): string[] {
  return REGION_BOUNDARIES.filter((n) => n <= regionCode.length).map((n) => regionCode.slice(0, n));
}

export const openKeyOf = (app: Pick<Application, 'id' | 'workerId' | 'level' | 'status'>): string =>
  OPEN_STATUSES.has(app.status) ? `${app.workerId}:${app.level}` : `${app.workerId}:${app.level}:${app.id}`;

const sortKeyOf = (app: Pick<Application, 'id' | 'createdAt'>): string => `${new Date(app.createdAt).toISOString()}|${app.id}`;

function toDoc(app: Application): ApplicationDoc {
  const { id, ...rest } = app;
  const doc: ApplicationDoc = {
    _id: id,
    ...rest,
    openKey: openKeyOf(app),
    regionPath: regionPathOf(app.regionCode),
    sortKey: sortKeyOf(app),
    stageSince: stageEnteredAt(app),
  };
  if (app.status === 'open' && app.noticeEndsAt) doc.noticeDue = new Date(app.noticeEndsAt);
  if (app.status === 'certified' && !app.certificateNumber) doc.certificateDue = new Date(app.updatedAt);
  return doc;
}

function toApplication(doc: ApplicationDoc): Application {
  const { _id, openKey: _o, regionPath: _r, sortKey: _s, noticeDue: _n, certificateDue: _c, stageSince: _t, ...rest } = doc;
  return { id: _id, ...rest };
}

const encodeCursor = (sortKey: string) => Buffer.from(sortKey, 'utf8').toString('base64url');

function decodeCursor(cursor: unknown): string {
  if (typeof cursor !== 'string' || cursor.length > 1024) throw new InvalidCursorError('invalid cursor');
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!SORT_KEY.test(key) || Number.isNaN(Date.parse(key.slice(0, ISO_LENGTH)))) throw new InvalidCursorError('invalid cursor');
  return key;
}

/**
 * Marks certified applications that lack a certificate number but were written before `certificateDue` existed,
 * so the certificate sweep finds them too; run at start-up (idempotent). Returns how many it marked.
 */
export async function markMissingCertificates(connection: Connection): Promise<number> {
  const result = await connection
    .collection<ApplicationDoc>('applications')
    // The epoch: due since ever, whatever grace the sweep gives.
    .updateMany({ status: 'certified', certificateNumber: null, certificateDue: { $exists: false } }, { $set: { certificateDue: new Date(0) } });
  return result.modifiedCount;
}

/**
 * Sets `stageSince` on applications written before it existed; run at start-up (idempotent). Returns how many.
 */
export async function markStageSince(connection: Connection): Promise<number> {
  const collection = connection.collection<ApplicationDoc>('applications');
  let marked = 0;
  for (;;) {
    const docs = await collection.find({ stageSince: { $exists: false } }, { projection: { history: 1, stage: 1, createdAt: 1 } }).limit(1000).toArray();
    if (docs.length === 0) return marked;
    await collection.bulkWrite(docs.map((d) => ({ updateOne: { filter: { _id: d._id }, update: { $set: { stageSince: stageEnteredAt(d) } } } })));
    marked += docs.length;
  }
}

export function createMongoApplicationRepository(connection: Connection): ApplicationRepository {
  const collection = typedCollection<ApplicationDoc>(connection, 'Application', schema);

  const byOpenKey = (workerId: string, level: string) =>
    collection.findOne({ openKey: `${workerId}:${level}` });

  /** A write hit a unique index: an open application of that worker and level exists (or the id is taken). */
  async function explainDuplicate(app: Application, err: unknown): Promise<never> {
    if (OPEN_STATUSES.has(app.status)) {
      const existing = await byOpenKey(app.workerId, app.level);
      if (existing && existing._id !== app.id) throw new OpenApplicationExistsError(toApplication(existing));
    }
    throw err;
  }

  /** Documents whose sparse date `field` is at or before `at`, in that order; `still` re-checks what it stands for. */
  async function dueBy(field: 'noticeDue' | 'certificateDue', at: Date, still: (doc: ApplicationDoc) => boolean): Promise<Application[]> {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError(`${field === 'noticeDue' ? 'now' : 'before'} must be a valid Date`);
    const docs = await collection
      .find({ [field]: { $lte: at } })
      .sort({ [field]: 1, _id: 1 })
      .toArray();
    return docs.filter(still).map(toApplication);
  }

  return {
    async create(app) {
      str(app.id, 'id');
      // Retried once when the open application that refused this one was closed before it could be read.
      for (let attempt = 0; ; attempt++) {
        try {
          await collection.insertOne(toDoc(app), WRITE);
          return;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          if (OPEN_STATUSES.has(app.status)) {
            const existing = await byOpenKey(app.workerId, app.level);
            if (existing) throw new OpenApplicationExistsError(toApplication(existing));
            if (attempt === 0 && !(await collection.findOne({ _id: app.id }, { projection: { _id: 1 } }))) continue;
          }
          throw err;
        }
      }
    },

    async get(id) {
      const doc = await collection.findOne({ _id: str(id, 'id') });
      return doc ? toApplication(doc) : null;
    },

    async listByWorker(workerId) {
      const docs = await collection
        .find({ workerId: str(workerId, 'workerId') })
        .sort({ sortKey: -1 })
        .toArray();
      return docs.map(toApplication);
    },

    async save(app) {
      str(app.id, 'id');
      if (!Number.isInteger(app.version) || app.version < 1) throw new TypeError('version must be a positive integer');
      let matched: number;
      try {
        // Single-document compare-and-set: of two admins who read version n, only the first write of n+1 matches.
        const result = await collection.replaceOne({ _id: app.id, version: app.version - 1 }, toDoc(app), WRITE);
        matched = result.matchedCount;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return explainDuplicate(app, err);
      }
      if (matched !== 1) {
        const current = await collection.findOne({ _id: app.id }, { projection: { version: 1 } });
        throw new ConflictError(
          current
            ? `application ${app.id} is at version ${current.version}, not ${app.version - 1}: someone else changed it`
            : `application ${app.id} does not exist`,
        );
      }
    },

    async list(filter, page): Promise<Page<Application>> {
      const { limit } = page;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError('limit must be an integer from 1 to 100');
      const before = page.cursor === undefined || page.cursor === null ? null : decodeCursor(page.cursor);
      const query = buildQuery(filter, before);
      if (query === null) return { items: [], next: null };
      const docs = await collection
        .find(query)
        .sort({ sortKey: -1 })
        .limit(limit + 1)
        .toArray();
      const more = docs.length > limit;
      const items = (more ? docs.slice(0, limit) : docs).map(toApplication);
      const last = more ? docs[limit - 1] : undefined;
      return { items, next: last ? encodeCursor(last.sortKey) : null };
    },

    async noticesDueBy(now) {
      // noticeDue is only ever set on open applications; the status check guards documents written by hand.
      return dueBy('noticeDue', now, (d) => d.status === 'open');
    },

    async certificatesMissingBy(before) {
      return dueBy('certificateDue', before, (d) => d.status === 'certified' && !d.certificateNumber);
    },
  };
}

/**
 * The Mongo filter for an admin list; null when it can match nothing (a level outside the admin's levels).
 * Both MongoDB and the embedded server pick one of the compound indexes above from the equality fields, read it
 * in sortKey order and stop after the page. The embedded server still tests each candidate against the
 * conditions in key order, stopping at the first miss: the cheap scalar equalities come first, the multikey
 * region match last. The regex fallback (a prefix that is not an administrative boundary) reads no index there.
 */
function buildQuery(filter: ApplicationFilter, before: string | null): Filter<ApplicationDoc> | null {
  const query: Filter<ApplicationDoc> = {};
  if (filter.stage !== undefined) query.stage = str(filter.stage, 'stage');
  if (filter.status !== undefined) query.status = str(filter.status, 'status') as ApplicationStatus;
  // An empty `levels` means all levels, as on AdminRecord.
  const levels = filter.levels?.length ? filter.levels.map((l) => str(l, 'levels[]')) : null;
  if (filter.level !== undefined) {
    const level = str(filter.level, 'level');
    if (levels && !levels.includes(level)) return null;
    query.level = level;
  } else if (levels) {
    query.level = { $in: levels };
  }
  if (filter.policyId !== undefined) query.policyId = str(filter.policyId, 'policyId');
  if (filter.workerIds !== undefined) {
    if (filter.workerIds.length === 0) return null;
    query.workerId = { $in: filter.workerIds.map((w) => str(w, 'workerIds[]')) };
  }
  if (before !== null) query.sortKey = { $lt: before };
  if (filter.regionPrefix !== undefined && filter.regionPrefix !== '') {
    const prefix = str(filter.regionPrefix, 'regionPrefix');
    if ((REGION_BOUNDARIES as readonly number[]).includes(prefix.length)) query.regionPath = prefix;
    else query.regionCode = { $regex: `^${escapeRegex(prefix)}` };
  }
  return query;
}
