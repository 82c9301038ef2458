import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';

/**
 * `worker.checkIdNumber`: right after the ID number is typed, whether another account registered it, so the
 * worker hears it then rather than after every other question. The lookup goes by the number's HMAC (the
 * repository's index); registration still decides atomically at the end, this only tells early.
 */
export function checkIdNumber(deps: { workers: WorkerRepository }): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const answer = args.idNumber;
    const number = answer && typeof answer === 'object' && !Array.isArray(answer) ? answer.number : undefined;
    if (typeof number !== 'string') return { status: 'free' };
    const holder = await deps.workers.findByIdNumber(number);
    const taken = holder !== null && (holder.channel !== ctx.channel || holder.userId !== ctx.userId);
    return { status: taken ? 'taken' : 'free' };
  };
}
