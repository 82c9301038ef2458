import type { WorkerRecord, WorkerRepository } from '../ports/workerRepository.ts';

export type PushLocale = 'zh-CN' | 'en';

/**
 * The language of a push to a worker: the one they last chose (kept on the worker record, since conversations
 * expire), else Chinese. A failed lookup falls back too: the push matters more than its language.
 */
export async function workerLocale(deps: { workers: Pick<WorkerRepository, 'findById'> }, workerId: string): Promise<PushLocale> {
  return localeOf(await deps.workers.findById(workerId).catch(() => null));
}

/** The push language of a worker record already read. */
export function localeOf(worker: Pick<WorkerRecord, 'locale'> | null): PushLocale {
  return worker?.locale === 'en' ? 'en' : 'zh-CN';
}
