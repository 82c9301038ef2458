import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { newApplication } from '../../domain/certification/pipeline.ts';
import { evaluateEligibility } from '../../domain/eligibility/eligibility.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import { OpenApplicationExistsError } from '../ports/certification.ts';
import { scheduleEvidenceArchive } from './archiveEvidence.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { CertificationDeps } from './deps.ts';
import { declaredFacts, declaredRecord } from './declaredFacts.ts';
import { describeCondition } from './describeEligibility.ts';
import { workerFacts } from './workerFacts.ts';

const answersSchema = z.object({
  level: z.string(),
  wayIn: z.enum(['self', 'recommended']).optional(),
  recommendingOrg: z.string().nullish(),
  evidence: z.object({ mediaRef: z.string() }).nullish(),
});

/**
 * `certification.declare`: the confirmed declaration becomes an application at the policy's first stage.
 * With `args.check` it only checks the chosen level (open, held, already applied for), so the flow can explain
 * before the worker fills in the rest. One open application per worker and level: the store's unique key decides.
 */
export function declareApplication(deps: CertificationDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered' };
    const policy = deps.policies.forRegion(worker.regionCode);
    if (!policy) return { status: 'noPolicy' };
    const parsed = answersSchema.safeParse(args.answers);
    if (!parsed.success) return { status: 'invalid' };
    const a = parsed.data;
    const locale = ctx.locale === 'en' ? 'en' : 'zh-CN';
    const level = policy.levels.find((l) => l.id === a.level);
    if (!level) return { status: 'invalid' };

    const existing = (await deps.applications.listByWorker(worker.id)).find((x) => x.level === a.level && (x.status === 'open' || x.status === 'returned'));
    if (existing) return existsResult(deps, policy, existing, locale);

    const declared = declaredFacts(args.answers);
    const result = evaluateEligibility(policy, await workerFacts(deps, worker, declared), chinaDate(ctx.now)).find((r) => r.level === a.level)!;
    if (result.held || !result.eligible) {
      const reasons = result.conditions.filter((c) => c.status === 'unmet').map((c) => describeCondition(deps.translator, locale, policy, level.name[locale], c));
      return { status: result.held ? 'held' : 'notEligible', reasons: reasons.join('\n') };
    }
    if (args.check === true) return { status: 'ok' };

    const app = newApplication({
      id: randomUUID().replace(/-/g, '').slice(0, 20),
      workerId: worker.id,
      channel: ctx.channel,
      userId: ctx.userId,
      policy,
      regionCode: worker.regionCode,
      level: a.level,
      wayIn: a.wayIn ?? 'self',
      ...(a.wayIn === 'recommended' && a.recommendingOrg ? { recommendingOrg: a.recommendingOrg } : {}),
      declared: declaredRecord(declared),
      evidence: a.evidence ? [a.evidence.mediaRef] : [],
      actor: { kind: 'worker', id: worker.id },
      now: ctx.now,
    });
    try {
      await deps.applications.create(app);
    } catch (err) {
      if (err instanceof OpenApplicationExistsError) return existsResult(deps, policy, err.existing, locale);
      throw err;
    }
    // Copy the photos while the platform still has them (WeChat: 3 days). The application stands either way; a
    // photo whose job cannot even be scheduled is fetched when a reviewer opens it, if still possible.
    if (app.evidence.length > 0) {
      await scheduleEvidenceArchive(deps, app.evidence).catch((err: unknown) =>
        deps.logger.error({ application: app.id, err: (err as Error).message }, 'could not schedule the copy of evidence photos'),
      );
    }
    // The worker is in the conversation: the flow's reply is the notice of the submission.
    const stage = policy.pipeline.stages.find((s) => s.id === app.stage)!;
    return { status: 'created', applicationId: app.id, level: level.name[locale], stage: stage.name[locale] };
  };
}

function existsResult(deps: CertificationDeps, policy: NonNullable<ReturnType<CertificationDeps['policies']['forRegion']>>, app: { level: string; stage: string; status: string }, locale: 'zh-CN' | 'en'): AnswerValue {
  return {
    status: 'exists',
    level: policy.levels.find((l) => l.id === app.level)?.name[locale] ?? app.level,
    stage: policy.pipeline.stages.find((s) => s.id === app.stage)?.name[locale] ?? app.stage,
    appStatus: deps.translator.t(locale, `certification:status.statuses.${app.status}`),
  };
}
