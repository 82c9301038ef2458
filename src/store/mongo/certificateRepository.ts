import { Schema, type Connection } from 'mongoose';
import type { Certificate } from '../../domain/certification/types.ts';
import type { CertificateRepository } from '../../app/ports/certification.ts';
import { regionPathOf } from './applicationRepository.ts';
import { isDuplicateKey } from './connection.ts';
import { typedCollection } from './typedCollection.ts';

/**
 * Certificates (`_id` = the certificate number, so numbers are unique by the _id index) and their number counters.
 *
 * Numbering. One counter document per (issuing scope, year) in `counters`: `{ _id: 'cert:<scopeRegionCode>:<year>',
 * seq, claims }`. Issuing takes the next number with ONE atomic findOneAndUpdate (upsert) that does both
 * `$inc: { seq: 1 }` and `$push: { claims: applicationId }`, guarded by `claims: { $ne: applicationId }`. So:
 * - numbers are unique and consecutive: every increment is a single-document atomic write;
 * - `claims[seq - 1]` is the application that took number `seq`, written in the same write as the increment;
 * - an application never takes two numbers of one counter: once it is in `claims` the guard stops matching, the
 *   upsert then collides with the existing _id (E11000), and the number it already holds is read back from
 *   `claims`. Two concurrent issuances for one application therefore share one number and one certificate
 *   (the certificate's unique applicationId index picks the document, the loser reads it back).
 *
 * The remaining crash window: the process dies (or `format` throws, or the insert fails) after the counter write
 * and before the certificate insert. The number is then neither lost nor given to anyone else: it stays reserved
 * for that application in `claims`, and the next `issue` for the same application (the caller retries, since the
 * application is not certified yet) finds the reservation and inserts the certificate with that number. Until
 * then the window is bounded to that one number, and it is detectable: a counter whose `seq` exceeds the number
 * of certificates with its prefix names the waiting applications in `claims`. A hole can only stay if the
 * application is never issued again, or is retried with a different year or region (a crash at midnight on
 * 31 December); a reconciliation job can find those from `claims` and decide.
 *
 * `claims` grows by one short string per certificate of a (region, year): a few hundred kilobytes at ten
 * thousand certificates, far below the 16 MB document limit; the hot path projects it away.
 */
interface CertificateDoc extends Omit<Certificate, 'number'> {
  _id: string;
  regionPath: string[];
}

interface CounterDoc {
  _id: string;
  seq: number;
  claims: string[];
}

const certificateSchema = new Schema<CertificateDoc>(
  {
    _id: String,
    applicationId: { type: String, required: true },
    workerId: { type: String, required: true },
    policyId: { type: String, required: true },
    level: { type: String, required: true },
    regionCode: { type: String, required: true },
    regionPath: { type: [String], required: true },
    scope: { type: String, required: true },
    scopeRegionCode: { type: String, required: true },
    issuedOn: { type: String, required: true },
    validUntil: { type: String, required: true },
    status: { type: String, required: true },
    statusHistory: { type: Schema.Types.Mixed, default: [] },
    notices: { type: Schema.Types.Mixed },
  },
  { collection: 'certificates', versionKey: false, _id: false, minimize: false },
);
// One certificate per application: what makes `issue` idempotent even when two calls race.
certificateSchema.index({ applicationId: 1 }, { unique: true });
certificateSchema.index({ workerId: 1, issuedOn: 1 });
// listForRegion: equality on one region prefix (see applicationRepository regionPath), in number order.
certificateSchema.index({ regionPath: 1, _id: 1 });
// dueForExpiryNotice: a range on validUntil.
certificateSchema.index({ validUntil: 1 });
// The 报表 counts on a day before the year's end (consoleReads countsForYear): valid certificates of a region ending,
// or issued, in a range of days.
certificateSchema.index({ regionPath: 1, status: 1, validUntil: 1 });
certificateSchema.index({ regionPath: 1, status: 1, issuedOn: 1 });
// The console's search by the holder's name (consoleReads searchCertificates): the named workers' certificates in the
// admin's region. Without it the region's (regionPath, _id) index, which gives the sort, read every certificate of
// the region to find the few of those workers.
certificateSchema.index({ workerId: 1, regionPath: 1, _id: 1 });
// The console's certificates page before any search (consoleReads recentCertificates): the region's newest first.
certificateSchema.index({ regionPath: 1, issuedOn: -1, _id: -1 });
// listForRegion(prefix, year): the year's holders by a range on validUntil, not every certificate the region ever had.
certificateSchema.index({ regionPath: 1, validUntil: 1 });

const counterSchema = new Schema<CounterDoc>(
  { _id: String, seq: { type: Number, required: true }, claims: { type: [String], default: [] } },
  { collection: 'counters', versionKey: false, _id: false },
);

const WRITE = { ignoreUndefined: true } as const;
const MAX_CLAIM_ATTEMPTS = 5;

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function toCertificate(doc: CertificateDoc): Certificate {
  const { _id, regionPath: _r, ...rest } = doc;
  return { number: _id, ...rest };
}

export const certificateCounterId = (regionCode: string, year: number) => `cert:${regionCode}:${year}`;

