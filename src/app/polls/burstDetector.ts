import type { PollGroup } from '../../domain/polls/types.ts';

/**
 * Flags many answers of one group within seconds (a single person with a stack of codes, or a sheet passed
 * round a table). The times live only in this process's memory and are dropped as the window moves, so nothing
 * stored carries an answer's time; what is stored is the flag: group, day and count. Each instance sees its own
 * share of the traffic, so with several instances a burst spread over them may go unflagged (docs/polls.md).
 */
export interface BurstDetector {
  /**
   * Records one answer now; returns the count when it completes the first burst of this poll's group on `day`
   * (a China date) in this process, else null.
   */
  record(pollId: string, group: PollGroup, nowMs: number, day: string): number | null;
}

export function createBurstDetector(opts: { answers: number; withinSeconds: number }): BurstDetector & { withinSeconds: number } {
  const recent = new Map<string, number[]>();
  // One flag per group and day tells the admin where to look; one per burst was a write to the poll for every
  // fifth answer of a roster answering together (the bench's whole load), growing its document without end.
  const flagged = new Set<string>();
  return {
    withinSeconds: opts.withinSeconds,
    record(pollId, group, nowMs, day) {
      const key = `${pollId}:${group}`;
      if (flagged.has(`${key}:${day}`)) return null;
      const since = nowMs - opts.withinSeconds * 1000;
      const times = (recent.get(key) ?? []).filter((t) => t > since);
      times.push(nowMs);
      if (times.length >= opts.answers) {
        recent.delete(key);
        if (flagged.size >= 10_000) flagged.delete(flagged.values().next().value!);
        flagged.add(`${key}:${day}`);
        return times.length;
      }
      recent.set(key, times);
      if (recent.size > 10_000) recent.delete(recent.keys().next().value!);
      return null;
    },
  };
}
