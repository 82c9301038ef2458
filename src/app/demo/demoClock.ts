import type { Logger } from '../../infra/logger.ts';
import type { AdminRecord, AuditLog } from '../ports/certification.ts';
import { systemClock, type Clock } from '../ports/clock.ts';
import type { Scheduler } from '../ports/scheduler.ts';

/**
 * Demo mode (DEMO_MODE): the app's time is the system's plus an offset an admin moves forward, so a whole journey
 * (a seven-day public notice, a certificate, its annual inspection) can be walked through in minutes. Only ever
 * forward: the pipeline's records would contradict each other if time ran back.
 */
export interface DemoClock extends Clock {
  advance(ms: number): void;
}

export function createDemoClock(base: Clock = systemClock): DemoClock {
  let offsetMs = 0;
  return {
    now: () => new Date(base.now().getTime() + offsetMs),
    advance(ms) {
      if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('the demo clock only moves forward');
      offsetMs += ms;
    },
  };
}

/** At most one move: about ten years, past every period a policy has. */
export const MAX_ADVANCE_MS = 3660 * 86_400_000;

/**
 * Moves the demo clock forward by `ms` and runs every job that falls due meanwhile (notice ends, sweeps,
 * housekeeping) before answering, so the next request sees their effects. Audited as `demo.clock`.
 */
export function moveDemoClock(deps: { clock: DemoClock; scheduler: Scheduler; audit: AuditLog; logger: Logger }) {
  return async (admin: AdminRecord, ms: number): Promise<{ now: Date }> => {
    if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_ADVANCE_MS) throw new RangeError(`the demo clock moves forward by 1 ms to ${MAX_ADVANCE_MS} ms at a time`);
    const from = deps.clock.now();
    deps.clock.advance(ms);
    const now = deps.clock.now();
    await deps.audit.append({ at: now.toISOString(), adminId: admin.id, action: 'demo.clock', target: 'clock', outcome: 'done', detail: { from: from.toISOString(), to: now.toISOString(), advanceMs: ms } });
    deps.logger.warn({ admin: admin.id, from: from.toISOString(), now: now.toISOString() }, 'demo mode: the clock was moved forward');
    await deps.scheduler.catchUp(ms);
    return { now: deps.clock.now() };
  };
}
