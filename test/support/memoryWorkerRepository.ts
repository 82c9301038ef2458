import type { CreateWorkerResult, WorkerRecord, WorkerRepository } from '../../src/app/ports/workerRepository.ts';

/**
 * An in-memory WorkerRepository for pure engine tests. It passes the same contract suite as the Mongo one
 * (test/store/workerRepositoryContract.ts), so engine tests can trust its answers.
 */
export function createMemoryWorkerRepository(): WorkerRepository {
  const byAccount = new Map<string, WorkerRecord>();
  const byId = new Map<string, string>();
  let seq = 0;
  const key = (c: string, u: string) => `${c}:${u}`;
  return {
    async findByAccount(channel, userId) {
      const w = byAccount.get(key(channel, userId));
      return w ? structuredClone(w) : null;
    },
    async findById(id) {
      for (const w of byAccount.values()) if (w.id === id) return structuredClone(w);
      return null;
    },
    async summaries(ids) {
      const wanted = new Set(ids);
      return [...byAccount.values()].filter((w) => wanted.has(w.id)).map((w) => ({ id: w.id, name: w.name, orgName: w.orgName, orgId: w.orgId }));
    },
    async idsNamed(name, limit) {
      return [...byAccount.values()].filter((w) => w.name === name).slice(0, limit).map((w) => w.id);
    },
    async findByIdNumber(idNumber) {
      const k = byId.get(idNumber);
      return k ? structuredClone(byAccount.get(k)!) : null;
    },
    async create(channel, userId, profile, now, orgId = null, locale): Promise<CreateWorkerResult> {
      const k = key(channel, userId);
      if (byAccount.has(k)) return { status: 'alreadyRegistered' };
      if (byId.has(profile.idNumber)) return { status: 'duplicateId' };
      const worker: WorkerRecord = { ...profile, id: String(++seq), orgId, channel, userId, registeredAt: now, updatedAt: now, ...(locale === undefined ? {} : { locale }) };
      byAccount.set(k, worker);
      byId.set(profile.idNumber, k);
      return { status: 'created', worker: structuredClone(worker) };
    },
    async setLocale(channel, userId, locale) {
      const w = byAccount.get(key(channel, userId));
      if (w) w.locale = locale;
    },
    async update(channel, userId, changes, now) {
      const w = byAccount.get(key(channel, userId));
      if (!w) return null;
      Object.assign(w, changes, { updatedAt: now });
      return structuredClone(w);
    },
  };
}
