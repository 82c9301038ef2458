import { stageEnteredAt } from '../../domain/certification/stageAge.ts';
import type { Application, Certificate } from '../../domain/certification/types.ts';
import { annualKeys, applicationKeys, certificateKeys, counterDeltas } from '../../domain/dashboard/counterKeys.ts';
import type { AnnualRecordRepository, ApplicationRepository, CertificateRepository } from '../ports/certification.ts';
import type { DashboardCounterStore } from '../ports/dashboardCounters.ts';

/**
 * The repositories the use cases write through, wrapped so that every successful write moves the dashboard's
 * counters by the record's change of keys (src/domain/dashboard/counterKeys.ts). The counters follow the write, so
 * a crash between the two leaves them off by that one write until the next recount (`npm run console:recount`).
 */

const keysOfApplication = (a: Application) => applicationKeys({ ...a, stageSince: stageEnteredAt(a) });
const keysOfCertificate = (c: Pick<Certificate, 'regionCode' | 'level' | 'status' | 'issuedOn' | 'validUntil'>) => certificateKeys(c);

export function countingApplications(inner: ApplicationRepository, counters: DashboardCounterStore): ApplicationRepository {
  return {
    ...inner,
    async create(app) {
      await inner.create(app);
      await counters.add(counterDeltas([], keysOfApplication(app)));
    },
    async save(app) {
      // The stored version the save replaces: the compare-and-set below succeeds only over version - 1, so when
      // this read returns that version it is exactly what the save replaced.
      const before = await inner.get(app.id);
      await inner.save(app);
      if (before && before.version === app.version - 1) await counters.add(counterDeltas(keysOfApplication(before), keysOfApplication(app)));
    },
  };
}

export function countingCertificates(inner: CertificateRepository, counters: DashboardCounterStore): CertificateRepository {
  return {
    ...inner,
    async issue(input, year, format) {
      // Issue is idempotent per application: count only a certificate this call created.
      const existed = (await inner.listByWorker(input.workerId)).some((c) => c.applicationId === input.applicationId);
      const cert = await inner.issue(input, year, format);
      if (!existed) await counters.add(counterDeltas([], keysOfCertificate(cert)));
      return cert;
    },
    async setStatus(number, status, reason, actor, at) {
      const cert = await inner.setStatus(number, status, reason, actor, at);
      // The status it had is the one before the entry this call pushed.
      const was = cert?.statusHistory.at(-2)?.status;
      if (cert && was !== undefined) await counters.add(counterDeltas(keysOfCertificate({ ...cert, status: was }), keysOfCertificate(cert)));
      return cert;
    },
  };
}

export function countingAnnualRecords(inner: AnnualRecordRepository, certificates: CertificateRepository, counters: DashboardCounterStore): AnnualRecordRepository {
  const counted =
    <A extends unknown[]>(write: (workerId: string, certificateNumber: string, year: number, ...rest: A) => ReturnType<AnnualRecordRepository['recordInspection']>) =>
    async (workerId: string, certificateNumber: string, year: number, ...rest: A) => {
      const before = await inner.get(workerId, year);
      const after = await write(workerId, certificateNumber, year, ...rest);
      const cert = await certificates.get(certificateNumber);
      const was = before && before.certificateNumber !== certificateNumber ? await certificates.get(before.certificateNumber) : cert;
      await counters.add(counterDeltas(before && was ? annualKeys(before, was) : [], cert ? annualKeys(after, cert) : []));
      return after;
    };
  return {
    ...inner,
    recordInspection: counted(inner.recordInspection.bind(inner)),
    recordAssessment: counted(inner.recordAssessment.bind(inner)),
  };
}
