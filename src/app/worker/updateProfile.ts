import { z } from 'zod';
import { ownValue } from '../../domain/records/ownValue.ts';
import { crossFieldProblems, workerProfileSchema } from '../../domain/worker/profile.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';

/** Fields a worker may change in chat; the ID number (and what derives from it) goes through an admin. */
const editable = workerProfileSchema.omit({ idNumber: true, gender: true, birthDate: true }).partial();
type Editable = z.infer<typeof editable>;

/** Answer field ids of the profile flow → profile fields (the flow reuses registration's field ids). */
const FIELD_OF: ReadonlyMap<string, keyof Editable> = new Map([['region', 'regionCode']]);

/** `worker.update`: one field changed from the "my profile" flow (`answers.pick` names it). */
export function updateProfile(deps: { workers: WorkerRepository }): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const answers = z.record(z.string(), z.unknown()).parse(args.answers);
    const picked = z.string().parse(answers.pick);
    const field = FIELD_OF.get(picked) ?? (picked as keyof Editable);
    const change = editable.safeParse({ [field]: ownValue(answers, picked) });
    if (!change.success || Object.keys(change.data).length !== 1) return { status: 'invalid', field: picked };
    const current = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!current) return { status: 'notRegistered' };
    const problems = crossFieldProblems({ ...current, ...change.data });
    if (problems.length) return { status: 'invalid', field: problems[0]!.field };
    await deps.workers.update(ctx.channel, ctx.userId, change.data, ctx.now);
    return { status: 'updated', field: picked };
  };
}
