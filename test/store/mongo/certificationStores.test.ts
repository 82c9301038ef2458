import { afterAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoApplicationRepository } from '../../../src/store/mongo/applicationRepository.ts';
import { certificateCounterId, createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { createMongoAnnualRecordRepository } from '../../../src/store/mongo/annualRecordRepository.ts';
import { createMongoAdminRepository } from '../../../src/store/mongo/adminRepository.ts';
import { createMongoAuditLog } from '../../../src/store/mongo/auditLog.ts';
import { testDbUri } from '../../support/db.ts';
import {
  adminRepositoryContract,
  annualRecordRepositoryContract,
  applicationRepositoryContract,
  auditLogContract,
  certificateFormat,
  certificateRepositoryContract,
  seqOf,
} from '../certificationContracts.ts';
import { sampleApplication, sampleCertificateInput } from '../../support/certificationSamples.ts';

const connections: Connection[] = [];
afterAll(() => Promise.all(connections.map((c) => c.close())));

/** A connection to a fresh database, with the models' indexes built before the test starts. */
async function fresh<T>(factory: (c: Connection) => T, models: string[]): Promise<{ connection: Connection; repo: T }> {
  const connection = await connectMongo(testDbUri('certification'));
  connections.push(connection);
  const repo = factory(connection);
  await Promise.all(models.map((m) => connection.models[m]!.init()));
  return { connection, repo };
}

const applications = () => fresh(createMongoApplicationRepository, ['Application']);
const certificates = () => fresh(createMongoCertificateRepository, ['Certificate', 'CertificateCounter']);

applicationRepositoryContract('MongoDB', async () => (await applications()).repo);
certificateRepositoryContract('MongoDB', async () => (await certificates()).repo);
annualRecordRepositoryContract('MongoDB', async () => (await fresh(createMongoAnnualRecordRepository, ['AnnualRecord'])).repo);
adminRepositoryContract('MongoDB', async () => (await fresh(createMongoAdminRepository, ['Admin', 'AdminToken'])).repo);
auditLogContract('MongoDB', async () => (await fresh(createMongoAuditLog, ['AuditEntry'])).repo);

describe('Mongo application store at rest', () => {
  it('keeps the open key on a unique index, and frees it when the application closes', async () => {
    const { connection, repo } = await applications();
    const indexes = await connection.db!.collection('applications').indexes();
    expect(indexes.find((i) => i.name === 'openKey_1')).toMatchObject({ unique: true });
    expect(indexes.map((i) => i.name)).toEqual(expect.arrayContaining(['regionPath_1_stage_1_sortKey_-1', 'regionPath_1_sortKey_-1']));

    const app = sampleApplication({ regionCode: '320102001' });
    await repo.create(app);
    const raw = () => connection.db!.collection('applications').findOne({ _id: app.id as never });
    expect(await raw()).toMatchObject({ openKey: 'w1:junior', regionPath: ['32', '3201', '320102', '320102001'], sortKey: `${app.createdAt}|app1` });
    await repo.save({ ...app, status: 'rejected', version: 2 });
    expect(await raw()).toMatchObject({ openKey: 'w1:junior:app1' });
  });
});

describe('Mongo certificate numbering', () => {
  const fmt = certificateFormat('320102', 2026);

  it('records which application took each number, in the same write as the increment', async () => {
    const { connection, repo } = await certificates();
    await Promise.all(Array.from({ length: 20 }, (_, i) => repo.issue(sampleCertificateInput({ applicationId: `app${i}` }), 2026, fmt)));
    const counter = await connection.db!.collection('counters').findOne({ _id: certificateCounterId('320100', 2026) as never });
    expect(counter?.seq).toBe(20);
    const claims = counter?.claims as string[];
    for (const [i, applicationId] of claims.entries()) {
      expect(seqOf((await repo.get(fmt(i + 1)))!.number)).toBe(i + 1);
      expect((await repo.get(fmt(i + 1)))!.applicationId).toBe(applicationId);
    }
  });

  it('keeps the number of an issuance that died after the increment for the retry of that application (no gap)', async () => {
    const { repo } = await certificates();
    await repo.issue(sampleCertificateInput({ applicationId: 'before' }), 2026, fmt);
    // `format` throwing stands in for a crash between the counter write and the certificate insert.
    await expect(
      repo.issue(sampleCertificateInput({ applicationId: 'crashed' }), 2026, () => {
        throw new Error('crash');
      }),
    ).rejects.toThrow('crash');
    const after = await repo.issue(sampleCertificateInput({ applicationId: 'after' }), 2026, fmt);
    const retried = await repo.issue(sampleCertificateInput({ applicationId: 'crashed' }), 2026, fmt);
    expect([seqOf(after.number), seqOf(retried.number)]).toEqual([3, 2]);
    expect(await repo.get(fmt(2))).toMatchObject({ applicationId: 'crashed' });
  });

  it('refuses a number format that gives one number twice, instead of overwriting', async () => {
    const { repo } = await certificates();
    await repo.issue(sampleCertificateInput({ applicationId: 'a' }), 2026, () => 'SAME');
    await expect(repo.issue(sampleCertificateInput({ applicationId: 'b' }), 2026, () => 'SAME')).rejects.toThrow(/already belongs/);
    expect(await repo.get('SAME')).toMatchObject({ applicationId: 'a' });
  });
});
