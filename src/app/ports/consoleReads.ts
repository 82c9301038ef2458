import type { Application, Certificate, CertificateStatus } from '../../domain/certification/types.ts';
import type { AuditEntry } from './certification.ts';

/** What an admin may see: a region prefix at an administrative boundary (2, 4, 6 or 9 digits) and their levels. */
export interface ReadScope {
  regionPrefix: string;
  /** null = all levels. */
  levels: string[] | null;
}

export interface Count<K extends string = string> {
  key: K;
  count: number;
}

/** The month (YYYY-MM, UTC) and kind of an application event, counted for the dashboard's trends. */
export interface TrendRow {
  month: string;
  declared: number;
  certified: number;
  returned: number;
  rejected: number;
}

export interface WaitingFilter extends ReadScope {
  /** Levels the admin's tier acts on (already within `levels`). */
  actingLevels: string[];
  /** Stages nobody acts on (a public notice ends by itself). */
  exceptStages: string[];
}

export type WaitingApplication = Pick<Application, 'id' | 'workerId' | 'level' | 'stage' | 'policyId'> & { since: string };

/**
 * The console's read model: counts and searches over applications, certificates, annual records and the audit log,
 * each one query (or a handful) answered from an index; never "read everything and count in JavaScript".
 */
export interface ConsoleReads {
  applicationsBy(scope: ReadScope, field: 'stage' | 'level' | 'subRegion'): Promise<Count[]>;
  /** Open applications waiting in `filter`, counted by the time since they entered their stage, and the oldest. */
  waiting(filter: WaitingFilter, bucketStarts: readonly string[], oldest: number): Promise<{ total: number; counts: number[]; oldest: WaitingApplication[] }>;
  certificatesByStatus(scope: ReadScope): Promise<Count<CertificateStatus>[]>;
  /** Applications created / certified / returned / rejected by month since `fromMonth` (YYYY-MM). */
  trends(scope: ReadScope, fromMonth: string): Promise<TrendRow[]>;
  /** Per (region code, level): applications created in `year`, certified in `year`, certificates valid on `day`. */
  countsForYear(scope: ReadScope, year: number, day: string): Promise<{ regionCode: string; level: string; declared: number; certified: number; active: number }[]>;
  /** Inspections and assessments recorded for `year` on certificates in scope, and how many certificates are due them. */
  annual(scope: ReadScope, year: number, dueLevels: string[] | null): Promise<{ due: number; inspectionsDone: number; assessmentsDone: number }>;

  /** Certificates in scope by number prefix or of these workers, by number; keyset on the number. */
  searchCertificates(q: { scope: ReadScope; number?: string; workerIds?: string[]; status?: CertificateStatus; after?: string; limit: number }): Promise<Certificate[]>;
  /** Certificates in scope, the most recently issued first; keyset on (issuedOn, number), both descending. */
  recentCertificates(q: { scope: ReadScope; before?: { issuedOn: string; number: string }; limit: number }): Promise<Certificate[]>;
  workerNames(ids: readonly string[]): Promise<Map<string, string>>;

  /** Admin ids whose region is at or below `regionPrefix`. */
  adminsInRegion(regionPrefix: string): Promise<{ id: string; name: string; regionCode: string }[]>;
  /** Audit entries of admins of the region (at or below `regionPrefix`), or of one admin, newest first, keyset on (at, id). */
  searchAudit(q: { regionPrefix: string; adminId?: string; action?: string; target?: string; from?: Date; to?: Date; before?: { at: Date; id: string }; limit: number }): Promise<(AuditEntry & { id: string })[]>;
}

export interface SavedFilter {
  id: string;
  adminId: string;
  name: string;
  query: Record<string, string>;
  createdAt: string;
}

export interface SavedFilterStore {
  list(adminId: string): Promise<SavedFilter[]>;
  create(filter: SavedFilter): Promise<void>;
  /** Removes the admin's own filter; false when they have none with this id. */
  remove(adminId: string, id: string): Promise<boolean>;
}
