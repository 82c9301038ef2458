import type { Application } from '../../domain/certification/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { evaluateEligibility, type ConditionName, type ConditionStatus } from '../../domain/eligibility/eligibility.ts';
import type { WorkerRecord } from '../ports/workerRepository.ts';
import type { CertificationDeps } from './deps.ts';
import { declaredFacts } from './declaredFacts.ts';
import { describeCondition } from './describeEligibility.ts';
import { workerFacts } from './workerFacts.ts';

type Localized = { 'zh-CN': string; en: string };

/** One rule of the level, as the policy words it in each language ("党务工作年限 2.5 年，中级需满 3 年，还差 0.5 年"). */
export interface EligibilityCondition {
  condition: ConditionName;
  status: ConditionStatus;
  text: Localized;
}

export interface EligibilityView {
  /** The China day the rules were evaluated on (today: years and age move on while the application waits). */
  asOf: string;
  level: string;
  eligible: boolean;
  /** The worker holds this level's certificate already (a certified application's own, or another). */
  held: boolean;
  conditions: EligibilityCondition[];
}

/**
 * The application's level checked today against the worker's profile, what they declared with it and what the
 * pipeline has recorded since (the test score against the pass mark, the satisfaction rate), so a reviewer sees
 * which rule passes, fails or waits for a later stage. Both languages, like the stage names: the page shows the
 * admin's. Null when the policy or the level is gone.
 */
export async function applicationEligibility(deps: CertificationDeps, app: Application, worker: WorkerRecord): Promise<EligibilityView | null> {
  const policy = deps.policies.get(app.policyId);
  const level = policy?.levels.find((l) => l.id === app.level);
  if (!policy || !level) return null;
  const passed = app.testScore !== null && app.testScore >= policy.pipeline.testPassMark;
  const facts = await workerFacts(deps, worker, { ...declaredFacts(app.declared), examsPassed: passed ? [app.level] : [], ...(app.satisfaction !== null ? { satisfaction: app.satisfaction } : {}) });
  const today = chinaDate(deps.clock.now());
  const result = evaluateEligibility(policy, facts, today).find((r) => r.level === app.level);
  if (!result) return null;
  return {
    asOf: today,
    level: app.level,
    eligible: result.eligible,
    held: result.held,
    conditions: result.conditions.map((c) => ({
      condition: c.condition,
      status: c.status,
      text: { 'zh-CN': describeCondition(deps.translator, 'zh-CN', policy, level.name['zh-CN'], c), en: describeCondition(deps.translator, 'en', policy, level.name.en, c) },
    })),
  };
}
