import { organizationFacts, profileFromAnswers } from '../../domain/worker/profile.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import type { OrganizationRepository } from '../ports/organizationRepository.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';

/**
 * `worker.register`: the confirmed registration answers become a worker profile. The repository's unique index
 * on the ID number's HMAC decides "registered from another account" atomically, so two accounts racing with the
 * same ID cannot both win.
 */
export function registerWorker(deps: { workers: WorkerRepository; organizations: OrganizationRepository }): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const parsed = profileFromAnswers(args.answers);
    if (!parsed.ok) return { status: 'invalid', field: parsed.problems[0]!.field };
    const p = parsed.profile;
    // The organisation first: recording it is idempotent, so a worker refused below (a duplicate ID) leaves at
    // most a correct organisation record behind, never a worker without their organisation.
    const org = await deps.organizations.upsert({ name: p.orgName, type: p.orgType, regionCode: p.regionCode, ...organizationFacts(args.answers) }, ctx.now);
    // The language they registered in is the one later pushes use (a later switch is recorded by handleInbound).
    const result = await deps.workers.create(ctx.channel, ctx.userId, p, ctx.now, org.id, ctx.locale);
    return result.status === 'created' ? { status: 'registered', workerId: result.worker.id } : { status: result.status };
  };
}
