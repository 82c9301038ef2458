import { normalizeCode } from '../../domain/polls/codes.ts';
import type { PollCodeRecord, PollRecord } from '../ports/polls.ts';
import { codeHash, identityHash, respondentPoll, type PollDeps } from './deps.ts';

/** Why a code cannot be used: each gets its own message (templates polls:refused.*). */
export type CodeRefusal = 'unknown' | 'closed' | 'expired' | 'used' | 'boundToOther' | 'otherCode' | 'ratedWorker';

export type CodeAccess = { ok: true; poll: PollRecord; code: PollCodeRecord; plain: string } | { ok: false; reason: CodeRefusal; poll?: PollRecord; code?: PollCodeRecord };

export interface ChatIdentity {
  channel: string;
  userId: string;
}

/**
 * Whether `typed` opens a poll for this respondent now. Chat identities are checked and bound: the rated worker is
 * refused, the first identity that uses a code keeps it, and an identity that holds one code of a poll cannot take a
 * second. The web page (no identity) skips the binding. Refusals change nothing.
 */
export async function openCode(deps: PollDeps, typed: string, identity: ChatIdentity | null, now: Date, opts: { bind: boolean }): Promise<CodeAccess> {
  const plain = normalizeCode(typed);
  if (!plain) return { ok: false, reason: 'unknown' };
  const hash = codeHash(deps.sealer, plain);
  const code = await deps.polls.code(hash);
  const poll = code ? await respondentPoll(deps, code.pollId) : null;
  if (!code || !poll) return { ok: false, reason: 'unknown' };
  if (poll.status !== 'open') return { ok: false, reason: 'closed', poll };
  if (now.getTime() >= Date.parse(poll.closesAt)) return { ok: false, reason: 'expired', poll };
  if (code.status !== 'unused') return { ok: false, reason: 'used', poll, code };
  if (identity) {
    const { account } = await deps.subject(deps, poll);
    if (account && account.channel === identity.channel && account.userId === identity.userId) return { ok: false, reason: 'ratedWorker', poll };
    const who = identityHash(deps.sealer, identity.channel, identity.userId);
    if (code.boundTo !== null && code.boundTo !== who) return { ok: false, reason: 'boundToOther', poll };
    if (opts.bind) {
      if (!(await claimRespondent(deps, poll.id, who, hash))) return { ok: false, reason: 'otherCode', poll };
      if (!(await deps.polls.bindCode(hash, who))) return { ok: false, reason: 'boundToOther', poll };
    }
  }
  return { ok: true, poll, code, plain };
}

/** Records that identity `who` answers this poll with this code; false when it answers it with another code. */
export async function claimRespondent(deps: PollDeps, pollId: string, who: string, hash: string): Promise<boolean> {
  return (await deps.polls.claimRespondent(pollId, who, hash)) === hash;
}
