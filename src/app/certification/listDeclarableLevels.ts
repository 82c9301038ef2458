import { evaluateEligibility } from '../../domain/eligibility/eligibility.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { CertificationDeps } from './deps.ts';
import { declaredFacts } from './declaredFacts.ts';
import { describeEligibility } from './describeEligibility.ts';
import { workerFacts } from './workerFacts.ts';

/**
 * `certification.levels` (and "我能申报什么"): the levels of the worker's regional policy with what is open to
 * them and why the others are not, as choice options (eligible first) and as text. Also says which facts the
 * policy needs asked (organisation size, commendations, still in post), so the flow asks only those.
 */
export function listDeclarableLevels(deps: CertificationDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false };
    const policy = deps.policies.forRegion(worker.regionCode);
    if (!policy) return { registered: true, policy: null };
    const locale = ctx.locale === 'en' ? 'en' : 'zh-CN';
    const facts = await workerFacts(deps, worker, declaredFacts(args.answers));
    const results = evaluateEligibility(policy, facts, chinaDate(ctx.now));
    const name = (id: string) => policy.levels.find((l) => l.id === id)?.name[locale] ?? id;
    const ordered = [...results.filter((r) => !r.held && r.eligible), ...results.filter((r) => !r.held && !r.eligible)];
    const asks = (condition: 'orgSizeClass' | 'commendationLevel' | 'stillInPost') => policy.levels.some((l) => l.conditions[condition] !== undefined);
    // The organisation's size is asked only when the registration did not record it.
    const orgSizeKnown = facts.orgSizeClass !== null;
    return {
      registered: true,
      policy: policy.id,
      policyName: policy.name[locale],
      anyEligible: ordered.some((r) => r.eligible),
      asks: { orgSizeClass: asks('orgSizeClass') && !orgSizeKnown, commendationLevel: asks('commendationLevel'), stillInPost: asks('stillInPost') },
      options: ordered.map((r) => ({
        value: r.level,
        // The level's own name: what the summary shows and what people type.
        name: name(r.level),
        label: deps.translator.t(locale, r.eligible ? 'certification:declare.levelOption' : 'certification:declare.levelOptionNot', { level: name(r.level) }),
      })),
      text: describeEligibility(deps.translator, locale, policy, results),
    };
  };
}
