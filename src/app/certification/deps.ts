import type { PolicySet } from '../../domain/policy/load.ts';
import type { RegionNode } from '../../domain/regions/regions.ts';
import type { Translator } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import type { AllowanceStore } from '../ports/allowance.ts';
import type { AdminRepository, AnnualRecordRepository, ApplicationRepository, AuditLog, CertificateRepository } from '../ports/certification.ts';
import type { Clock } from '../ports/clock.ts';
import type { MediaSource, MediaStore } from '../ports/media.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { Sender } from '../ports/sender.ts';
import type { OrganizationRepository } from '../ports/organizationRepository.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';
import type { TrainingRepository } from '../ports/training.ts';

/** Everything the certification use cases need; main.ts builds it once. */
export interface CertificationDeps {
  policies: PolicySet;
  regions: RegionNode[];
  workers: WorkerRepository;
  organizations: OrganizationRepository;
  applications: ApplicationRepository;
  certificates: CertificateRepository;
  annual: AnnualRecordRepository;
  admins: AdminRepository;
  audit: AuditLog;
  sender: Sender;
  /** Kept copies of evidence photos, and the channels' platforms to fetch them from. */
  media: MediaStore;
  mediaSource: MediaSource;
  scheduler: Scheduler;
  clock: Clock;
  translator: Translator;
  logger: Logger;
  publicBaseUrl: string;
  /**
   * The 红领津贴 entries kept up on write (src/app/console/allowanceUpkeep.ts): the report reads its totals and one
   * page of rows from them. Without it (the in-memory stores) the report is computed from the records.
   */
  allowance?: AllowanceStore;
  /** The 学时 ledger, read by the eligibility facts; without it training hours are pending. */
  training?: Pick<TrainingRepository, 'credits'>;
  /** Called after every successful command on an application (main.ts wires the reminders to it). */
  onApplicationChanged?: (app: import('../../domain/certification/types.ts').Application) => Promise<void>;
}

/** The job that ends a public notice period; keyed by application id. */
export const NOTICE_ENDED_JOB = 'certification.noticeEnded';
/** A periodic sweep for notices whose job was lost (a restore from backup, a scheduler outage). */
export const NOTICE_SWEEP_JOB = 'certification.noticeSweep';
/** A periodic sweep for certified applications whose certificate was not issued or its number not recorded. */
export const CERTIFICATE_SWEEP_JOB = 'certification.certificateSweep';
