import { oneMessageAnswer, type OneMessageAnswer } from '../../domain/polls/oneMessage.ts';
import type { PollAnswer } from '../../domain/polls/types.ts';
import type { PollRecord } from '../ports/polls.ts';
import { identityHash, type PollDeps } from './deps.ts';
import { claimRespondent, openCode, type ChatIdentity } from './respondentAccess.ts';
import { submitOpened, type SubmitOutcome } from './submitAnswer.ts';

export type OneMessageOutcome = SubmitOutcome | { status: 'badAnswer'; problem: Extract<OneMessageAnswer, { ok: false }>; poll: PollRecord } | { status: 'recordedAs'; answer: PollAnswer; poll: PollRecord };

/**
 * `测评 <code> <answers>` in one turn: the code is checked once (every refusal as for `测评 <code>`), the answers
 * are read against the poll's questionnaire (a bad form changes nothing and says how to write it), then the code is
 * claimed for this chat account and counted by the same exactly-once steps as a submit from the summary, the
 * binding made in the step that takes the code. Three writes and two reads to the database; no session.
 */
export async function submitOneMessage(deps: PollDeps, code: string, rest: string, identity: ChatIdentity, now: Date): Promise<OneMessageOutcome> {
  const access = await openCode(deps, code, identity, now, { bind: false });
  const who = identityHash(deps.sealer, identity.channel, identity.userId);
  if (!access.ok) {
    // The same message again (a retry, a second tap) is told it counted; anyone else that the code was used.
    if (access.reason === 'used' && access.code?.boundTo === who) return { status: 'alreadyRecorded' };
    return { status: 'refused', reason: access.reason };
  }
  const parsed = oneMessageAnswer(access.poll.questionnaire, rest);
  if (!parsed.ok) return { status: 'badAnswer', problem: parsed, poll: access.poll };
  if (!(await claimRespondent(deps, access.poll.id, who, access.code.hash))) return { status: 'refused', reason: 'otherCode' };
  const outcome = await submitOpened(deps, access, parsed.answer, now, who);
  return outcome.status === 'recorded' ? { status: 'recordedAs', answer: parsed.answer, poll: access.poll } : outcome;
}
