import { workerQueryOf, type ScopedSegment } from '../../domain/broadcasts/segment.ts';
import { trainingSettings } from '../../domain/policy/trainingSchema.ts';
import { hoursRequired } from '../../domain/training/hours.ts';
import type { Role } from '../../domain/training/types.ts';
import type { Recipient } from '../ports/broadcasts.ts';
import type { BroadcastDeps } from './deps.ts';

const chinaYear = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).getUTCFullYear();

/**
 * The workers a segment reaches, in worker-id order. "Hours short" needs each worker's region policy (the
 * hours a role and held levels require), so it is decided here rather than in the store.
 */
export async function* audienceOf(deps: Pick<BroadcastDeps, 'audience' | 'policies' | 'clock'>, segment: ScopedSegment, registeredBy?: Date): AsyncIterable<Recipient> {
  const now = deps.clock.now();
  for await (const r of deps.audience.recipients(workerQueryOf(segment, registeredBy), chinaYear(now))) {
    if (segment.hoursShort) {
      const policy = deps.policies.forRegion(r.regionCode);
      if (!policy) continue;
      if ((r.hours ?? 0) >= hoursRequired(trainingSettings(policy), r.role as Role, r.heldLevels ?? [])) continue;
    }
    yield r;
  }
}
