import { z } from 'zod';
import type { JobDefinition } from '../ports/scheduler.ts';
import { NOTICE_ENDED_JOB, NOTICE_SWEEP_JOB, type CertificationDeps } from './deps.ts';
import { runCommand } from './runCommand.ts';

const noticeEndedData = z.object({ applicationId: z.string().min(1) });
type NoticeEndedData = z.infer<typeof noticeEndedData>;
const SYSTEM = { kind: 'system' as const, id: 'scheduler' };

/**
 * The end of a public notice (社会公示), run by the scheduler at the time the pipeline asked for: the application
 * advances (or is certified) when the period is over and no objection blocks it. Refusals are expected (an
 * objection was upheld meanwhile, an admin already advanced it) and only logged; running twice changes nothing.
 */
export function noticeEnded(deps: CertificationDeps) {
  return async ({ applicationId }: NoticeEndedData): Promise<void> => {
    const result = await runCommand(deps, applicationId, { type: 'noticeEnded' }, SYSTEM);
    if (!result.ok) deps.logger.info({ application: applicationId, reason: result.error.message }, 'public notice end: nothing to do');
  };
}

/** The job runCommand schedules (keyed by application id) when an application enters its public notice. */
export function noticeEndedJob(deps: CertificationDeps): JobDefinition<NoticeEndedData> {
  return { name: NOTICE_ENDED_JOB, data: noticeEndedData, handler: noticeEnded(deps), options: { concurrency: 4 } };
}

/** Catch up on notices whose job was lost: every open application whose notice period is over. */
export function noticeSweep(deps: CertificationDeps) {
  return async (): Promise<void> => {
    for (const app of await deps.applications.noticesDueBy(deps.clock.now())) await noticeEnded(deps)({ applicationId: app.id });
  };
}

export function noticeSweepJob(deps: CertificationDeps): JobDefinition<Record<string, never>> {
  const sweep = noticeSweep(deps);
  return { name: NOTICE_SWEEP_JOB, data: z.object({}).strict(), handler: () => sweep(), options: { concurrency: 1, every: '10 minutes' } };
}
