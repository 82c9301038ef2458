import { z } from 'zod';
import type { CertificationDeps } from './deps.ts';
import { runCommand } from './runCommand.ts';

const jobData = z.object({ applicationId: z.string().min(1) });
const SYSTEM = { kind: 'system' as const, id: 'scheduler' };

/**
 * The end of a public notice (社会公示), run by the scheduler at the time the pipeline asked for: the application
 * advances (or is certified) when the period is over and no objection blocks it. Refusals are expected (an
 * objection was upheld meanwhile, an admin already advanced it) and only logged; running twice changes nothing.
 */
export function noticeEnded(deps: CertificationDeps) {
  return async (data: Record<string, unknown>): Promise<void> => {
    const parsed = jobData.safeParse(data);
    if (!parsed.success) {
      deps.logger.error({ data }, 'notice-ended job without an application id; dropped');
      return;
    }
    const result = await runCommand(deps, parsed.data.applicationId, { type: 'noticeEnded' }, SYSTEM);
    if (!result.ok) deps.logger.info({ application: parsed.data.applicationId, reason: result.error.message }, 'public notice end: nothing to do');
  };
}

/** Catch up on notices whose job was lost: every open application whose notice period is over. */
export function noticeSweep(deps: CertificationDeps) {
  return async (): Promise<void> => {
    for (const app of await deps.applications.noticesDueBy(deps.clock.now())) await noticeEnded(deps)({ applicationId: app.id });
  };
}
