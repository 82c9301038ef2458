import type { Connection } from 'mongoose';
import type { Logger } from '../../infra/logger.ts';
import { moveLegacyTokens } from './adminRepository.ts';
import { markMissingCertificates, markStageSince } from './applicationRepository.ts';
import { markAuditRegions } from './auditLog.ts';
import { markCodeClaims } from './pollStore.ts';
import { recountDashboardIfMissing } from './dashboardCounters.ts';
import { removePlaintextBirthFacts } from './workerRepository.ts';

/**
 * Data fixes that documents written by earlier versions need, run at every start after the indexes exist. Each is
 * idempotent and finds nothing to do once done, so instances starting together may all run them.
 */
export async function runStartupMigrations(connection: Connection, logger: Logger): Promise<void> {
  const unsealed = await removePlaintextBirthFacts(connection);
  if (unsealed) logger.info({ workers: unsealed }, 'removed plaintext birth dates and genders (derived from the sealed ID number now)');
  const tokens = await moveLegacyTokens(connection);
  if (tokens) logger.info({ admins: tokens }, 'moved the admins’ single tokens to admin_tokens (each still works; more can be made in the console)');
  const marked = await markMissingCertificates(connection);
  const staged = await markStageSince(connection);
  if (staged) logger.info({ applications: staged }, 'recorded since when each application is in its stage (for the console)');
  const audited = await markAuditRegions(connection);
  if (audited) logger.info({ entries: audited }, "recorded each audit entry's region (for the console's audit search)");
  const claims = await markCodeClaims(connection);
  if (claims) logger.info({ codes: claims }, 'put the respondent claim on the bound poll codes (one code per chat account and poll, by a unique index now)');
  // After markStageSince: the counters of open applications are by the day they entered their stage.
  if (await recountDashboardIfMissing(connection)) logger.info('counted the dashboard figures from the records (kept up on write from now on)');
  if (marked) logger.warn({ applications: marked }, 'certified applications without a certificate number found; the certificate sweep completes them');
}
