import { addDays, expiryNoticeDue } from '../../domain/certification/expiryNotice.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { z } from 'zod';
import type { JobDefinition } from '../ports/scheduler.ts';
import type { CertificationDeps } from './deps.ts';
import { notifyCertificateChange } from './notifyCertificateChange.ts';

/** A periodic sweep telling holders their certificate has expired (the month before is a reminder kind). */
export const CERTIFICATE_NOTICE_SWEEP_JOB = 'certification.certificateNotices';

/**
 * Each notice goes out once per certificate: it is claimed on the certificate first (a single-document
 * conditional write, so two instances sweeping at once send it once), then pushed; a push that fails is released
 * for the next sweep. A crash between the claim and the push loses that one notice rather than risk sending it
 * twice. Stale "has expired" notices (see expiryNotice.ts) are claimed without a push.
 */
export function certificateNoticeSweep(deps: CertificationDeps) {
  return async (): Promise<{ sent: number; failed: number; stale: number }> => {
    const now = deps.clock.now();
    const today = chinaDate(now);
    let sent = 0;
    let failed = 0;
    let stale = 0;
    for (const cert of await deps.certificates.dueForExpiryNotice(addDays(today, -1))) {
      const due = expiryNoticeDue(cert, today);
      if (!due) continue;
      try {
        if (!(await deps.certificates.claimNotice(cert.number, due.notice, now))) continue;
        if (due.stale) {
          stale++;
          continue;
        }
        if (await notifyCertificateChange(deps, cert, due.notice)) {
          sent++;
        } else {
          failed++;
          await deps.certificates.releaseNotice(cert.number, due.notice);
        }
      } catch (err) {
        failed++;
        deps.logger.error({ err, certificate: cert.number, notice: due.notice }, 'certificate notice failed; will retry');
      }
    }
    if (sent || failed) deps.logger.info({ sent, failed, stale }, 'certificate expiry notices');
    return { sent, failed, stale };
  };
}

export function certificateNoticeSweepJob(deps: CertificationDeps): JobDefinition<Record<string, never>> {
  const sweep = certificateNoticeSweep(deps);
  return {
    name: CERTIFICATE_NOTICE_SWEEP_JOB,
    data: z.object({}).strict(),
    handler: async () => void (await sweep()),
    options: { concurrency: 1, every: '1 hour' },
  };
}
