import { profileFromAnswers } from '../../domain/worker/profile.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';

/**
 * `worker.register`: the confirmed registration answers become a worker profile. The repository's unique index
 * on the ID number's HMAC decides "registered from another account" atomically, so two accounts racing with the
 * same ID cannot both win.
 */
export function registerWorker(deps: { workers: WorkerRepository }): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const parsed = profileFromAnswers(args.answers);
    if (!parsed.ok) return { status: 'invalid', field: parsed.problems[0]!.field };
    const result = await deps.workers.create(ctx.channel, ctx.userId, parsed.profile, ctx.now);
    return result.status === 'created' ? { status: 'registered', workerId: result.worker.id } : { status: result.status };
  };
}
