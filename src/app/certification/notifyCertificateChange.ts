import type { Certificate } from '../../domain/certification/types.ts';
import type { CertificationDeps } from './deps.ts';
import { localeOf } from './workerLocale.ts';

/**
 * What happened to a certificate, as its holder is told: a failed 年检 suspends or revokes it, an admin may
 * suspend, revoke or restore it (a corrected 年检 restores it), and it expires (told a month before, and on the day).
 */
export type CertificateChange = 'inspectionSuspended' | 'inspectionRevoked' | 'suspended' | 'revoked' | 'restored' | 'expired';

/**
 * Tells the holder, on the account they registered with and in their language, what changed, why (`reason`,
 * an admin's note, shown as written) and what to do. Returns whether the push was delivered; a failure is
 * logged, not thrown: the change itself is saved, and the holder also sees it under "我的证书".
 */
export async function notifyCertificateChange(
  deps: Pick<CertificationDeps, 'sender' | 'translator' | 'logger' | 'workers' | 'policies'>,
  cert: Certificate,
  change: CertificateChange,
  reason?: string,
): Promise<boolean> {
  const worker = await deps.workers.findById(cert.workerId).catch(() => null);
  if (!worker) {
    deps.logger.warn({ certificate: cert.number, change }, 'certificate holder not found; not told of the change');
    return false;
  }
  const locale = localeOf(worker);
  const level = deps.policies.get(cert.policyId)?.levels.find((l) => l.id === cert.level)?.name[locale] ?? cert.level;
  const note = reason?.trim();
  const text = deps.translator.t(locale, `certification:certificateChange.${change}`, {
    level,
    number: cert.number,
    validUntil: cert.validUntil,
    reason: note ? deps.translator.t(locale, 'certification:certificateChange.reason', { note }) : '',
  });
  const result = await deps.sender.send(worker.channel, worker.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, permanent: false, reason: String(err) }));
  if (!result.ok) deps.logger.warn({ certificate: cert.number, change, reason: result.reason }, 'could not tell the holder of a certificate change');
  return result.ok;
}
