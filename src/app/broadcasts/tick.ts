import { z } from 'zod';
import type { JobDefinition } from '../ports/scheduler.ts';
import { BROADCAST_FANOUT_JOB, BROADCAST_SEND_JOB, BROADCAST_TICK_JOB, type BroadcastDeps } from './deps.ts';

/**
 * The safety net, every few seconds: a scheduled broadcast whose time came (its keyed job lost, or the clock
 * moved) is started, and a sending broadcast with no live run (its run died with its process: the lease lapsed)
 * gets its run queued again. Queuing a run that is not needed costs one read: a second run finds the lease taken.
 */
export async function broadcastTick(deps: BroadcastDeps): Promise<void> {
  const now = deps.clock.now();
  for (const b of await deps.broadcasts.due(now, 200)) {
    if (b.status === 'scheduled') await deps.scheduler.now(BROADCAST_SEND_JOB, b.id, { broadcastId: b.id });
    else if (await deps.broadcasts.leaseFree(b.id)) await deps.scheduler.now(b.fannedOut ? BROADCAST_SEND_JOB : BROADCAST_FANOUT_JOB, b.id, { broadcastId: b.id });
  }
}

export function broadcastTickJob(deps: BroadcastDeps, every: string): JobDefinition<Record<string, never>> {
  return { name: BROADCAST_TICK_JOB, data: z.strictObject({}), handler: () => broadcastTick(deps), options: { concurrency: 1, every, lockLifetimeMs: 60_000 } };
}
