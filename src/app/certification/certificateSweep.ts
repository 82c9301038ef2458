import { z } from 'zod';
import type { JobDefinition } from '../ports/scheduler.ts';
import { CERTIFICATE_SWEEP_JOB, type CertificationDeps } from './deps.ts';
import { notifyWorker } from './notifyWorker.ts';
import { ensureCertificate } from './runCommand.ts';

/**
 * How long after certifying the command that certified an application is left to issue its certificate itself.
 * Both would issue the same one certificate; the wait only keeps the worker from being told twice.
 */
export const CERTIFICATE_SWEEP_GRACE_MS = 5 * 60_000;

/**
 * Completes what a crash or a failed write left between certifying an application and recording its certificate
 * number: the certify command's follow-ups (issue the certificate, record its number, tell the worker) ran after
 * its commit, so nothing else would run them again. Idempotent: ensureCertificate issues at most one certificate
 * per application and records its number once. One application that fails is logged and left for the next sweep.
 */
export function certificateSweep(deps: CertificationDeps) {
  return async (): Promise<{ completed: number; failed: number }> => {
    const before = new Date(deps.clock.now().getTime() - CERTIFICATE_SWEEP_GRACE_MS);
    let completed = 0;
    let failed = 0;
    for (const app of await deps.applications.certificatesMissingBy(before)) {
      const policy = deps.policies.get(app.policyId);
      if (!policy) {
        deps.logger.error({ application: app.id, policy: app.policyId }, 'certified application of a policy that is not loaded; certificate not issued');
        failed++;
        continue;
      }
      try {
        const done = await ensureCertificate(deps, app, policy);
        // Not recorded (ensureCertificate logged why): the application stays due for the next sweep.
        if (!done.certificateNumber) {
          failed++;
          continue;
        }
        // The certify notice was the command's last follow-up, so it was lost with the number; it carries the number.
        const certified = done.history.findLast((e) => e.toStatus === 'certified');
        if (certified) await notifyWorker(deps, done, policy, certified);
        deps.logger.info({ application: app.id, certificate: done.certificateNumber }, 'certificate completed by the sweep');
        completed++;
      } catch (err) {
        deps.logger.error({ err, application: app.id }, 'certificate sweep could not complete an application; will retry');
        failed++;
      }
    }
    return { completed, failed };
  };
}

export function certificateSweepJob(deps: CertificationDeps): JobDefinition<Record<string, never>> {
  const sweep = certificateSweep(deps);
  return {
    name: CERTIFICATE_SWEEP_JOB,
    data: z.object({}).strict(),
    handler: async () => void (await sweep()),
    options: { concurrency: 1, every: '10 minutes' },
  };
}
