import type { PollRecord } from '../ports/polls.ts';
import type { PollDeps } from './deps.ts';

export interface PollSubjectFacts {
  /** The rated worker's full name and chat account (the account may not answer). */
  name: string | null;
  account: { channel: string; userId: string } | null;
  org: string;
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 1_000;

/**
 * Who a poll rates, read once a minute per poll rather than on every respondent message: the name the questions
 * show and the account that is refused. A worker who changes account during a poll is seen within a minute.
 */
export function createSubjectCache() {
  // The read in flight is shared, as in pollDefinitions.ts: an expired entry under load makes one read.
  const entries = new Map<string, { at: number; facts: Promise<PollSubjectFacts> }>();
  return function subjectOf(deps: PollDeps, poll: PollRecord, nowMs = Date.now()): Promise<PollSubjectFacts> {
    const hit = entries.get(poll.id);
    if (hit && nowMs - hit.at < TTL_MS) return hit.facts;
    const entry = { at: nowMs, facts: read(deps, poll) };
    entry.facts.catch(() => {
      if (entries.get(poll.id) === entry) entries.delete(poll.id);
    });
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(poll.id, entry);
    return entry.facts;
  };
}

async function read(deps: PollDeps, poll: PollRecord): Promise<PollSubjectFacts> {
  const c = deps.certification;
  const worker = await c.workers.findById(poll.workerId);
  const org = worker?.orgId ? await c.organizations.get(worker.orgId) : null;
  return { name: worker?.name ?? null, account: worker ? { channel: worker.channel, userId: worker.userId } : null, org: org?.name ?? worker?.orgName ?? '' };
}
