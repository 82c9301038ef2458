import type { PollRecord } from '../ports/polls.ts';
import type { PollStore } from '../ports/polls.ts';

/**
 * A poll as the respondent's path needs it (questionnaire, roster, closing time, status), read at most every
 * couple of seconds per poll instead of on every message. Nothing counted depends on it: the status that decides
 * is the one the counting write checks (the tallies close before a result is computed), so a poll closed on another
 * instance within the last seconds gets its answers refused as closed there, not counted. Closing and extending
 * here forget the entry at once.
 */
export interface PollDefinitions {
  get(polls: PollStore, id: string): Promise<PollRecord | null>;
  forget(id: string): void;
}

const TTL_MS = 2_000;
const MAX_ENTRIES = 1_000;

export function createPollDefinitions(nowMs: () => number = Date.now): PollDefinitions {
  // The read in flight is shared: when an entry expires under load, the hundred messages waiting for it make one
  // read, not one each (the bench saw a read of the poll and its 16 parts for every 14 answers).
  const entries = new Map<string, { at: number; poll: Promise<PollRecord | null> }>();
  return {
    get(polls, id) {
      const hit = entries.get(id);
      if (hit && nowMs() - hit.at < TTL_MS) return hit.poll;
      const entry = { at: nowMs(), poll: polls.get(id, { light: true }) };
      const drop = () => {
        if (entries.get(id) === entry) entries.delete(id);
      };
      // An unknown poll or a failed read is not kept.
      entry.poll.then((poll) => poll ?? drop(), drop);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(id, entry);
      return entry.poll;
    },
    forget(id) {
      entries.delete(id);
    },
  };
}
