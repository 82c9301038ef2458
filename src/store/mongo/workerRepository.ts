import { Schema, type Connection } from 'mongoose';
import type { WorkerProfile } from '../../domain/worker/profile.ts';
import type { PiiCipher } from '../../infra/piiCipher.ts';
import type { CreateWorkerResult, WorkerRecord, WorkerRepository } from '../../app/ports/workerRepository.ts';
import { isDuplicateKey, modelOf } from './connection.ts';

/**
 * Workers. ID and mobile numbers are stored as AES-GCM ciphertext plus an HMAC; the unique index on the ID HMAC
 * is what refuses a second account for the same person, atomically, without reading first.
 */
interface WorkerDoc extends Omit<WorkerProfile, 'idNumber' | 'mobile'> {
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
    name: { type: String, required: true },
    gender: { type: String, required: true },
    birthDate: { type: String, required: true },
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
  },
  { collection: 'workers', versionKey: 'version' },
);

export function createMongoWorkerRepository(connection: Connection, cipher: PiiCipher): WorkerRepository {
  const Model = modelOf<WorkerDoc>(connection, 'Worker', schema);
  const accountKey = (channel: string, userId: string) => `${channel}:${userId}`;

  const toRecord = (doc: WorkerDoc & { _id: unknown }): WorkerRecord => ({
    id: String(doc._id),
    channel: doc.channel,
    userId: doc.userId,
    name: doc.name,
    mobile: cipher.decrypt(doc.mobileCipher),
    idNumber: cipher.decrypt(doc.idCipher),
    gender: doc.gender,
    birthDate: doc.birthDate,
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
  });

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

    async findByIdNumber(idNumber) {
      const doc = await Model.findOne({ idHmac: cipher.hmac(idNumber) }).lean();
      return doc ? toRecord(doc as WorkerDoc & { _id: unknown }) : null;
    },

    async create(channel, userId, profile, now, orgId = null): Promise<CreateWorkerResult> {
      const { idNumber, mobile, ...plain } = profile;
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
        });
        return { status: 'created', worker: toRecord(doc.toObject() as WorkerDoc & { _id: unknown }) };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Which unique index refused it? Read instead of parsing the message: servers word it differently.
        const mine = await Model.findOne({ accountKey: accountKey(channel, userId) }).lean();
        return mine ? { status: 'alreadyRegistered' } : { status: 'duplicateId' };
      }
    },

    async update(channel, userId, changes, now) {
      const { mobile, ...plain } = changes;
      const set: Record<string, unknown> = { ...plain, updatedAt: now };
      if (mobile !== undefined) Object.assign(set, { mobileHmac: cipher.hmac(mobile), mobileCipher: cipher.encrypt(mobile) });
      const doc = await Model.findOneAndUpdate({ accountKey: accountKey(channel, userId) }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<WorkerDoc & { _id: unknown }>();
      return doc ? toRecord(doc as WorkerDoc & { _id: unknown }) : null;
    },
  };
}
