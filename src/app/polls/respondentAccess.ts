import { normalizeCode } from '../../domain/polls/codes.ts';
import type { PollCodeRecord, PollRecord } from '../ports/polls.ts';
import { codeHash, identityHash, respondentPoll, type PollDeps } from './deps.ts';

/** Why a code cannot be used: each gets its own message (templates polls:refused.*). */
export type CodeRefusal = 'unknown' | 'closed' | 'expired' | 'used' | 'boundToOther' | 'otherCode' | 'ratedWorker';

export type CodeAccess = { ok: true; poll: PollRecord; code: PollCodeRecord; plain: string } | { ok: false; reason: CodeRefusal; poll?: PollRecord; code?: PollCodeRecord };

export interface ChatIdentity {
  channel: string;
  userId: string;
  /** identityHash of the two, when the caller has it already (an HMAC saved per message). */
  hash?: string;
}

/**
 * Whether `typed` opens a poll for this respondent now. Chat identities are checked and bound: the rated worker is
 * refused, the first identity that uses a code keeps it, and an identity that holds one code of a poll cannot take a
 * second. The web page (no identity) skips the binding. Refusals change nothing. Reads the code (the poll and who
 * it rates come from caches); with `bind`, one update more.
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
    const who = identity.hash ?? identityHash(deps.sealer, identity.channel, identity.userId);
    if (code.boundTo !== null && code.boundTo !== who) return { ok: false, reason: 'boundToOther', poll };
    if (opts.bind) {
      // One update binds the code and, by the codes' unique claim, checks that this identity holds no other code.
      const bound = await deps.polls.bindCode(hash, poll.id, who);
      if (bound !== 'bound') return { ok: false, reason: bound, poll };
    }
  }
  return { ok: true, poll, code, plain };
}
