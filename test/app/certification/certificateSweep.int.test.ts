/**
 * The certify command's follow-ups run after its commit: issue the certificate, record its number, tell the
 * worker. A write failing (or the process dying) between them left a certified application without a number that
 * nothing completed. These tests make one of the writes fail, against the real Mongo stores, and run the sweep.
 */
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERTIFICATE_SWEEP_GRACE_MS, certificateSweep } from '../../../src/app/certification/certificateSweep.ts';
import type { CertificationDeps } from '../../../src/app/certification/deps.ts';
import { noticeEnded } from '../../../src/app/certification/noticeEnded.ts';
import { mediaSourceByScheme } from '../../../src/app/ports/media.ts';
import type { ApplicationRepository, CertificateRepository } from '../../../src/app/ports/certification.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import type { Sender } from '../../../src/app/ports/sender.ts';
import type { Application } from '../../../src/domain/certification/types.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { createMongoAdminRepository } from '../../../src/store/mongo/adminRepository.ts';
import { createMongoAnnualRecordRepository } from '../../../src/store/mongo/annualRecordRepository.ts';
import { createMongoApplicationRepository } from '../../../src/store/mongo/applicationRepository.ts';
import { createMongoAuditLog } from '../../../src/store/mongo/auditLog.ts';
import { createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoMediaStore } from '../../../src/store/mongo/mediaStore.ts';
import { createMongoOrganizationRepository } from '../../../src/store/mongo/organizationRepository.ts';
import { createMongoWorkerRepository } from '../../../src/store/mongo/workerRepository.ts';
import { TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { content } from '../../support/engineHarness.ts';
import { iso, sampleApplication } from '../../store/certificationContracts.ts';

let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('certificate_sweep'));
  createMongoApplicationRepository(connection);
  createMongoCertificateRepository(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

/** Nothing the certify command does schedules a job; a call here would be a change of behaviour to look at. */
const noScheduler = new Proxy({} as Scheduler, {
  get: (_target, name) => () => Promise.reject(new Error(`unexpected scheduler.${String(name)}`)),
});

function world() {
  const clock = new TestClock(new Date(iso(61)));
  const cipher = createPiiCipher(Buffer.alloc(32, 3));
  const sent: { userId: string; text: string }[] = [];
  const sender: Sender = {
    async send(_channel, userId, messages) {
      for (const m of messages) sent.push({ userId, text: m.text });
      return { ok: true };
    },
  };
  const c = content();
  const deps: CertificationDeps = {
    policies: c.policies,
    regions: c.regions,
    translator: c.translator,
    workers: createMongoWorkerRepository(connection, cipher),
    organizations: createMongoOrganizationRepository(connection),
    applications: createMongoApplicationRepository(connection),
    certificates: createMongoCertificateRepository(connection),
    annual: createMongoAnnualRecordRepository(connection),
    admins: createMongoAdminRepository(connection),
    audit: createMongoAuditLog(connection),
    media: createMongoMediaStore(connection, cipher),
    mediaSource: mediaSourceByScheme({}),
    sender,
    scheduler: noScheduler,
    clock,
    logger: createLogger('silent'),
    publicBaseUrl: 'https://bot.example.org',
  };
  return { deps, clock, sent };
}

/** A Jiangsu application whose public notice ended at iso(60): the scheduler's noticeEnded certifies it. */
async function inNotice(deps: CertificationDeps, id: string): Promise<Application> {
  const app = sampleApplication({
    id,
    workerId: `worker-${id}`,
    userId: `user-${id}`,
    stage: 'publicNotice',
    testScore: 85,
    satisfaction: 0.9,
    noticeStartedAt: iso(0),
    noticeEndsAt: iso(60),
  });
  await deps.applications.create(app);
  return app;
}

/** The applications store with the write that records the certificate number failing, as a crash there would. */
function failingNumberWrite(repo: ApplicationRepository): ApplicationRepository {
  return {
    ...repo,
    async save(app) {
      if (app.certificateNumber) throw new Error('connection lost while recording the certificate number');
      return repo.save(app);
    },
  };
}

/** The certificates store failing to issue, for the applications named. */
function failingIssue(repo: CertificateRepository, failFor: ReadonlySet<string>): CertificateRepository {
  return {
    ...repo,
    async issue(input, year, format) {
      if (failFor.has(input.applicationId)) throw new Error('connection lost while issuing the certificate');
      return repo.issue(input, year, format);
    },
  };
}

async function certificatesOf(deps: CertificationDeps, app: Application) {
  return deps.certificates.listByWorker(app.workerId);
}

describe('certificate sweep', () => {
  it('regression: a certified application whose certificate number was never recorded was completed by nothing', async () => {
    const { deps, clock, sent } = world();
    const app = await inNotice(deps, 'lost-number');

    // The certify command commits, issues the certificate, and then the second write fails.
    await expect(noticeEnded({ ...deps, applications: failingNumberWrite(deps.applications) })({ applicationId: app.id })).rejects.toThrow(
      'connection lost while recording the certificate number',
    );
    const stranded = (await deps.applications.get(app.id))!;
    expect(stranded).toMatchObject({ status: 'certified', certificateNumber: null });
    const issued = await certificatesOf(deps, app);
    expect(issued).toHaveLength(1);
    expect(sent).toEqual([]);

    // Within the grace period the sweep leaves it to the command that certified it.
    expect(await certificateSweep(deps)()).toEqual({ completed: 0, failed: 0 });
    expect((await deps.applications.get(app.id))!.certificateNumber).toBeNull();

    clock.advance(CERTIFICATE_SWEEP_GRACE_MS);
    expect(await certificateSweep(deps)()).toEqual({ completed: 1, failed: 0 });
    const completed = (await deps.applications.get(app.id))!;
    expect(completed).toMatchObject({ status: 'certified', certificateNumber: issued[0]!.number, version: stranded.version + 1 });
    expect(completed.history.filter((e) => e.action === 'certificateIssued')).toEqual([expect.objectContaining({ data: { number: issued[0]!.number } })]);
    expect(await certificatesOf(deps, app)).toEqual(issued);
    expect(sent).toEqual([{ userId: app.userId, text: expect.stringContaining(issued[0]!.number) }]);

    // Done: another sweep finds nothing, issues nothing and tells nobody.
    expect(await certificateSweep(deps)()).toEqual({ completed: 0, failed: 0 });
    expect(await certificatesOf(deps, app)).toEqual(issued);
    expect(sent).toHaveLength(1);
  });

  it('issues the one certificate when the first write (issuing it) failed', async () => {
    const { deps, clock, sent } = world();
    const app = await inNotice(deps, 'lost-certificate');
    await expect(noticeEnded({ ...deps, certificates: failingIssue(deps.certificates, new Set([app.id])) })({ applicationId: app.id })).rejects.toThrow(
      'connection lost while issuing the certificate',
    );
    expect(await deps.applications.get(app.id)).toMatchObject({ status: 'certified', certificateNumber: null });
    expect(await certificatesOf(deps, app)).toEqual([]);

    clock.advance(CERTIFICATE_SWEEP_GRACE_MS);
    expect(await certificateSweep(deps)()).toEqual({ completed: 1, failed: 0 });
    const issued = await certificatesOf(deps, app);
    expect(issued).toHaveLength(1);
    expect((await deps.applications.get(app.id))!.certificateNumber).toBe(issued[0]!.number);
    expect(sent).toHaveLength(1);
  });

  it('goes on past an application it cannot complete, and completes that one on a later sweep', async () => {
    const { deps, clock } = world();
    const stuck = await inNotice(deps, 'stuck');
    const other = await inNotice(deps, 'other');
    const failing = { ...deps, applications: failingNumberWrite(deps.applications) };
    await expect(noticeEnded(failing)({ applicationId: stuck.id })).rejects.toThrow();
    await expect(noticeEnded(failing)({ applicationId: other.id })).rejects.toThrow();
    clock.advance(CERTIFICATE_SWEEP_GRACE_MS);

    const stillFailing = { ...deps, certificates: failingIssue(deps.certificates, new Set([stuck.id])) };
    // Each sweep also sees the applications left by the other tests of this file; only these two are counted here.
    await certificateSweep(stillFailing)();
    expect((await deps.applications.get(stuck.id))!.certificateNumber).toBeNull();
    expect((await deps.applications.get(other.id))!.certificateNumber).toMatch(/\S/);

    await certificateSweep(deps)();
    const [stuckCert] = await certificatesOf(deps, stuck);
    expect((await deps.applications.get(stuck.id))!.certificateNumber).toBe(stuckCert!.number);
  });
});
