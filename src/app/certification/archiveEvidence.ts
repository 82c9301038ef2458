import { z } from 'zod';
import { MediaGoneError, UnknownMediaError, type StoredMedia } from '../ports/media.ts';
import type { JobDefinition } from '../ports/scheduler.ts';
import type { CertificationDeps } from './deps.ts';

/** One run copies one picture; keyed by reference (and attempt), so a picture is never fetched twice at once. */
export const ARCHIVE_EVIDENCE_JOB = 'certification.archiveEvidence';

/**
 * Waits before the next try after a failed fetch: 1 min, 10 min, 1 h, 6 h, 24 h, all well inside WeChat's
 * 3 days; after the last the failure is logged as an error for an operator.
 */
export const ARCHIVE_RETRY_DELAYS_MS = [60_000, 600_000, 3_600_000, 21_600_000, 86_400_000] as const;

const archiveData = z.object({ ref: z.string().min(3).max(512), attempt: z.number().int().min(0).default(0) });
type ArchiveData = z.infer<typeof archiveData>;

/** What reviewers may open: pictures only (a platform answering HTML or JSON is an error, not evidence). */
const IMAGE_TYPE = /^image\/(jpeg|png|gif|webp|bmp)$/;

/**
 * The kept copy of a picture, fetched from its platform and kept first if there is none yet. Idempotent: two
 * runs at once fetch twice at worst, and the store keeps the first copy. Throws what the fetch throws.
 */
export async function archiveMedia(deps: Pick<CertificationDeps, 'media' | 'mediaSource' | 'clock'>, ref: string): Promise<StoredMedia> {
  const kept = await deps.media.get(ref);
  if (kept) return kept;
  const content = await deps.mediaSource.fetch(ref);
  if (!IMAGE_TYPE.test(content.contentType)) throw new Error(`media ${ref} is ${content.contentType}, not a picture`);
  await deps.media.put({ ref, contentType: content.contentType, bytes: content.bytes, storedAt: deps.clock.now().toISOString() });
  const stored = await deps.media.get(ref);
  if (!stored) throw new Error(`media ${ref} was stored but cannot be read back`);
  return stored;
}

/** Schedules the copy of each picture of a new application, now; the job retries on its own. */
export async function scheduleEvidenceArchive(deps: Pick<CertificationDeps, 'scheduler'>, refs: readonly string[]): Promise<void> {
  for (const ref of refs) await deps.scheduler.now(ARCHIVE_EVIDENCE_JOB, `${ref}#0`, { ref, attempt: 0 });
}

/** The job: copy one picture; on failure schedule the next attempt (a new key per attempt, so none replaces a run). */
export function archiveEvidenceJob(deps: Pick<CertificationDeps, 'media' | 'mediaSource' | 'clock' | 'scheduler' | 'logger'>): JobDefinition<ArchiveData> {
  return { name: ARCHIVE_EVIDENCE_JOB, data: archiveData, handler: archiveEvidence(deps), options: { concurrency: 2 } };
}

function archiveEvidence(deps: Pick<CertificationDeps, 'media' | 'mediaSource' | 'clock' | 'scheduler' | 'logger'>) {
  return async ({ ref, attempt }: ArchiveData): Promise<void> => {
    try {
      const stored = await archiveMedia(deps, ref);
      deps.logger.info({ ref, size: stored.size, attempt }, 'evidence photo kept');
    } catch (err) {
      if (err instanceof UnknownMediaError || err instanceof MediaGoneError) {
        deps.logger.error({ ref, err: err.message }, 'evidence photo cannot be fetched (no channel for it, or gone from its platform); not retried');
        return;
      }
      const delay = ARCHIVE_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        deps.logger.error({ ref, attempts: attempt + 1, err: (err as Error).message }, 'evidence photo could not be fetched; giving up');
        return;
      }
      deps.logger.warn({ ref, attempt, retryInMs: delay, err: (err as Error).message }, 'evidence photo fetch failed; will retry');
      const next = attempt + 1;
      await deps.scheduler.scheduleAt(ARCHIVE_EVIDENCE_JOB, new Date(deps.clock.now().getTime() + delay), `${ref}#${next}`, { ref, attempt: next });
    }
  };
}
