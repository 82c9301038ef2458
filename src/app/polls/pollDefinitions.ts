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
  const entries = new Map<string, { at: number; poll: PollRecord }>();
  return {
    async get(polls, id) {
      const hit = entries.get(id);
      if (hit && nowMs() - hit.at < TTL_MS) return hit.poll;
      const poll = await polls.get(id, { light: true });
      if (!poll) return null;
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(id, { at: nowMs(), poll });
      return poll;
    },
    forget(id) {
      entries.delete(id);
    },
  };
}
