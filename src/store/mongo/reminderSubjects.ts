import { Types, type Connection } from 'mongoose';
import type { IdleConversation, ReminderSubjects, SubjectCertificate, SubjectWorker } from '../../app/ports/reminderSubjects.ts';
import type { Role } from '../../domain/training/types.ts';

/**
 * Read-only queries over `workers`, `certificates`, `training_hours` and `conversations` for the fact-based
 * reminder sweep. The collections belong to their repositories; this adapter only reads the plain fields (never
 * the sealed ones) and adds the one index its range needs on workers (role, work start).
 */
interface WorkerFields {
  _id: Types.ObjectId;
  channel: string;
  userId: string;
  regionCode: string;
  role: Role;
  workStart: string;
}
interface CertificateFields {
  _id: string;
  workerId: string;
  level: string;
  policyId: string;
  regionCode: string;
  issuedOn: string;
  validUntil: string;
  status: SubjectCertificate['status'];
}
interface ConversationFields {
  _id: string;
  channel: string;
  userId: string;
  flowId: string | null;
  stepId: string | null;
  locale: string;
  updatedAt: Date;
}

const WORKER_FIELDS = { channel: 1, userId: 1, regionCode: 1, role: 1, workStart: 1 } as const;
const CERT_FIELDS = { workerId: 1, level: 1, policyId: 1, regionCode: 1, issuedOn: 1, validUntil: 1, status: 1 } as const;
const CONVERSATION_FIELDS = { channel: 1, userId: 1, flowId: 1, stepId: 1, locale: 1, updatedAt: 1 } as const;
const ACTIVE: { $in: SubjectCertificate['status'][] } = { $in: ['valid', 'suspended'] };

const toWorker = (d: WorkerFields): SubjectWorker => ({ id: String(d._id), channel: d.channel, userId: d.userId, regionCode: d.regionCode, role: d.role, workStart: d.workStart });
const toCertificate = ({ _id, ...rest }: CertificateFields): SubjectCertificate => ({ number: _id, ...rest });
const toConversation = (d: ConversationFields): IdleConversation => ({ channel: d.channel, userId: d.userId, flowId: d.flowId ?? '', stepId: d.stepId, locale: d.locale, updatedAt: d.updatedAt });
const objectIds = (ids: readonly string[]) => ids.filter((id) => Types.ObjectId.isValid(id) && /^[a-f0-9]{24}$/.test(id)).map((id) => new Types.ObjectId(id));
const afterId = (after: string | null) => (after && Types.ObjectId.isValid(after) ? { _id: { $gt: new Types.ObjectId(after) } } : {});

export function createMongoReminderSubjects(connection: Connection): ReminderSubjects & { init(): Promise<void> } {
  const db = () => connection.db!;
  const workers = () => db().collection<WorkerFields>('workers');
  const certificates = () => db().collection<CertificateFields>('certificates');
  const conversations = () => db().collection<ConversationFields>('conversations');

  return {
    async init() {
      await workers().createIndex({ role: 1, workStart: 1 });
    },

    async certificatesEndingBetween(from, to, limit) {
      return (await certificates().find({ status: ACTIVE, validUntil: { $gte: from, $lte: to } }, { projection: CERT_FIELDS }).sort({ validUntil: 1 }).limit(limit).toArray()).map(toCertificate);
    },

    async activeCertificates(after, limit) {
      return (await certificates().find({ status: ACTIVE, ...(after ? { _id: { $gt: after } } : {}) }, { projection: CERT_FIELDS }).sort({ _id: 1 }).limit(limit).toArray()).map(toCertificate);
    },

    async workersStartedBetween(roles, from, to, after, limit) {
      return (
        await workers()
          .find({ role: { $in: [...roles] }, workStart: { $gte: from, $lte: to }, ...afterId(after) }, { projection: WORKER_FIELDS })
          .sort({ _id: 1 })
          .limit(limit)
          .toArray()
      ).map(toWorker);
    },

    async workersInPostSince(q) {
      const base = { regionCode: { $regex: `^${q.regionPrefix.replace(/\D/g, '')}` }, role: { $in: [...q.roles] } };
      const sort = { workStart: 1, _id: 1 } as const;
      const find = (filter: object, limit: number) => workers().find({ ...base, ...filter }, { projection: WORKER_FIELDS }).sort(sort).limit(limit).toArray();
      // Two range queries instead of one $or (the embedded server plans an $or by a full scan): the rest of the
      // cursor's day, then the later days up to `startedBy`.
      const ties = q.after && Types.ObjectId.isValid(q.after.id) ? await find({ workStart: q.after.workStart, _id: { $gt: new Types.ObjectId(q.after.id) } }, q.limit) : [];
      const later = ties.length < q.limit ? await find({ workStart: q.after ? { $gt: q.after.workStart, $lte: q.startedBy } : { $lte: q.startedBy } }, q.limit - ties.length) : [];
      return [...ties, ...later].map(toWorker);
    },

    async workers(after, limit) {
      return (await workers().find(afterId(after), { projection: WORKER_FIELDS }).sort({ _id: 1 }).limit(limit).toArray()).map(toWorker);
    },

    async workersById(ids) {
      const found = await workers().find({ _id: { $in: objectIds(ids) } }, { projection: WORKER_FIELDS }).toArray();
      return new Map(found.map((d) => [String(d._id), toWorker(d)]));
    },

    async workersByAccount(accounts) {
      if (accounts.length === 0) return new Map();
      const found = await workers().find({ accountKey: { $in: [...accounts] } }, { projection: { ...WORKER_FIELDS, accountKey: 1 } }).toArray();
      return new Map(found.map((d) => [`${d.channel}:${d.userId}`, toWorker(d)]));
    },

    async hoursOf(workerIds, year) {
      if (workerIds.length === 0) return new Map();
      const rows = await db()
        .collection('training_hours')
        .aggregate<{ _id: string; hours: number }>([{ $match: { workerId: { $in: [...workerIds] }, year } }, { $group: { _id: '$workerId', hours: { $sum: '$hours' } } }])
        .toArray();
      return new Map(rows.map((r) => [r._id, r.hours]));
    },

    async idleConversations(from, to, limit) {
      return (
        await conversations()
          .find({ flowId: { $ne: null }, updatedAt: { $gte: from, $lt: to } }, { projection: CONVERSATION_FIELDS })
          .sort({ updatedAt: 1 })
          .limit(limit)
          .toArray()
      ).map(toConversation);
    },

    async conversation(channel, userId) {
      const d = await conversations().findOne({ _id: `${channel}:${userId}` }, { projection: CONVERSATION_FIELDS });
      return d && d.flowId ? toConversation(d) : null;
    },
  };
}
