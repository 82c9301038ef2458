import { factsFromProfile, type CertificationFacts, type WorkerFacts } from '../../domain/eligibility/facts.ts';
import type { WorkerRecord } from '../ports/workerRepository.ts';
import type { CertificationDeps } from './deps.ts';
import { effectiveStatus } from '../../domain/certification/annual.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { eligibilityHours } from '../../domain/training/hours.ts';

/**
 * Everything eligibility needs about a worker: the registered profile, the levels whose certificate they hold in
 * good standing, and the facts they declared in this conversation (still in post, organisation size, commendations).
 */
export async function workerFacts(deps: Pick<CertificationDeps, 'certificates' | 'clock' | 'organizations' | 'training'>, worker: WorkerRecord, declared: CertificationFacts): Promise<WorkerFacts> {
  const today = chinaDate(deps.clock.now());
  const held = (await deps.certificates.listByWorker(worker.id)).filter((c) => effectiveStatus(c, today) === 'valid').map((c) => c.level);
  // The organisation's size as recorded at registration, unless the worker declared it in this conversation.
  const org = worker.orgId ? await deps.organizations.get(worker.orgId) : null;
  const orgSizeClass = declared.orgSizeClass ?? org?.sizeClass ?? undefined;
  const trainingHours = deps.training ? eligibilityHours(await deps.training.credits(worker.id), Number(today.slice(0, 4))) : null;
  return factsFromProfile(worker, { ...declared, ...(orgSizeClass ? { orgSizeClass } : {}), trainingHours, heldLevels: [...new Set([...(declared.heldLevels ?? []), ...held])] });
}
