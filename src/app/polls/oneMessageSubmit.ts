import { oneMessageAnswer, type OneMessageAnswer } from '../../domain/polls/oneMessage.ts';
import type { PollAnswer } from '../../domain/polls/types.ts';
import type { PollRecord } from '../ports/polls.ts';
import { identityHash, type PollDeps } from './deps.ts';
import { openCode, type ChatIdentity } from './respondentAccess.ts';
import { completeCode, submitOpened, type SubmitOutcome } from './submitAnswer.ts';

export type OneMessageOutcome = SubmitOutcome | { status: 'badAnswer'; problem: Extract<OneMessageAnswer, { ok: false }>; poll: PollRecord } | { status: 'recordedAs'; answer: PollAnswer; poll: PollRecord };

/**
 * `测评 <code> <answers>` in one turn: the code is checked once (every refusal as for `测评 <code>`), the answers
 * are read against the poll's questionnaire (a bad form changes nothing and says how to write it), then counted by
 * the same exactly-once steps as a submit from the summary, the code bound to this chat account (and the account's
 * one code of the poll checked) in the step that takes it. One read and three writes to the database; no session.
 *
 * The sequence and its crash windows (no transactions: each write is one single-document update, safe to repeat):
 *   0. read the code (the poll and who it rates come from caches). Nothing is written; a crash changes nothing.
 *   1. the code: unused → pending, bound to this account with its claim, holding the sealed answer and a random
 *      submission id. Cut here, the code is this account's and pending: the same message again completes steps 2-3
 *      under that id and says "already recorded" (so does closing, or its sweep, if nobody sends it); another
 *      account is refused (used), and this account's other codes of the poll too (the claim).
 *   2. one part of the counts +1, guarded by the id (kept in the part's `applied` until closing). Cut here, the
 *      retry's step 2 finds the id and counts nothing, and its step 3 runs.
 *   3. the code: pending → used, the answer dropped. Cut here, nothing is left to do; the retry is told "already
 *      recorded".
 * Nothing is written to the conversation (outsideTurn.ts), so there is nothing there to lose or double.
 * pollAnonymity.test.ts cuts the sequence after each step and retries.
 */
export async function submitOneMessage(deps: PollDeps, code: string, rest: string, identity: ChatIdentity, now: Date): Promise<OneMessageOutcome> {
  const who = identity.hash ?? identityHash(deps.sealer, identity.channel, identity.userId);
  const access = await openCode(deps, code, { ...identity, hash: who }, now, { bind: false });
  if (!access.ok) {
    // The same message again (a retry, a second tap) is told it counted; anyone else that the code was used. A
    // submission of this account's that a crash left pending is counted now (by its own id: once), not at closing.
    if (access.reason === 'used' && access.code?.boundTo === who) {
      if (access.code.status === 'pending' && access.poll) await completeCode(deps, access.poll, access.code, now);
      return { status: 'alreadyRecorded' };
    }
    return { status: 'refused', reason: access.reason };
  }
  const parsed = oneMessageAnswer(access.poll.questionnaire, rest);
  if (!parsed.ok) return { status: 'badAnswer', problem: parsed, poll: access.poll };
  const outcome = await submitOpened(deps, access, parsed.answer, now, who);
  return outcome.status === 'recorded' ? { status: 'recordedAs', answer: parsed.answer, poll: access.poll } : outcome;
}
