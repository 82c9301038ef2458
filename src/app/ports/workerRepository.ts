import type { WorkerProfile } from '../../domain/worker/profile.ts';

export interface WorkerRecord extends WorkerProfile {
  id: string;
  /** The organisation record (src/app/ports/organizationRepository.ts); null for workers registered before it existed. */
  orgId: string | null;
  channel: string;
  userId: string;
  registeredAt: Date;
  updatedAt: Date;
  /**
   * The language the worker last chose in the chat ('zh-CN', 'en'), for messages the bot sends on its own
   * (notices, certificate changes) long after the conversation that chose it has expired. Absent until they
   * register or switch language: such pushes use the default language.
   */
  locale?: string;
}

export type CreateWorkerResult =
  | { status: 'created'; worker: WorkerRecord }
  /** The ID number is registered from another account. */
  | { status: 'duplicateId' }
  /** This account already has a worker profile. */
  | { status: 'alreadyRegistered' };

/** What an admin list shows of an applicant: no personal numbers, so nothing is decrypted for it. */
export interface WorkerSummary {
  id: string;
  name: string;
  orgName: string;
  orgId: string | null;
}

/** Workers' profiles. Implementations keep ID and mobile numbers encrypted and look them up by HMAC. */
export interface WorkerRepository {
  findByAccount(channel: string, userId: string): Promise<WorkerRecord | null>;
  findById(id: string): Promise<WorkerRecord | null>;
  /** The summaries of the workers among `ids` (one page of a list: at most a few hundred), in one read; unknown ids are left out. */
  summaries(ids: readonly string[]): Promise<WorkerSummary[]>;
  /**
   * The ids of the workers whose name is exactly `name` (names are stored in plaintext; an indexed equality), at
   * most `limit` of them: the review queue's search by the applicant's name.
   */
  idsNamed(name: string, limit: number): Promise<string[]>;
  findByIdNumber(idNumber: string): Promise<WorkerRecord | null>;
  /** `locale`: the language they registered in, recorded with the profile (as setLocale would, in the same write). */
  create(channel: string, userId: string, profile: WorkerProfile, now: Date, orgId?: string | null, locale?: string): Promise<CreateWorkerResult>;
  /** Records the account's chosen language; no-op for an account without a worker profile. */
  setLocale(channel: string, userId: string, locale: string): Promise<void>;
  update(channel: string, userId: string, changes: Partial<Omit<WorkerProfile, 'idNumber' | 'gender' | 'birthDate'>> & { orgId?: string }, now: Date): Promise<WorkerRecord | null>;
}
