import type { Role } from '../../domain/training/types.ts';

/** A worker as the fact-based reminders need them: whom to remind, where, and the facts of their post. */
export interface SubjectWorker {
  id: string;
  channel: string;
  userId: string;
  regionCode: string;
  role: Role;
  /** The day the worker took up their current post (the profile's work start). */
  workStart: string;
}

export interface SubjectCertificate {
  number: string;
  workerId: string;
  level: string;
  policyId: string;
  regionCode: string;
  issuedOn: string;
  validUntil: string;
  status: 'valid' | 'suspended' | 'revoked' | 'expired';
}

export interface IdleConversation {
  channel: string;
  userId: string;
  flowId: string;
  stepId: string | null;
  locale: string;
  updatedAt: Date;
}

/**
 * The read side of the fact-based reminder sweep: ranges over indexed fields (a certificate's last valid day, a
 * worker's work start, a conversation's last change) and keyset pages, so a daily sweep over 100k workers reads
 * only what falls due. Read-only; every filter value is a string or date the sweep computed, never user input.
 */
export interface ReminderSubjects {
  /** Certificates still valid or suspended whose last valid day is within [from, to] ('YYYY-MM-DD'). */
  certificatesEndingBetween(from: string, to: string, limit: number): Promise<SubjectCertificate[]>;
  /** Certificates still valid or suspended, in number order after `after` (a keyset page). */
  activeCertificates(after: string | null, limit: number): Promise<SubjectCertificate[]>;
  /** Workers of one of `roles` who took up their post within [from, to], in id order after `after`. */
  workersStartedBetween(roles: readonly Role[], from: string, to: string, after: string | null, limit: number): Promise<SubjectWorker[]>;
  /**
   * Workers of regions under `regionPrefix`, of one of `roles`, in their post since `startedBy` or earlier: the
   * longest in post first (ties by id), a page of `limit` after the keyset `after`.
   */
  workersInPostSince(q: { regionPrefix: string; roles: readonly Role[]; startedBy: string; after?: { workStart: string; id: string }; limit: number }): Promise<SubjectWorker[]>;
  /** Every worker, in id order after `after` (a keyset page). */
  workers(after: string | null, limit: number): Promise<SubjectWorker[]>;
  /** The workers among `ids`, by id. */
  workersById(ids: readonly string[]): Promise<Map<string, SubjectWorker>>;
  /** The workers of these channel accounts (`channel:userId`), by account. */
  workersByAccount(accounts: readonly string[]): Promise<Map<string, SubjectWorker>>;
  /** 学时 credited in `year` to each of `workerIds` (absent: none). */
  hoursOf(workerIds: readonly string[], year: number): Promise<Map<string, number>>;
  /** Conversations inside a flow whose last change was within [from, to), oldest first. */
  idleConversations(from: Date, to: Date, limit: number): Promise<IdleConversation[]>;
  /** Where one conversation stands now (null: none, or not inside a flow). */
  conversation(channel: string, userId: string): Promise<IdleConversation | null>;
}
