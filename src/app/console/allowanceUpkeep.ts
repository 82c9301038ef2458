import { allowanceEntriesOf, yearsHeld } from '../../domain/certification/allowanceEntries.ts';
import type { PolicyLookup } from '../../domain/certification/annual.ts';
import type { AnnualRecord } from '../../domain/certification/types.ts';
import type { AllowanceStore } from '../ports/allowance.ts';
import type { AnnualRecordRepository, CertificateRepository } from '../ports/certification.ts';

/**
 * The repositories the use cases write through, wrapped so that every write that can change a worker's 红领津贴
 * (a certificate issued or its status changed, an inspection or assessment recorded) recomputes that worker's
 * allowance entries from all of their certificates and records. Like the dashboard counters, a crash between the
 * write and the entries leaves that worker's entries stale until their next write or `npm run console:recount`.
 */
export function keepingAllowance(inner: { certificates: CertificateRepository; annual: AnnualRecordRepository }, store: AllowanceStore, policies: PolicyLookup) {
  async function refresh(workerId: string): Promise<void> {
    const [certificates, before] = await Promise.all([inner.certificates.listByWorker(workerId), store.ofWorker(workerId)]);
    const years = [...new Set(certificates.flatMap(yearsHeld))];
    const records = (await Promise.all(years.map((y) => inner.annual.get(workerId, y)))).filter((r): r is AnnualRecord => r !== null);
    await store.replace(workerId, before, allowanceEntriesOf(policies, certificates, records));
  }
  const certificates: CertificateRepository = {
    ...inner.certificates,
    async issue(input, year, format) {
      const cert = await inner.certificates.issue(input, year, format);
      await refresh(cert.workerId);
      return cert;
    },
    async setStatus(number, status, reason, actor, at) {
      const cert = await inner.certificates.setStatus(number, status, reason, actor, at);
      if (cert) await refresh(cert.workerId);
      return cert;
    },
  };
  const annual: AnnualRecordRepository = {
    ...inner.annual,
    async recordInspection(workerId, ...rest) {
      const r = await inner.annual.recordInspection(workerId, ...rest);
      await refresh(workerId);
      return r;
    },
    async recordAssessment(workerId, ...rest) {
      const r = await inner.annual.recordAssessment(workerId, ...rest);
      await refresh(workerId);
      return r;
    },
  };
  return { certificates, annual };
}
