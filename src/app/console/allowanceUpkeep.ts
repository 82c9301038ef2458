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
 * The records keep one annual record per worker and year, so at most one certificate of a worker is assessed for a
 * year; the domain's one-allowance-per-worker rule is applied over all of the worker's certificates anyway.
 */
export function keepingAllowance(inner: { certificates: CertificateRepository; annual: AnnualRecordRepository }, store: AllowanceStore, policies: PolicyLookup) {
  // One recomputation at a time per worker in this instance: two at once would read the same entries as `before`
  // and both move the counters from them (two admins recording a worker's inspection and assessment together).
  // Across instances that can still happen; `npm run console:recount` puts the counters right.
  const running = new Map<string, Promise<void>>();
  function refresh(workerId: string): Promise<void> {
    const next = (running.get(workerId) ?? Promise.resolve()).catch(() => undefined).then(() => recompute(workerId));
    running.set(workerId, next);
    const forget = () => void (running.get(workerId) === next && running.delete(workerId));
    next.then(forget, forget);
    return next;
  }
  async function recompute(workerId: string): Promise<void> {
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
