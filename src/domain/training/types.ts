import type { ROLES } from '../worker/profile.ts';

export type Role = (typeof ROLES)[number];
export type SessionKind = 'certification' | 'continuing';
export type SessionStatus = 'open' | 'cancelled';

/** One training session (a class of 1-3 days, or an online course) run by a committee for its region. */
export interface TrainingSession {
  id: string;
  title: string;
  /** Certification training for a level (then `levels` says which), or continuing training (yearly 学时). */
  kind: SessionKind;
  /** Levels the session trains for; empty = open to every level. */
  levels: string[];
  /** Roles that may enrol; empty = every role. */
  roles: Role[];
  /**
   * Application stages (the policy's stage ids, e.g. trainingTest) a worker's application for one of `levels` must be
   * at to enrol; empty = no application needed.
   */
  stages: string[];
  /** Workers registered in this region (a code prefix: a city session is open to its counties) may enrol. */
  regionCode: string;
  startsAt: Date;
  endsAt: Date;
  /** 学时 credited to each attendee. */
  hours: number;
  capacity: number;
  enrolBy: Date;
  /** A venue or an online link. */
  place: string;
  status: SessionStatus;
  createdBy: string;
  createdAt: Date;
  version: number;
}

/**
 * waiting → offered (a freed seat, held until `offeredUntil`) → enrolled; enrolled, waiting or offered →
 * cancelled; offered → expired (the offer lapsed; the seat goes to the next in line).
 */
export type EnrolmentState = 'enrolled' | 'waiting' | 'offered' | 'cancelled' | 'expired';

export interface Enrolment {
  sessionId: string;
  workerId: string;
  /** Where the worker enrolled from: reminders and notices go there. */
  channel: string;
  userId: string;
  /** Arrival order in this session: the waiting list is served by it. */
  seq: number;
  state: EnrolmentState;
  offeredUntil: Date | null;
  at: Date;
  /** The exam score recorded for this attendee, if any. */
  score: number | null;
}

/** 学时 credited to a worker for one session, once; the yearly ledger is the sum of a calendar year's entries. */
export interface HoursCredit {
  workerId: string;
  sessionId: string;
  /** China calendar year of the attendance. */
  year: number;
  hours: number;
  at: Date;
  /** 'checkin' by the worker, or the admin's id for attendance marked by hand. */
  by: string;
}
