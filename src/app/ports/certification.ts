import type { AnnualRecord, Application, Actor, Certificate, CertificateStatus, LevelId, StageId, ApplicationStatus } from '../../domain/certification/types.ts';

/** Someone else changed the record since it was read (two admins at once): the loser gets HTTP 409. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** A worker may have one open (or returned) application per level. */
export class OpenApplicationExistsError extends Error {
  override name = 'OpenApplicationExistsError';
  constructor(readonly existing: Application) {
    super(`an application for level ${existing.level} is already ${existing.status} (id ${existing.id})`);
  }
}

export interface ApplicationFilter {
  stage?: StageId;
  status?: ApplicationStatus;
  /** Region code prefix the admin may see (e.g. 3201 for Nanjing and its districts). */
  regionPrefix?: string;
  /** Levels the admin manages; absent = all. */
  levels?: LevelId[];
  level?: LevelId;
  policyId?: string;
  /** Only the applications of these workers (the queue's search by name); an empty list matches none. */
  workerIds?: readonly string[];
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; null on the last page. */
  next: string | null;
  total?: number;
}

export interface ApplicationRepository {
  /** Insert a new application; throws OpenApplicationExistsError when the worker has an open one at that level. */
  create(app: Application): Promise<void>;
  get(id: string): Promise<Application | null>;
  listByWorker(workerId: string): Promise<Application[]>;
  /**
   * Replace the stored application with `app` when the stored version is `app.version - 1` (single-document
   * compare-and-set); throws ConflictError otherwise. Callers increment the version.
   */
  save(app: Application): Promise<void>;
  /** Newest first by createdAt then id; `limit` 1..100. */
  list(filter: ApplicationFilter, page: { limit: number; cursor?: string | null }): Promise<Page<Application>>;
  /** Open applications in a public-notice stage whose period ended by `now` (the job that advances them). */
  noticesDueBy(now: Date): Promise<Application[]>;
  /**
   * Certified applications whose certificate number is not recorded, certified at or before `before`: a crash
   * (or a failed write) came between certifying and recording the number, and the certificate sweep completes them.
   */
  certificatesMissingBy(before: Date): Promise<Application[]>;
}

export interface CertificateRepository {
  /**
   * Issue the certificate of an application: the next sequence number of (regionCode, year) from an atomic
   * counter, formatted by `format(seq)`. Idempotent per application: a second call returns the first certificate.
   */
  issue(input: Omit<Certificate, 'number'>, year: number, format: (seq: number) => string): Promise<Certificate>;
  get(number: string): Promise<Certificate | null>;
  listByWorker(workerId: string): Promise<Certificate[]>;
  /**
   * Certificates of a region prefix, by number; with `heldIn`, only those whose validity covers some day of that
   * year (issued by its end, valid until its start or later), the allowance report's candidates.
   */
  listForRegion(regionPrefix: string, heldIn?: number): Promise<Certificate[]>;
  setStatus(number: string, status: CertificateStatus, reason: string, actor: Actor, at: Date): Promise<Certificate | null>;
  /**
   * Certificates that may be due an expiry notice: not revoked, valid until `lastDay` or earlier, and not yet told
   * they expired. The caller decides which notice (domain/certification/expiryNotice.ts).
   */
  dueForExpiryNotice(lastDay: string): Promise<Certificate[]>;
  /**
   * Records that `notice` goes out now, if it has not yet: true for the one caller that recorded it (a
   * single-document conditional write, so two sweeps at once send it once), false when it was recorded before.
   */
  claimNotice(number: string, notice: 'expiringSoon' | 'expired', at: Date): Promise<boolean>;
  /** Forgets a claimed notice whose push failed, so the next sweep tries again. */
  releaseNotice(number: string, notice: 'expiringSoon' | 'expired'): Promise<void>;
}

export interface AnnualRecordRepository {
  recordInspection(workerId: string, certificateNumber: string, year: number, inspection: NonNullable<AnnualRecord['inspection']>): Promise<AnnualRecord>;
  recordAssessment(workerId: string, certificateNumber: string, year: number, assessment: NonNullable<AnnualRecord['assessment']>): Promise<AnnualRecord>;
  /** The year's closed satisfaction poll; a later poll of the same year replaces it. */
  recordSatisfaction(workerId: string, certificateNumber: string, year: number, satisfaction: NonNullable<AnnualRecord['satisfaction']>): Promise<AnnualRecord>;
  get(workerId: string, year: number): Promise<AnnualRecord | null>;
  /** The year's records, in worker order; with `workerIds`, only those workers' (each found by its key). */
  listForYear(year: number, workerIds?: readonly string[]): Promise<AnnualRecord[]>;
}

export interface AdminRecord {
  id: string;
  name: string;
  /**
   * Region code the admin is responsible for (a province, city, county or street); they see everything below it
   * and act on the levels their tier manages there (src/domain/certification/tier.ts).
   */
  regionCode: string;
  /** Levels the admin manages; empty = all levels. */
  levels: LevelId[];
  createdAt: string;
  disabled: boolean;
  /** The login name of a people account; absent on admins created for scripts only (they use tokens). */
  username?: string;
  /** Set with a temporary password: the next session may do nothing but change it. */
  mustChangePassword?: boolean;
  lastLoginAt?: string;
}

/** A bearer token of an admin (several per admin, labelled); the secret is never stored, only its SHA-256. */
export interface AdminToken {
  id: string;
  adminId: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export type AdminChange = Partial<Pick<AdminRecord, 'disabled' | 'mustChangePassword' | 'lastLoginAt' | 'username'>> & { passwordHash?: string };

/** Admins (people accounts and script-only admins) and their bearer tokens. */
export interface AdminRepository {
  /** Store a new admin; throws ConflictError when the id or the username is taken. */
  create(admin: AdminRecord, passwordHash?: string): Promise<void>;
  get(id: string): Promise<AdminRecord | null>;
  /** The admin with this username (compared as stored: usernames are lower-cased before they get here) and their password hash. */
  findLogin(username: string): Promise<{ admin: AdminRecord; passwordHash: string } | null>;
  passwordHash(id: string): Promise<string | null>;
  /** Admins whose region code starts with `regionPrefix`, oldest first. */
  listInRegion(regionPrefix: string): Promise<AdminRecord[]>;
  count(): Promise<number>;
  /** Apply the change; the updated admin, or null when there is none with that id. ConflictError on a taken username. */
  update(id: string, change: AdminChange): Promise<AdminRecord | null>;
  addToken(token: AdminToken, hash: string): Promise<void>;
  findToken(id: string): Promise<{ token: AdminToken; hash: string } | null>;
  listTokens(adminId: string): Promise<AdminToken[]>;
  /** Mark the admin's token revoked; false when the admin has no such live token. */
  revokeToken(adminId: string, id: string, at: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
}

export interface AuditEntry {
  at: string;
  adminId: string;
  action: string;
  target: string;
  /** Whether the action changed anything (refused attempts are logged too). */
  outcome: 'done' | 'refused' | 'conflict' | 'invalid';
  detail?: Record<string, unknown>;
}

/** Append-only: no update or delete exists on this port. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  list(filter: { adminId?: string; target?: string }, limit: number): Promise<AuditEntry[]>;
}
