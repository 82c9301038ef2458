import { Schema, type Connection } from 'mongoose';
import { idNumberFacts } from '../../domain/identity/idNumber.ts';
import type { WorkerProfile } from '../../domain/worker/profile.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import type { CreateWorkerResult, WorkerRecord, WorkerRepository } from '../../app/ports/workerRepository.ts';
import { isDuplicateKey, modelOf, trusted } from './connection.ts';

/**
 * Workers. ID and mobile numbers are stored as AES-GCM ciphertext plus an HMAC; the unique index on the ID HMAC
 * is what refuses a second account for the same person, atomically, without reading first. Birth date and gender
 * are personal data read off the ID number, so they are not stored at all: they are derived from it on read.
 */
interface WorkerDoc extends Omit<WorkerProfile, 'idNumber' | 'mobile' | 'birthDate' | 'gender'> {
  orgId?: string | null;
  accountKey: string;
  channel: string;
  userId: string;
  idHmac: string;
  idCipher: string;
  mobileHmac: string;
  mobileCipher: string;
  registeredAt: Date;
  updatedAt: Date;
  locale?: string;
}

const schema = new Schema<WorkerDoc>(
  {
    accountKey: { type: String, required: true, unique: true },
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    idHmac: { type: String, required: true, unique: true },
    idCipher: { type: String, required: true },
    mobileHmac: { type: String, required: true, index: true },
    mobileCipher: { type: String, required: true },
    // The console's certificate search by the holder's full name (exact, as typed) reads this index.
    name: { type: String, required: true, index: true },
    membership: { type: String, required: true },
    joinDate: { type: String, required: true },
    orgName: { type: String, required: true },
    orgType: { type: String, required: true },
    role: { type: String, required: true },
    regionCode: { type: String, required: true, index: true },
    orgId: { type: String, default: null, index: true },
    workStart: { type: String, required: true },
    education: { type: String, required: true },
    professionalTitle: { type: String, required: true },
    registeredAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    locale: { type: String },
  },
  { collection: 'workers', versionKey: 'version' },
);

/** Fields earlier versions stored in plaintext next to the sealed ID number they were read from. */
const LEGACY_PLAINTEXT = { birthDate: '', gender: '' };

/**
 * Removes those plaintext copies from every worker document; run once at start-up (idempotent, and cheap when
 * there is nothing left to remove). Returns how many documents it changed.
 */
export async function removePlaintextBirthFacts(connection: Connection): Promise<number> {
  const result = await connection
    .collection('workers')
    .updateMany({ $or: Object.keys(LEGACY_PLAINTEXT).map((field) => ({ [field]: { $exists: true } })) }, { $unset: LEGACY_PLAINTEXT });
  return result.modifiedCount;
}

export function createMongoWorkerRepository(connection: Connection, cipher: PiiCipher): WorkerRepository {
  const Model = modelOf<WorkerDoc>(connection, 'Worker', schema);
  const accountKey = (channel: string, userId: string) => `${channel}:${userId}`;

  const toRecord = (doc: WorkerDoc & { _id: unknown }): WorkerRecord => {
    const idNumber = cipher.decrypt(doc.idCipher);
    return {
      id: String(doc._id),
      channel: doc.channel,
      userId: doc.userId,
      name: doc.name,
      mobile: cipher.decrypt(doc.mobileCipher),
      idNumber,
      // Documents written before they were dropped may still hold plaintext copies: ignored, and removed at start-up.
      ...idNumberFacts(idNumber),
      membership: doc.membership,
      joinDate: doc.joinDate,
      orgName: doc.orgName,
      orgType: doc.orgType,
      role: doc.role,
      regionCode: doc.regionCode,
      workStart: doc.workStart,
      education: doc.education,
      professionalTitle: doc.professionalTitle,
      orgId: doc.orgId ?? null,
      registeredAt: doc.registeredAt,
      updatedAt: doc.updatedAt,
      ...(doc.locale ? { locale: doc.locale } : {}),
    };
  };

  return {
    async findByAccount(channel, userId) {
      const doc = await Model.findOne({ accountKey: accountKey(channel, userId) }).lean();
      return doc ? toRecord(doc as WorkerDoc & { _id: unknown }) : null;
    },

    async findById(id) {
      if (!/^[0-9a-f]{24}$/.test(id)) return null;
      const doc = await Model.findById(id).lean();
      return doc ? toRecord(doc as WorkerDoc & { _id: unknown }) : null;
    },

    async summaries(ids) {
      const valid = [...new Set(ids)].filter((id) => /^[0-9a-f]{24}$/.test(id));
      if (valid.length === 0) return [];
      // One $in read of the fields shown, projected: the sealed numbers are neither read nor decrypted.
      const docs = await Model.find({ _id: trusted({ $in: valid }) }, { name: 1, orgName: 1, orgId: 1 }).lean<{ _id: unknown; name: string; orgName: string; orgId?: string | null }[]>();
      return docs.map((d) => ({ id: String(d._id), name: d.name, orgName: d.orgName, orgId: d.orgId ?? null }));
    },

    async idsNamed(name, limit) {
      const docs = await Model.find({ name: String(name) }, { _id: 1 }).limit(limit).lean<{ _id: unknown }[]>();
      return docs.map((d) => String(d._id));
    },

    async findByIdNumber(idNumber) {
      const doc = await Model.findOne({ idHmac: cipher.hmac(idNumber) }).lean();
      return doc ? toRecord(doc as WorkerDoc & { _id: unknown }) : null;
    },

    async create(channel, userId, profile, now, orgId = null, locale): Promise<CreateWorkerResult> {
      // birthDate and gender are dropped: the ID number holds them (see toRecord).
      const { idNumber, mobile, birthDate: _birthDate, gender: _gender, ...plain } = profile;
      try {
        const doc = await Model.create({
          ...plain,
          orgId,
          accountKey: accountKey(channel, userId),
          channel,
          userId,
          idHmac: cipher.hmac(idNumber),
          idCipher: cipher.encrypt(idNumber),
          mobileHmac: cipher.hmac(mobile),
          mobileCipher: cipher.encrypt(mobile),
          registeredAt: now,
          updatedAt: now,
          ...(locale === undefined ? {} : { locale: String(locale) }),
        });
        return { status: 'created', worker: toRecord(doc.toObject() as WorkerDoc & { _id: unknown }) };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Which unique index refused it? Read instead of parsing the message: servers word it differently.
        const mine = await Model.findOne({ accountKey: accountKey(channel, userId) }).lean();
        return mine ? { status: 'alreadyRegistered' } : { status: 'duplicateId' };
      }
    },

    async setLocale(channel, userId, locale) {
      // Not a profile edit: updatedAt and the version stay as they are.
      await Model.updateOne({ accountKey: accountKey(channel, userId) }, { $set: { locale: String(locale) } });
    },

    async update(channel, userId, changes, now) {
      const { mobile, ...plain } = changes;
      const set: Record<string, unknown> = { ...plain, updatedAt: now };
      if (mobile !== undefined) Object.assign(set, { mobileHmac: cipher.hmac(mobile), mobileCipher: cipher.encrypt(mobile) });
      const doc = await Model.findOneAndUpdate(
        { accountKey: accountKey(channel, userId) },
        { $set: set, $unset: LEGACY_PLAINTEXT, $inc: { version: 1 } },
        { returnDocument: 'after', strict: false },
      ).lean<WorkerDoc & { _id: unknown }>();
      return doc ? toRecord(doc as WorkerDoc & { _id: unknown }) : null;
    },
  };
}
