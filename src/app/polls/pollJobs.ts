import { z } from 'zod';
import type { JobDefinition } from '../ports/scheduler.ts';
import { closePoll, recordOutcome } from './closePoll.ts';
import { POLL_CLOSE_JOB, POLL_SWEEP_JOB, type PollDeps } from './deps.ts';

const closeData = z.object({ pollId: z.string().regex(/^[A-Za-z0-9]{1,64}$/) });

/** Closes a poll at its closing time (scheduled when it is created or extended); running twice changes nothing. */
export function pollCloseJob(deps: PollDeps): JobDefinition<z.infer<typeof closeData>> {
  return {
    name: POLL_CLOSE_JOB,
    data: closeData,
    handler: async ({ pollId }) => {
      const poll = await deps.polls.get(pollId);
      // An extended poll has a later closing time and its own job; this one was for the first closing time.
      if (!poll || poll.status === 'closed' || Date.parse(poll.closesAt) > deps.certification.clock.now().getTime()) return;
      await closePoll(deps, pollId, deps.certification.clock.now());
    },
    options: { concurrency: 2 },
  };
}

/** Catches up on lost jobs and crashes: closes overdue polls, records results not recorded yet. */
export function pollSweepJob(deps: PollDeps): JobDefinition<Record<string, never>> {
  return {
    name: POLL_SWEEP_JOB,
    data: z.object({}).strict(),
    handler: async () => {
      const now = deps.certification.clock.now();
      for (const poll of await deps.polls.sweepCandidates(now)) {
        if (poll.status === 'closed') await recordOutcome(deps, poll, now);
        else await closePoll(deps, poll.id, now);
      }
    },
    options: { concurrency: 1, every: '10 minutes' },
  };
}
