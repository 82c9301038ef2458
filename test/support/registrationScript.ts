import { maskIdNumber, parseIdNumber } from '../../src/domain/identity/idNumber.ts';
import { regionPath } from '../../src/domain/regions/regions.ts';
import { profileFromAnswers, type WorkerProfile } from '../../src/domain/worker/profile.ts';
import { evaluate } from '../../src/engine/conditions.ts';
import type { Step } from '../../src/engine/flow/schema.ts';
import { content } from './engineHarness.ts';

/**
 * The registration conversation a test types, derived from flows/registration.yaml: the flow gives the questions
 * and their order, each input type how a value is typed, and SAMPLE_REGISTRANT the values. A step added to the
 * flow without a sample value is an error here, rather than three hand-kept scripts drifting apart.
 */

/** One registrant, as the flow stores the answers (field id → value); the ID number comes per call. */
export const SAMPLE_REGISTRANT: Readonly<Record<string, unknown>> = {
  name: '张三',
  mobile: '13812345678',
  idConfirm: true,
  membership: 'full',
  joinDate: '2010-07-01',
  orgName: '某某科技有限公司',
  orgCode: null, // skipped
  orgType: 'enterprise',
  orgSize: 'aboveDesignatedSize',
  employees: 120,
  role: 'secretary',
  region: '320102',
  workStart: '2018-03-01',
  education: 'bachelor',
  professionalTitle: 'none',
};

/** What the engine takes for "skip" on an optional question. */
const SKIP = '跳过';
const MAX_STEPS = 500;

/** How the value of one question is typed; a region takes one message per level of the tree. */
function replies(step: Extract<Step, { kind: 'ask' }>, value: unknown): string[] {
  if (value === null && step.optional) return [SKIP];
  const input = step.input;
  switch (input.type) {
    case 'text':
    case 'mobile':
    case 'idNumber':
    case 'uscc':
    case 'date':
    case 'yearMonth':
    case 'integer':
    case 'decimal':
      return [String(value)];
    case 'yesno':
      return [value ? '是' : '否'];
    case 'choice': {
      const option = input.options.find((o) => o.value === value);
      if (!option?.synonyms[0]) throw new Error(`registration step ${step.id}: no option ${JSON.stringify(value)} with a synonym to type`);
      return [option.synonyms[0]];
    }
    case 'region': {
      const path = regionPath(content().regions, String(value));
      if (!path.length) throw new Error(`registration step ${step.id}: region ${JSON.stringify(value)} is not in the region tree`);
      return path.map((n) => n.name['zh-CN']);
    }
    default:
      throw new Error(`registration step ${step.id}: no way to type a ${input.type} answer here yet`);
  }
}

/**
 * The replies of a complete, valid registration up to its summary, each with the step that waits for it:
 * [stepId, text][]. Conditions are evaluated on the answers given so far (an action's result reads as absent,
 * so "already registered?" takes its default: not yet).
 */
export function registrationAnswers(idNumber: string, over: Record<string, unknown> = {}): [string, string][] {
  const flow = content().flows.current('registration');
  const values: Record<string, unknown> = { ...SAMPLE_REGISTRANT, idNumber, ...over };
  const answers: Record<string, unknown> = {};
  const scope = { answers, vars: {}, context: {} };
  const out: [string, string][] = [];
  const follow = (next: Extract<Step, { next?: unknown }>['next'], from: string): string => {
    const target = typeof next === 'string' ? next : next?.find((o) => !o.when || evaluate(o.when, scope))?.goto;
    if (!target) throw new Error(`registration step ${from} leads nowhere before the summary`);
    return target;
  };
  let id = flow.startStep;
  for (let n = 0; n < MAX_STEPS; n++) {
    const step = flow.stepsById.get(id);
    if (!step) throw new Error(`registration step ${id} does not exist`);
    switch (step.kind) {
      case 'summary':
        return out;
      case 'ask': {
        const field = step.field ?? step.id;
        if (!(field in values)) throw new Error(`registration step ${step.id} asks for "${field}", which SAMPLE_REGISTRANT (test/support/registrationScript.ts) has no value for`);
        for (const text of replies(step, values[field])) out.push([step.id, text]);
        answers[field] = values[field];
        id = follow(step.next, step.id);
        break;
      }
      case 'say':
      case 'action':
      case 'subflow':
        id = follow(step.next, step.id);
        break;
      case 'branch':
        id = step.branches.find((b) => evaluate(b.when, scope))?.goto ?? step.default;
        break;
      case 'goto':
        id = step.target;
        break;
      case 'end':
        throw new Error(`registration ended at step ${step.id} before its summary`);
    }
  }
  throw new Error(`registration did not reach its summary in ${MAX_STEPS} steps`);
}

/** The messages of a registration from the first contact ("注册") to the summary, for a user with this ID number. */
export function registrationScript(idNumber: string, name = SAMPLE_REGISTRANT.name as string): string[] {
  return ['注册', ...registrationAnswers(idNumber, { name }).map(([, text]) => text)];
}

/**
 * SAMPLE_REGISTRANT's answers as the registration flow hands them to `worker.register` (the ID number answer
 * carries the facts read from it), with any field replaced.
 */
export function sampleRegistrationAnswers(idNumber: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const id = parseIdNumber(idNumber);
  if (!id.ok) throw new Error(`sample registration: ${idNumber} is not a valid ID number (${id.reason})`);
  return {
    ...SAMPLE_REGISTRANT,
    idNumber: { number: id.value, masked: maskIdNumber(id.value), birthDate: id.birthDate, gender: id.gender, regionCode: id.regionCode },
    ...over,
  };
}

/** The worker profile the sample registrant ends up with (through the domain's own profileFromAnswers). */
export function sampleProfile(idNumber: string, over: Record<string, unknown> = {}): WorkerProfile {
  const parsed = profileFromAnswers(sampleRegistrationAnswers(idNumber, over));
  if (!parsed.ok) throw new Error(`sample registration is not a valid profile: ${JSON.stringify(parsed.problems)}`);
  return parsed.profile;
}
