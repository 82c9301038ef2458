import { randomBytes } from 'node:crypto';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { answerProblem } from '../../domain/polls/questionnaire.ts';
import type { PollAnswer } from '../../domain/polls/types.ts';
import type { PollCodeRecord, PollRecord } from '../ports/polls.ts';
import type { PollDeps } from './deps.ts';
import { openCode, type ChatIdentity, type CodeAccess, type CodeRefusal } from './respondentAccess.ts';

export type SubmitOutcome = { status: 'recorded' } | { status: 'alreadyRecorded' } | { status: 'refused'; reason: CodeRefusal } | { status: 'invalid'; message: string };

/**
 * Counts one answer exactly once, with no transaction, in idempotent single-document steps:
 * 1. the code goes unused → pending, holding the sealed answer and a fresh submission id (only one submit wins);
 * 2. the poll's tallies get the answer once per submission id (`applied` remembers the id meanwhile);
 * 3. the code goes pending → used (the answer is dropped from it).
 * A crash after 1 leaves a pending code that `completePending` finishes (closing runs it first); after 2 the id
 * stops a second count. The ids stay on the poll until it closes, because a completer that read the code while it
 * was pending may apply it late: the id must still be there to stop it (regression test in pollAnonymity.test.ts).
 * After step 3 nothing links the answer to the code, the respondent or a time; the ids are random.
 */
export async function submitAnswer(deps: PollDeps, typed: string, identity: ChatIdentity | null, answer: PollAnswer, now: Date): Promise<SubmitOutcome> {
  return submitOpened(deps, await openCode(deps, typed, identity, now, { bind: false }), answer, now);
}

/**
 * The same, for a code `openCode` has just checked (the one-message answer checks it once for both). `bindTo`: the
 * identity hash to bind the code to in the same step that takes it, which also refuses the identity a second code
 * of the poll (`otherCode`, by the codes' unique claim).
 */
export async function submitOpened(deps: PollDeps, access: CodeAccess, answer: PollAnswer, now: Date, bindTo?: string): Promise<SubmitOutcome> {
  if (!access.ok) {
    if (access.reason === 'used' && access.poll) return { status: 'alreadyRecorded' };
    return { status: 'refused', reason: access.reason };
  }
  const problem = answerProblem(access.poll.questionnaire, answer);
  if (problem) return { status: 'invalid', message: problem };
  const sid = randomBytes(9).toString('base64url');
  const clean: PollAnswer = { scale: answer.scale, ...(answer.comment?.trim() ? { comment: answer.comment.trim() } : {}) };
  const begun = await deps.polls.beginSubmit(access.code.hash, sid, deps.sealer.encrypt(JSON.stringify(clean)), bindTo ? { pollId: access.poll.id, identity: bindTo } : undefined);
  if (begun === 'otherCode') return { status: 'refused', reason: 'otherCode' };
  if (begun === 'taken') {
    // Another submit of this code won (a retry, a double click): finish it if it is still half done.
    const again = await deps.polls.code(access.code.hash);
    if (bindTo && again && again.boundTo !== null && again.boundTo !== bindTo) return { status: 'refused', reason: 'boundToOther' };
    if (again?.status === 'pending') await completeCode(deps, access.poll, again, now);
    // Free again: the other submit found the poll closed and gave the code back.
    if (again?.status === 'unused') return { status: 'refused', reason: 'closed' };
    return { status: 'alreadyRecorded' };
  }
  const counted = await count(deps, access.poll, access.code, sid, clean, now);
  if (!counted) return { status: 'refused', reason: 'closed' };
  const burst = deps.bursts.record(access.poll.id, access.code.group, now.getTime(), chinaDate(now));
  if (burst !== null) {
    await deps.polls.addFlag(access.poll.id, { group: access.code.group, day: chinaDate(now), answers: burst, withinSeconds: (deps.bursts as { withinSeconds?: number }).withinSeconds ?? 0 });
    deps.certification.logger.warn({ poll: access.poll.id, group: access.code.group }, 'poll: many answers of one group within seconds; flagged for the admin');
  }
  return { status: 'recorded' };
}

/** Steps 2-3 for one submission; false when the poll closed before it was counted (the code is free again). */
export async function count(deps: Pick<PollDeps, 'polls'>, poll: PollRecord, code: PollCodeRecord, sid: string, answer: PollAnswer, now: Date): Promise<boolean> {
  const applied = await deps.polls.applyAnswer(poll.id, sid, code.group, answer.scale, answer.comment);
  if (applied === 'pollClosed') {
    await deps.polls.abandonSubmit(code.hash, sid);
    return false;
  }
  await deps.polls.finishSubmit(code.hash, sid, chinaDate(now));
  return true;
}

/** Steps 2-3 of a submission a crash (or a submit still under way) left pending on `code`; idempotent. */
export async function completeCode(deps: PollDeps, poll: PollRecord, code: PollCodeRecord, now: Date): Promise<void> {
  if (!code.pending) return;
  const answer = JSON.parse(deps.sealer.decrypt(code.pending.answer)) as PollAnswer;
  await count(deps, poll, code, code.pending.sid, answer, now);
}

/** Finishes every submission a crash left half done. Idempotent; closing runs it before computing the result. */
export async function completePending(deps: PollDeps, poll: PollRecord, now: Date): Promise<void> {
  for (const code of await deps.polls.pendingCodes(poll.id)) await completeCode(deps, poll, code, now);
}
