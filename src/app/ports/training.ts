import type { Enrolment, HoursCredit, TrainingSession } from '../../domain/training/types.ts';

export type NewSession = Omit<TrainingSession, 'id' | 'status' | 'version'>;
export type SessionChanges = Partial<Pick<TrainingSession, 'title' | 'startsAt' | 'endsAt' | 'hours' | 'capacity' | 'enrolBy' | 'place' | 'levels' | 'roles' | 'stages'>>;

export interface SessionCounts {
  enrolled: number;
  offered: number;
  waiting: number;
}

/** The outcome of an enrolment attempt, as stored. */
export type EnrolOutcome =
  | { status: 'enrolled' | 'waiting'; enrolment: Enrolment }
  /** An offered seat taken up. */
  | { status: 'accepted'; enrolment: Enrolment }
  | { status: 'already'; enrolment: Enrolment }
  | { status: 'closed' };

/**
 * Training sessions, enrolments, attendance and the hours ledger. Every change is one atomic write on one
 * document: a seat is a conditional decrement of the session's `seatsLeft`, arrival order a counter on the
 * session, one enrolment per session and worker (unique), one attendance per worker, session and day (unique),
 * one hours credit per worker and session (unique).
 */
export interface TrainingRepository {
  create(session: NewSession): Promise<TrainingSession>;
  get(id: string): Promise<TrainingSession | null>;
  /** Sessions not cancelled that start after `after`, whose region is one of `regionPrefixes`' ancestors or equal. */
  listUpcoming(after: Date): Promise<TrainingSession[]>;
  /**
   * The console's list: sessions of regions under `regionPrefix` starting after `from`, cancelled ones included,
   * earliest first (ties by id), a page of `limit` after the keyset `after` (the last one of the previous page).
   */
  listInRegion(q: { regionPrefix: string; from: Date; after?: { startsAt: Date; id: string }; limit: number }): Promise<TrainingSession[]>;
  /** Applies the changes if the session is at `version` (null: conflict or not found); a new capacity moves the free seats by the difference. */
  update(id: string, version: number, changes: SessionChanges): Promise<TrainingSession | null>;
  cancel(id: string): Promise<TrainingSession | null>;
  counts(sessionId: string): Promise<SessionCounts>;
  enrol(session: TrainingSession, who: { workerId: string; channel: string; userId: string }, now: Date): Promise<EnrolOutcome>;
  /** Cancels the worker's enrolment; the returned enrolment is as it was before, null if there was none to cancel. */
  withdraw(sessionId: string, workerId: string): Promise<Enrolment | null>;
  /** A seat came free: offer it to the first in line (returned), or put it back when nobody waits. */
  freeSeat(sessionId: string, now: Date, offerUntil: Date): Promise<Enrolment | null>;
  /** Offers whose time ran out by `now`, marked expired (each once, across instances). */
  expireOffers(now: Date, limit: number): Promise<Enrolment[]>;
  /** Sessions with a free seat and somebody waiting (a seat freed while an enrolment was on its way). */
  sessionsWithSeatsAndWaiting(limit: number): Promise<string[]>;
  /** Takes one free seat back from the free count (to hand it to the waiting list); false when none is free. */
  takeFreeSeat(sessionId: string): Promise<boolean>;
  enrolment(sessionId: string, workerId: string): Promise<Enrolment | null>;
  enrolmentsOfSession(sessionId: string): Promise<Enrolment[]>;
  enrolmentsOfWorker(workerId: string): Promise<Enrolment[]>;
  setScore(sessionId: string, workerId: string, score: number): Promise<void>;
  /** One attendance per worker, session and China day: false when already recorded. */
  recordAttendance(sessionId: string, workerId: string, day: string, by: string, at: Date): Promise<boolean>;
  /** The session's attendances (one per worker and China day). */
  attendanceOf(sessionId: string): Promise<{ workerId: string; day: string; by: string }[]>;
  /** Credits the session's hours once per worker: false when already credited. */
  credit(entry: HoursCredit): Promise<boolean>;
  credits(workerId: string): Promise<HoursCredit[]>;
}
