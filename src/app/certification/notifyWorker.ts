import type { Application, ApplicationEvent } from '../../domain/certification/types.ts';
import type { Policy } from '../../domain/policy/schema.ts';
import type { CertificationDeps } from './deps.ts';
import { workerLocale } from './workerLocale.ts';

/** Which notice text an event gets: a certified advance reads as "certified", not "moved on". */
function templateOf(event: ApplicationEvent, passMark: number): string {
  if (event.toStatus === 'certified') return 'certification:event.certify';
  // A score below the pass mark is news in itself: say so, rather than leave the worker to compare.
  if (event.action === 'recordScore' && typeof event.data?.score === 'number' && event.data.score < passMark) return 'certification:event.recordScoreFailed';
  if (event.action === 'decideObjection' && event.toStatus === 'rejected') return 'certification:event.reject';
  return `certification:event.${event.action}`;
}

/**
 * Tell the worker about a change on the channel they use. A failed push is logged, not thrown: the change itself
 * is saved, and the worker also sees it under "进度".
 */
export async function notifyWorker(deps: Pick<CertificationDeps, 'sender' | 'translator' | 'logger' | 'workers'>, app: Application, policy: Policy, event: ApplicationEvent): Promise<void> {
  const locale = await workerLocale(deps, app.workerId);
  const level = policy.levels.find((l) => l.id === app.level)?.name[locale] ?? app.level;
  const stage = policy.pipeline.stages.find((s) => s.id === app.stage)?.name[locale] ?? app.stage;
  const params = {
    level,
    stage,
    note: event.note ?? '',
    score: event.data?.score ?? '',
    rate: typeof event.data?.rate === 'number' ? (event.data.rate * 100).toFixed(1) : '',
    number: app.certificateNumber ?? '',
    passMark: policy.pipeline.testPassMark,
  };
  const text = deps.translator.t(locale, templateOf(event, policy.pipeline.testPassMark), params);
  const result = await deps.sender.send(app.channel, app.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, permanent: false, reason: String(err) }));
  if (!result.ok) deps.logger.warn({ application: app.id, reason: result.reason }, 'could not notify the worker');
}
