import { z } from 'zod';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import type { CertificationDeps } from './deps.ts';
import { scheduleEvidenceArchive } from './archiveEvidence.ts';
import { runCommand } from './runCommand.ts';

type Locale = 'zh-CN' | 'en';

/**
 * `certification.myApplications`: the worker's open (or returned) applications as choice options, for the
 * withdraw and resubmit flows. `args.status` picks which: 'returned' for resubmitting, else every open one.
 */
export function myApplications(deps: CertificationDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const locale: Locale = ctx.locale === 'en' ? 'en' : 'zh-CN';
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false, count: 0 };
    const wanted = args.status === 'returned' ? ['returned'] : ['open', 'returned'];
    const apps = (await deps.applications.listByWorker(worker.id)).filter((a) => wanted.includes(a.status));
    const options = apps.map((a) => {
      const policy = deps.policies.get(a.policyId);
      const level = policy?.levels.find((l) => l.id === a.level)?.name[locale] ?? a.level;
      const stage = policy?.pipeline.stages.find((s) => s.id === a.stage)?.name[locale] ?? a.stage;
      const note = a.status === 'returned' ? [...a.history].reverse().find((e) => e.action === 'return')?.note : undefined;
      const label = deps.translator.t(locale, note ? 'certification:apps.optionWithNote' : 'certification:apps.option', { level, stage, note: note ?? '' });
      return { value: a.id, name: level, label };
    });
    return { registered: true, count: options.length, options };
  };
}

const argsSchema = z.object({ applicationId: z.string().min(1).max(64) });

/**
 * `certification.withdraw` and `certification.resubmit`: the worker's own commands on their application, through
 * the same pipeline as an admin's (the pipeline checks the application is theirs and in a state that allows it).
 */
export function workerCommand(deps: CertificationDeps, type: 'withdraw' | 'resubmit'): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const parsed = argsSchema.safeParse(args);
    if (!parsed.success) return { status: 'invalid' };
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered' };
    const result = await runCommand(deps, parsed.data.applicationId, { type }, { kind: 'worker', id: worker.id }, {
      allow: (app) => (app.workerId === worker.id ? null : { status: 403, code: 'notYours', message: 'not your application' }),
    });
    return result.ok ? { status: 'done' } : { status: 'refused', reason: result.error.code };
  };
}

const addEvidenceArgs = z.object({ applicationId: z.string().min(1).max(64), photo: z.object({ mediaRef: z.string().min(3).max(512) }) });

/**
 * `certification.addEvidence`: a photo for the worker's own open or returned application, after submitting.
 * Kept like the photos of the declaration: copied into the media store by a job of its own, at once.
 */
export function addEvidence(deps: CertificationDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const parsed = addEvidenceArgs.safeParse(args);
    if (!parsed.success) return { status: 'invalid' };
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered' };
    const ref = parsed.data.photo.mediaRef;
    const result = await runCommand(deps, parsed.data.applicationId, { type: 'addEvidence', ref }, { kind: 'worker', id: worker.id }, {
      allow: (app) => (app.workerId === worker.id ? null : { status: 403, code: 'notYours', message: 'not your application' }),
    });
    if (!result.ok) return { status: 'refused', reason: result.error.code };
    await scheduleEvidenceArchive(deps, [ref]).catch((err: unknown) =>
      deps.logger.error({ application: result.value.id, err: (err as Error).message }, 'could not schedule the copy of an evidence photo'),
    );
    return { status: 'done', count: result.value.evidence.length };
  };
}

/** `certification.returnReason`: what the reviewer asked for when returning the worker's application. */
export function returnReason(deps: CertificationDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const parsed = argsSchema.safeParse(args);
    const worker = parsed.success ? await deps.workers.findByAccount(ctx.channel, ctx.userId) : null;
    const app = parsed.success && worker ? await deps.applications.get(parsed.data.applicationId) : null;
    if (!app || app.workerId !== worker?.id || app.status !== 'returned') return { note: null };
    return { note: app.history.findLast((e) => e.action === 'return')?.note ?? null };
  };
}
