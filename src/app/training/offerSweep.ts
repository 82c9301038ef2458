import { z } from 'zod';
import type { JobDefinition } from '../ports/scheduler.ts';
import { offerNext } from './adminTraining.ts';
import { enrolmentChanged, OFFER_SWEEP_JOB, type TrainingDeps } from './deps.ts';

/**
 * Offers that lapsed pass to the next in line; seats that came free while an enrolment was on its way (so nobody
 * was offered them) go to the waiting list too. Each lapsed offer is expired once across instances.
 */
export function offerSweep(deps: TrainingDeps) {
  return async (): Promise<{ expired: number; offered: number }> => {
    let expired = 0;
    let offered = 0;
    for (const e of await deps.training.expireOffers(deps.clock.now(), 500)) {
      expired++;
      await enrolmentChanged(deps, e.sessionId, e.workerId);
      if (await offerNext(deps, e.sessionId)) offered++;
    }
    for (const sessionId of await deps.training.sessionsWithSeatsAndWaiting(50)) {
      // The seat is taken back from the free count first, then handed over (freeSeat puts it back if nobody waits).
      if (await deps.training.takeFreeSeat(sessionId)) {
        if (await offerNext(deps, sessionId)) offered++;
      }
    }
    return { expired, offered };
  };
}

export function offerSweepJob(deps: TrainingDeps): JobDefinition<Record<string, never>> {
  const sweep = offerSweep(deps);
  return { name: OFFER_SWEEP_JOB, data: z.object({}).strict(), handler: async () => void (await sweep()), options: { concurrency: 1, every: '1 minute' } };
}
