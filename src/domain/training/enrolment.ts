import { chinaDate } from '../dates/parseDate.ts';
import { regionPrefix } from '../regions/regions.ts';
import type { Enrolment, Role, TrainingSession } from './types.ts';

/**
 * What decides whether a worker may enrol in a session: the levels are those they hold or have applied for, the
 * applications their open or returned ones (a returned application is still at its stage, waiting for a correction).
 */
export interface EnrolmentCandidate {
  regionCode: string;
  role: Role;
  levels: readonly string[];
  applications: readonly { level: string; stage: string }[];
}

export type EnrolRefusal = 'cancelled' | 'deadlinePassed' | 'started' | 'otherRegion' | 'role' | 'level' | 'stage';

/**
 * Why this worker may not enrol now, or null when they may. A session is open to the workers registered inside
 * its region (a city's session to all its counties); `roles` and `levels` narrow it when listed. `stages` narrows it
 * to workers with an application at one of those stages, for one of the session's levels when it lists any: a
 * certification class is for the applicants the pipeline has sent to training, not for every holder of the level.
 */
export function enrolRefusal(session: TrainingSession, worker: EnrolmentCandidate, now: Date): EnrolRefusal | null {
  if (session.status === 'cancelled') return 'cancelled';
  if (now.getTime() >= session.startsAt.getTime()) return 'started';
  if (now.getTime() > session.enrolBy.getTime()) return 'deadlinePassed';
  if (!worker.regionCode.startsWith(regionPrefix(session.regionCode))) return 'otherRegion';
  if (session.roles.length > 0 && !session.roles.includes(worker.role)) return 'role';
  if (session.levels.length > 0 && !session.levels.some((l) => worker.levels.includes(l))) return 'level';
  if (session.stages.length > 0 && !worker.applications.some((a) => session.stages.includes(a.stage) && (session.levels.length === 0 || session.levels.includes(a.level)))) return 'stage';
  return null;
}

/** Holding a seat: enrolled, or offered a freed one that has not lapsed. */
export function holdsSeat(e: Pick<Enrolment, 'state' | 'offeredUntil'>, now: Date): boolean {
  return e.state === 'enrolled' || (e.state === 'offered' && e.offeredUntil !== null && e.offeredUntil.getTime() > now.getTime());
}

/** The waiting list in its order: first come, first offered. */
export function waitingList<T extends Pick<Enrolment, 'state' | 'seq'>>(enrolments: readonly T[]): T[] {
  return enrolments.filter((e) => e.state === 'waiting').sort((a, b) => a.seq - b.seq);
}

/** When an offer made now lapses. */
export function offerExpiry(now: Date, offerHours: number): Date {
  return new Date(now.getTime() + offerHours * 3_600_000);
}

/** Whether an admin at `adminRegion` may manage a session of `sessionRegion` (their own region or below). */
export function sessionInRegion(adminRegion: string, sessionRegion: string): boolean {
  return sessionRegion.startsWith(regionPrefix(adminRegion));
}

/**
 * How long before the start the venue's code is accepted. People arrive early, and a class that starts just after
 * midnight would otherwise refuse, as "another day", the code its screen shows minutes before.
 */
export const CHECKIN_OPENS_BEFORE_MS = 2 * 3_600_000;

/** Whether a session takes check-ins now: open, and today (China time) is one of its days, the first counted from a little before the start. */
export function checkinOpen(session: Pick<TrainingSession, 'status' | 'startsAt' | 'endsAt'>, now: Date): boolean {
  if (session.status !== 'open') return false;
  const today = chinaDate(now);
  return chinaDate(new Date(session.startsAt.getTime() - CHECKIN_OPENS_BEFORE_MS)) <= today && chinaDate(session.endsAt) >= today;
}
