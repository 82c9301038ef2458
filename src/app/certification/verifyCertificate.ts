import { effectiveStatus } from '../../domain/certification/annual.ts';
import type { CertificateScope } from '../../domain/certification/types.ts';
import type { PolicySet } from '../../domain/policy/load.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import type { CertificateRepository } from '../ports/certification.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';

/** What anyone holding a certificate number may learn: nothing beyond this (no ID, no phone, no full name). */
export interface PublicCertificate {
  number: string;
  holder: string;
  level: { 'zh-CN': string; en: string };
  policy: { 'zh-CN': string; en: string };
  scope: CertificateScope;
  status: 'valid' | 'suspended' | 'revoked' | 'expired';
  issuedOn: string;
  validUntil: string;
}

export const CERTIFICATE_NUMBER = /^[A-Za-z0-9-]{6,40}$/;

export function verifyCertificate(deps: { certificates: CertificateRepository; workers: WorkerRepository; policies: PolicySet }) {
  return async (number: string, today: string): Promise<PublicCertificate | null> => {
    if (!CERTIFICATE_NUMBER.test(number)) return null;
    // Numbers are printed in capitals, but people type them as they like ("3201002026z00042"); an exact match is
    // tried first so a policy whose number format has lower-case text still finds its own numbers.
    const upper = number.toUpperCase();
    const cert = (await deps.certificates.get(number)) ?? (upper !== number ? await deps.certificates.get(upper) : null);
    if (!cert) return null;
    const worker = await deps.workers.findById(cert.workerId);
    const policy = deps.policies.get(cert.policyId);
    const level = policy?.levels.find((l) => l.id === cert.level);
    return {
      number: cert.number,
      holder: worker ? maskName(worker.name) : '—',
      level: level?.name ?? { 'zh-CN': cert.level, en: cert.level },
      policy: policy?.name ?? { 'zh-CN': cert.policyId, en: cert.policyId },
      scope: cert.scope,
      status: effectiveStatus(cert, today),
      issuedOn: cert.issuedOn,
      validUntil: cert.validUntil,
    };
  };
}