export function createMongoCertificateRepository(connection: Connection): CertificateRepository {
  const certificates = typedCollection<CertificateDoc>(connection, 'Certificate', certificateSchema);
  const counters = typedCollection<CounterDoc>(connection, 'CertificateCounter', counterSchema);

  const byApplication = (applicationId: string) => certificates.findOne({ applicationId });

  /** The number this application already holds in the counter, if any. */
  async function reservedSeq(counterId: string, applicationId: string): Promise<number | null> {
    const doc = await counters.findOne({ _id: counterId }, { projection: { claims: 1 } });
    const index = doc?.claims?.indexOf(applicationId) ?? -1;
    return index === -1 ? null : index + 1;
  }

  /** Takes the next number of the counter for the application, or the one it already took. */
  async function claim(counterId: string, applicationId: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const doc = await counters.findOneAndUpdate(
          { _id: counterId, claims: { $ne: applicationId } },
          { $inc: { seq: 1 }, $push: { claims: applicationId } },
          { upsert: true, returnDocument: 'after', projection: { seq: 1 } },
        );
        if (doc) return doc.seq;
      } catch (err) {
        // The guard missed on an existing counter: this application holds a number already. Or two first
        // issuances of a new (region, year) raced to create the counter, and the other one won: try again.
        if (!isDuplicateKey(err)) throw err;
        const seq = await reservedSeq(counterId, applicationId);
        if (seq !== null) return seq;
      }
      if (attempt >= MAX_CLAIM_ATTEMPTS) throw new Error(`could not take a number from counter ${counterId}`);
    }
  }

  return {
    async issue(input, year, format) {
      const applicationId = str(input.applicationId, 'applicationId');
      str(input.regionCode, 'regionCode');
      if (!Number.isInteger(year)) throw new TypeError('year must be an integer');
      const existing = await byApplication(applicationId);
      if (existing) return toCertificate(existing);

      // Numbers are per issuing scope (the city, or the province for 特级), which is also the region in the
      // number itself: counting per county would give two counties of one city the same numbers.
      const counterId = certificateCounterId(str(input.scopeRegionCode, 'scopeRegionCode'), year);
      const seq = await claim(counterId, applicationId);
      // From here until the insert is the crash window described above: the number stays reserved in `claims`.
      const number = str(format(seq), 'certificate number');
      const doc: CertificateDoc = {
        _id: number,
        applicationId,
        workerId: input.workerId,
        policyId: input.policyId,
        level: input.level,
        regionCode: input.regionCode,
        regionPath: regionPathOf(input.regionCode),
        scope: input.scope,
        scopeRegionCode: input.scopeRegionCode,
        issuedOn: input.issuedOn,
        validUntil: input.validUntil,
        status: input.status,
        statusHistory: input.statusHistory,
      };
      try {
        await certificates.insertOne(doc, WRITE);
        return toCertificate(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A concurrent issue for the same application inserted it first (same reserved number): return theirs.
        const theirs = await byApplication(applicationId);
        if (theirs) return toCertificate(theirs);
        throw new Error(`certificate number ${number} (seq ${seq} of ${counterId}) already belongs to another certificate: does the number format include the region and year?`, { cause: err });
      }
    },

    async get(number) {
      const doc = await certificates.findOne({ _id: str(number, 'number') });
      return doc ? toCertificate(doc) : null;
    },

    async listByWorker(workerId) {
      const docs = await certificates
        .find({ workerId: str(workerId, 'workerId') })
        .sort({ issuedOn: 1, _id: 1 })
        .toArray();
      return docs.map(toCertificate);
    },

    async listForRegion(regionPrefix, heldIn) {
      const prefix = str(regionPrefix, 'regionPrefix');
      const region =
        prefix === ''
          ? {}
          : [2, 4, 6, 9].includes(prefix.length)
            ? { regionPath: prefix }
            : { regionCode: { $regex: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` } };
      if (heldIn !== undefined && !Number.isInteger(heldIn)) throw new TypeError('heldIn must be a year');
      const held = heldIn === undefined ? {} : { validUntil: { $gte: `${heldIn}-01-01` }, issuedOn: { $lte: `${heldIn}-12-31` } };
      const docs = await certificates.find({ ...region, ...held }).sort({ _id: 1 }).toArray();
      return docs.map(toCertificate);
    },

    async setStatus(number, status, reason, actor, at) {
      str(status, 'status');
      const entry: Certificate['statusHistory'][number] = { at: at.toISOString(), status, reason: str(reason, 'reason'), actor };
      const doc = await certificates.findOneAndUpdate(
        { _id: str(number, 'number') },
        { $set: { status }, $push: { statusHistory: entry } },
        { returnDocument: 'after', ignoreUndefined: true },
      );
      return doc ? toCertificate(doc) : null;
    },

    async dueForExpiryNotice(lastDay) {
      const docs = await certificates
        .find({ validUntil: { $lte: str(lastDay, 'lastDay') }, status: { $ne: 'revoked' }, 'notices.expired': { $exists: false } })
        .sort({ validUntil: 1, _id: 1 })
        .toArray();
      return docs.map(toCertificate);
    },

    async claimNotice(number, notice, at) {
      const field = `notices.${noticeField(notice)}`;
      const result = await certificates.updateOne({ _id: str(number, 'number'), [field]: { $exists: false } }, { $set: { [field]: at.toISOString() } });
      return result.modifiedCount === 1;
    },

    async releaseNotice(number, notice) {
      await certificates.updateOne({ _id: str(number, 'number') }, { $unset: { [`notices.${noticeField(notice)}`]: '' } });
    },
  };
}

/** The notice names become field names: only these two, never what a caller passed. */
function noticeField(notice: string): 'expiringSoon' | 'expired' {
  if (notice !== 'expiringSoon' && notice !== 'expired') throw new TypeError(`unknown certificate notice ${JSON.stringify(notice)}`);
  return notice;
}
