import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import type { Actor, Application } from '../../../src/domain/certification/types.ts';
import {
  applyAction,
  newApplication,
  nextStage,
  stageInfo,
  type PipelineCommand,
  type PipelineErrorCode,
  type PipelineResult,
} from '../../../src/domain/certification/pipeline.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';

// ---- fixtures ---------------------------------------------------------------------------------------------------

const satisfaction = { scale: ['veryPleased', 'pleased', 'neutral', 'displeased'], positive: ['veryPleased', 'pleased'] };

/** Jiangsu-like: five stages ending in a 7-day public notice. */
const jiangsu: Policy = {
  schema: 1,
  id: 'jiangsu',
  name: { 'zh-CN': '江苏', en: 'Jiangsu' },
  regionCode: '320000',
  levels: [
    { id: 'junior', name: { 'zh-CN': '初级', en: 'Junior' }, managedBy: 'county', upperTiersMayAct: false, scope: 'city', code: 'C', conditions: { examPassed: true }, relaxations: [], allowanceYuan: 2400 },
    { id: 'special', name: { 'zh-CN': '特级', en: 'Special' }, managedBy: 'province', upperTiersMayAct: false, scope: 'province', code: 'T', conditions: { examPassed: true }, relaxations: [], allowanceYuan: 12000 },
  ],
  pipeline: {
    stages: [
      { id: 'declaration', kind: 'declaration', name: { 'zh-CN': '个人申报', en: 'Declaration' }, todo: 'certification:todo.completeDeclaration', expectedDays: 7 },
      { id: 'qualificationReview', kind: 'qualificationReview', name: { 'zh-CN': '资格审查', en: 'Qualification review' }, expectedDays: 15 },
      { id: 'trainingTest', kind: 'trainingTest', name: { 'zh-CN': '培训测试', en: 'Training and test' }, todo: 'certification:todo.attendTest', expectedDays: 30 },
      { id: 'comprehensiveReview', kind: 'comprehensiveReview', name: { 'zh-CN': '综合评审', en: 'Comprehensive review' }, expectedDays: 15 },
      { id: 'publicNotice', kind: 'publicNotice', name: { 'zh-CN': '社会公示', en: 'Public notice' }, expectedDays: 7 },
    ],
    testPassMark: 60,
    noticeDays: 7,
  },
  certificate: { numberFormat: '{region}{year}{level}{seq:05}', validityYears: 3 },
  annualInspection: { onFail: 'suspend' },
  satisfaction,
};

/** Pinghu-like: a satisfaction survey, no public notice; intermediate needs 80 %, senior 90 %, junior nothing. */
const pinghu: Policy = {
  schema: 1,
  id: 'pinghu',
  name: { 'zh-CN': '平湖', en: 'Pinghu' },
  regionCode: '330482',
  levels: [
    { id: 'junior', name: { 'zh-CN': '初级', en: 'Junior' }, managedBy: 'county', upperTiersMayAct: false, scope: 'city', code: 'C', conditions: {}, relaxations: [], allowanceYuan: 1200 },
    { id: 'intermediate', name: { 'zh-CN': '中级', en: 'Intermediate' }, managedBy: 'county', upperTiersMayAct: false, scope: 'city', code: 'Z', conditions: { minSatisfaction: 0.8 }, relaxations: [], allowanceYuan: 2400 },
    { id: 'senior', name: { 'zh-CN': '高级', en: 'Senior' }, managedBy: 'county', upperTiersMayAct: false, scope: 'city', code: 'G', conditions: { minSatisfaction: 0.9 }, relaxations: [], allowanceYuan: 3600 },
  ],
  pipeline: {
    stages: [
      { id: 'declaration', kind: 'declaration', name: { 'zh-CN': '申报审查', en: 'Application and vetting' }, expectedDays: 15 },
      { id: 'training', kind: 'training', name: { 'zh-CN': '学习培训', en: 'Training classes' }, expectedDays: 30 },
      { id: 'trainingTest', kind: 'trainingTest', name: { 'zh-CN': '党务知识测试', en: 'Knowledge test' }, expectedDays: 7 },
      { id: 'satisfactionSurvey', kind: 'satisfactionSurvey', name: { 'zh-CN': '满意度调查', en: 'Satisfaction survey' }, todo: 'certification:todo.inviteRespondents' },
      { id: 'comprehensiveReview', kind: 'comprehensiveReview', name: { 'zh-CN': '审核并颁发资格证书', en: 'Review and issue' }, expectedDays: 15 },
    ],
    testPassMark: 60,
  },
  certificate: { numberFormat: 'PH{year}{level}{seq:4}', validityYears: 3 },
  annualInspection: { onFail: 'revoke' },
  satisfaction,
};

const worker: Actor = { kind: 'worker', id: 'w1' };
const otherWorker: Actor = { kind: 'worker', id: 'w2' };
const admin: Actor = { kind: 'admin', id: 'a1', name: '张三' };
const system: Actor = { kind: 'system', id: 'noticeJob' };

const T0 = new Date('2026-03-02T02:00:00.000Z');
const DAY = 86_400_000;
const later = (ms: number) => new Date(T0.getTime() + ms);

function submit(policy: Policy, level = 'junior'): Application {
  return newApplication({
    id: 'app1',
    workerId: 'w1',
    channel: 'telegram',
    userId: 'tg:1',
    policy,
    regionCode: '320102',
    level,
    wayIn: 'self',
    declared: { years: 3 },
    evidence: ['media:1'],
    actor: worker,
    now: T0,
  });
}

function ok(r: PipelineResult): Extract<PipelineResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r;
}

function errorOf(r: PipelineResult): { code: PipelineErrorCode; message: string } {
  if (r.ok) throw new Error('expected a refusal, got success');
  return r.error;
}

type Step = [PipelineCommand, Actor] | [PipelineCommand, Actor, Date];

/** Apply steps in order, each must succeed. */
function run(app: Application, policy: Policy, steps: Step[]): Application {
  let cur = app;
  for (const [cmd, actor, now] of steps) cur = ok(applyAction(cur, policy, cmd, actor, now ?? later(DAY))).app;
  return cur;
}

const adv: Step = [{ type: 'advance' }, admin];
const score = (s: number): Step => [{ type: 'recordScore', score: s }, admin];
const rate = (r: number): Step => [{ type: 'recordSatisfaction', rate: r }, admin];

/** Jiangsu application at the given stage (passing score recorded on the way). */
function jiangsuAt(stage: 'declaration' | 'qualificationReview' | 'trainingTest' | 'comprehensiveReview' | 'publicNotice'): Application {
  const steps: Record<string, Step[]> = {
    declaration: [],
    qualificationReview: [adv],
    trainingTest: [adv, adv],
    comprehensiveReview: [adv, adv, score(75), adv],
    publicNotice: [adv, adv, score(75), adv, adv],
  };
  const app = run(submit(jiangsu), jiangsu, steps[stage] ?? []);
  expect(app.stage).toBe(stage);
  return app;
}

/** Pinghu application (level) at the given stage. */
function pinghuAt(stage: 'declaration' | 'training' | 'trainingTest' | 'satisfactionSurvey' | 'comprehensiveReview', level = 'intermediate'): Application {
  const steps: Record<string, Step[]> = {
    declaration: [],
    training: [adv],
    trainingTest: [adv, adv],
    satisfactionSurvey: [adv, adv, score(80), adv],
    comprehensiveReview: [adv, adv, score(80), adv, rate(0.95), adv],
  };
  const app = run(submit(pinghu, level), pinghu, steps[stage] ?? []);
  expect(app.stage).toBe(stage);
  return app;
}

/** At the public notice with the period over. */
const afterNotice = (app: Application) => new Date(Date.parse(app.noticeEndsAt ?? '') + 1);

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

// ---- tests ------------------------------------------------------------------------------------------------------

describe('newApplication', () => {
  it('opens at the first stage with the submit event, version 1', () => {
    // The shared sample is such an application (stage declaration, open, nothing recorded yet, version 1): every
    // field but what submit() sets differently must come out the same.
    const at = T0.toISOString();
    expect(submit(jiangsu)).toEqual(
      sampleApplication({
        channel: 'telegram',
        userId: 'tg:1',
        declared: { years: 3 },
        evidence: ['media:1'],
        createdAt: at,
        history: [{ at, actor: worker, action: 'submit', fromStage: null, toStage: 'declaration', fromStatus: null, toStatus: 'open', data: { level: 'junior', wayIn: 'self' } }],
      }),
    );
  });

  it('keeps the recommending organisation of a recommended application entered by an admin', () => {
    const app = newApplication({
      id: 'a',
      workerId: 'w1',
      channel: 'wechat',
      userId: 'u',
      policy: jiangsu,
      regionCode: '320102',
      level: 'special',
      wayIn: 'recommended',
      recommendingOrg: '某某公司党委',
      declared: {},
      evidence: [],
      actor: admin,
      now: T0,
    });
    expect(app.recommendingOrg).toBe('某某公司党委');
    expect(app.history[0]?.data).toEqual({ level: 'special', wayIn: 'recommended', recommendingOrg: '某某公司党委' });
  });

  it('does not alias the input declared facts and evidence', () => {
    const declared = { years: 3 };
    const evidence = ['m1'];
    const app = newApplication({ id: 'a', workerId: 'w1', channel: 'c', userId: 'u', policy: jiangsu, regionCode: '320102', level: 'junior', wayIn: 'self', declared, evidence, actor: worker, now: T0 });
    declared.years = 9;
    evidence.push('m2');
    expect(app.declared).toEqual({ years: 3 });
    expect(app.evidence).toEqual(['m1']);
  });

  it.each([
    ['an unknown level', { level: 'expert' }, /no level "expert"/],
    ['the system as submitter', { actor: system }, /not by the system/],
    ['a worker submitting for another', { actor: otherWorker }, /worker w2 cannot submit an application for worker w1/],
    ['an invalid date', { now: new Date('x') }, /valid Date/],
  ])('throws for %s', (_what, patch, message) => {
    const input = { id: 'a', workerId: 'w1', channel: 'c', userId: 'u', policy: jiangsu, regionCode: '320102', level: 'junior', wayIn: 'self' as const, declared: {}, evidence: [], actor: worker, now: T0 };
    expect(() => newApplication({ ...input, ...patch })).toThrow(message);
  });
});

describe('stageInfo / nextStage', () => {
  it.each([
    ['declaration', 0, true, false, 'qualificationReview'],
    ['trainingTest', 2, false, false, 'comprehensiveReview'],
    ['publicNotice', 4, false, true, null],
  ])('%s', (id, index, isFirst, isLast, next) => {
    const info = stageInfo(jiangsu, id);
    expect(info).toMatchObject({ index, isFirst, isLast });
    expect(info?.stage.id).toBe(id);
    expect(nextStage(jiangsu, id)?.id ?? null).toBe(next);
  });

  it('unknown stage: stageInfo null, nextStage throws', () => {
    expect(stageInfo(jiangsu, 'nope')).toBeNull();
    expect(() => nextStage(jiangsu, 'nope')).toThrow(/no stage "nope"/);
  });
});

describe('a Jiangsu application from declaration to certificate', () => {
  it('advances stage by stage, opens the public notice, and is certified when the notice ends', () => {
    let app = submit(jiangsu);
    app = ok(applyAction(app, jiangsu, { type: 'advance', note: '材料齐全' }, admin, later(DAY))).app;
    expect(app.stage).toBe('qualificationReview');
    app = run(app, jiangsu, [adv, score(60), adv]);
    expect(app.stage).toBe('comprehensiveReview');

    const enter = later(40 * DAY);
    const entered = ok(applyAction(app, jiangsu, { type: 'advance' }, admin, enter));
    const endsAt = new Date(enter.getTime() + 7 * DAY).toISOString();
    expect(entered.app).toMatchObject({ stage: 'publicNotice', status: 'open', noticeStartedAt: enter.toISOString(), noticeEndsAt: endsAt });
    expect(entered.effects[0]).toEqual({ kind: 'scheduleNoticeEnd', applicationId: 'app1', at: endsAt });
    expect(entered.effects).toHaveLength(2);

    const done = ok(applyAction(entered.app, jiangsu, { type: 'noticeEnded' }, system, new Date(endsAt)));
    expect(done.app).toMatchObject({ stage: 'publicNotice', status: 'certified' });
    expect(done.app.history.at(-1)).toMatchObject({ action: 'certify', actor: system, fromStatus: 'open', toStatus: 'certified', data: { trigger: 'noticeEnded' } });
    expect(done.effects.map((e) => e.kind)).toEqual(['issueCertificate', 'notifyWorker']);
    expect(done.effects[0]).toEqual({ kind: 'issueCertificate', applicationId: 'app1', workerId: 'w1', policyId: 'jiangsu', level: 'junior' });
  });

  it('an admin may also advance out of the notice once it is over', () => {
    const app = jiangsuAt('publicNotice');
    const r = ok(applyAction(app, jiangsu, { type: 'advance' }, admin, afterNotice(app)));
    expect(r.app.status).toBe('certified');
    expect(r.app.history.at(-1)?.action).toBe('certify');
  });
});

describe('a Pinghu application: survey, last stage certifies', () => {
  it('certifies from the last stage with issueCertificate', () => {
    const app = pinghuAt('comprehensiveReview');
    const r = ok(applyAction(app, pinghu, { type: 'advance' }, admin, later(90 * DAY)));
    expect(r.app).toMatchObject({ status: 'certified', stage: 'comprehensiveReview', noticeEndsAt: null });
    expect(r.effects.map((e) => e.kind)).toEqual(['issueCertificate', 'notifyWorker']);
  });

  it('entering a stage that is not a public notice schedules nothing', () => {
    const r = ok(applyAction(pinghuAt('declaration'), pinghu, { type: 'advance' }, admin, later(DAY)));
    expect(r.effects.map((e) => e.kind)).toEqual(['notifyWorker']);
    expect(r.app.noticeEndsAt).toBeNull();
  });
});

describe('guards on advance, at the exact boundaries', () => {
  it.each([
    [null, false, 'cannot advance from trainingTest: no test score is recorded (pass mark 60)'],
    [0, false, 'cannot advance from trainingTest: test score 0 is below the pass mark 60'],
    [59, false, 'cannot advance from trainingTest: test score 59 is below the pass mark 60'],
    [59.5, false, 'cannot advance from trainingTest: test score 59.5 is below the pass mark 60'],
    [60, true, ''],
    [100, true, ''],
  ])('test score %s → passes %s', (s, passes, message) => {
    let app = jiangsuAt('trainingTest');
    if (s !== null) app = run(app, jiangsu, [score(s)]);
    const r = applyAction(app, jiangsu, { type: 'advance' }, admin, later(2 * DAY));
    if (passes) expect(ok(r).app.stage).toBe('comprehensiveReview');
    else expect(errorOf(r)).toMatchObject({ code: 'guard', message });
  });

  it.each([
    ['intermediate', null, false, 'cannot advance from satisfactionSurvey: no satisfaction rate is recorded'],
    ['intermediate', 0.7999, false, 'cannot advance from satisfactionSurvey: satisfaction 79.99 % is below the 80 % the intermediate level requires'],
    ['intermediate', 0.8, true, ''],
    ['senior', 0.8999, false, 'cannot advance from satisfactionSurvey: satisfaction 89.99 % is below the 90 % the senior level requires'],
    ['senior', 0.9, true, ''],
    ['junior', null, false, 'cannot advance from satisfactionSurvey: no satisfaction rate is recorded'],
    ['junior', 0, true, ''], // no minimum for junior: any recorded value
  ])('%s with satisfaction %s → passes %s', (level, r, passes, message) => {
    let app = pinghuAt('satisfactionSurvey', level);
    if (r !== null) app = run(app, pinghu, [rate(r)]);
    const res = applyAction(app, pinghu, { type: 'advance' }, admin, later(2 * DAY));
    if (passes) expect(ok(res).app.stage).toBe('comprehensiveReview');
    else expect(errorOf(res)).toMatchObject({ code: 'guard', message });
  });

  it('a resit score replaces a failing one', () => {
    const app = run(jiangsuAt('trainingTest'), jiangsu, [score(40), score(70)]);
    expect(app.testScore).toBe(70);
    expect(app.history.at(-1)?.data).toMatchObject({ score: 70, previous: 40 });
    expect(ok(applyAction(app, jiangsu, { type: 'advance' }, admin, later(DAY))).app.stage).toBe('comprehensiveReview');
  });
});

describe('the public notice', () => {
  it('noticeEnded before the end is refused; at the end it goes through', () => {
    const app = jiangsuAt('publicNotice');
    const end = Date.parse(app.noticeEndsAt ?? '');
    expect(errorOf(applyAction(app, jiangsu, { type: 'noticeEnded' }, system, new Date(end - 1)))).toEqual({
      code: 'guard',
      message: `cannot end the notice of application app1: the notice period runs until ${app.noticeEndsAt}`,
      details: { reason: 'noticeRunning', noticeEndsAt: app.noticeEndsAt },
    });
    expect(ok(applyAction(app, jiangsu, { type: 'noticeEnded' }, system, new Date(end))).app.status).toBe('certified');
  });

  it('an admin advance before the end is refused too', () => {
    const app = jiangsuAt('publicNotice');
    const before = new Date(Date.parse(app.noticeEndsAt ?? '') - 1);
    expect(errorOf(applyAction(app, jiangsu, { type: 'advance' }, admin, before))).toMatchObject({ code: 'guard', message: expect.stringMatching(/^cannot advance from publicNotice: the notice period runs until/) });
  });

  it('an undecided objection blocks the end, for the system and for an admin', () => {
    const app = run(jiangsuAt('publicNotice'), jiangsu, [[{ type: 'recordObjection', id: 'o1', text: '此人未在岗' }, admin]]);
    expect(app.objections).toEqual([{ id: 'o1', at: later(DAY).toISOString(), text: '此人未在岗', upheld: null }]);
    expect(app.status).toBe('open');
    expect(errorOf(applyAction(app, jiangsu, { type: 'noticeEnded' }, system, afterNotice(app)))).toMatchObject({
      code: 'guard',
      message: 'cannot end the notice of application app1: 1 objection is undecided (o1)',
    });
    expect(errorOf(applyAction(app, jiangsu, { type: 'advance' }, admin, afterNotice(app)))).toMatchObject({
      code: 'guard',
      message: 'cannot advance from publicNotice: 1 objection is undecided (o1)',
    });
  });

  it('an upheld objection rejects, with the objection as the note the worker sees', () => {
    const app = run(jiangsuAt('publicNotice'), jiangsu, [[{ type: 'recordObjection', id: 'o1', text: '此人未在岗' }, admin]]);
    const r = ok(applyAction(app, jiangsu, { type: 'decideObjection', id: 'o1', upheld: true }, admin, later(3 * DAY)));
    expect(r.app.status).toBe('rejected');
    expect(r.app.objections[0]).toMatchObject({ upheld: true, decidedAt: later(3 * DAY).toISOString() });
    expect(r.app.history.at(-1)).toMatchObject({ action: 'decideObjection', toStatus: 'rejected', note: '此人未在岗', data: { objectionId: 'o1', upheld: true } });
    expect(r.effects).toEqual([{ kind: 'notifyWorker', applicationId: 'app1', event: r.app.history.at(-1) }]);
  });

  it('an upheld objection with an admin note uses the note', () => {
    const app = run(jiangsuAt('publicNotice'), jiangsu, [[{ type: 'recordObjection', id: 'o1', text: '举报人：李四' }, admin]]);
    const r = ok(applyAction(app, jiangsu, { type: 'decideObjection', id: 'o1', upheld: true, note: '经核实已离岗' }, admin, later(3 * DAY)));
    expect(r.app.history.at(-1)?.note).toBe('经核实已离岗');
  });

  it('a dismissed objection does not block', () => {
    const app = run(jiangsuAt('publicNotice'), jiangsu, [
      [{ type: 'recordObjection', id: 'o1', text: '无依据' }, admin],
      [{ type: 'decideObjection', id: 'o1', upheld: false }, admin],
    ]);
    expect(app.status).toBe('open');
    expect(app.objections[0]?.upheld).toBe(false);
    expect(ok(applyAction(app, jiangsu, { type: 'noticeEnded' }, system, afterNotice(app))).app.status).toBe('certified');
  });

  it('deciding an objection twice is refused', () => {
    const app = run(jiangsuAt('publicNotice'), jiangsu, [
      [{ type: 'recordObjection', id: 'o1', text: 'x' }, admin],
      [{ type: 'decideObjection', id: 'o1', upheld: false }, admin],
    ]);
    expect(errorOf(applyAction(app, jiangsu, { type: 'decideObjection', id: 'o1', upheld: true }, admin, later(DAY)))).toEqual({
      code: 'notAllowed',
      message: 'objection o1 was already decided (dismissed)',
    });
  });

  it('an upheld objection on a still-open application (data from elsewhere) blocks the end', () => {
    const app = jiangsuAt('publicNotice');
    const odd: Application = { ...app, objections: [{ id: 'o9', at: app.updatedAt, text: 'x', upheld: true }] };
    expect(errorOf(applyAction(odd, jiangsu, { type: 'noticeEnded' }, system, afterNotice(app)))).toMatchObject({ code: 'guard', message: expect.stringContaining('1 objection is upheld (o9)') });
  });
});

describe('return, resubmit, withdraw', () => {
  it('return → resubmit keeps the stage; the note is on the event', () => {
    const app = jiangsuAt('qualificationReview');
    const returned = ok(applyAction(app, jiangsu, { type: 'return', note: '  请补充任职证明  ' }, admin, later(2 * DAY))).app;
    expect(returned).toMatchObject({ status: 'returned', stage: 'qualificationReview' });
    expect(returned.history.at(-1)).toMatchObject({ action: 'return', fromStatus: 'open', toStatus: 'returned', note: '请补充任职证明' });
    const again = ok(applyAction(returned, jiangsu, { type: 'resubmit', note: '已补充' }, worker, later(3 * DAY))).app;
    expect(again).toMatchObject({ status: 'open', stage: 'qualificationReview' });
    expect(again.history.at(-1)).toMatchObject({ action: 'resubmit', actor: worker, fromStatus: 'returned', toStatus: 'open', note: '已补充' });
  });

  it.each([['open'], ['returned']])('the worker may withdraw while %s', (status) => {
    let app = jiangsuAt('qualificationReview');
    if (status === 'returned') app = run(app, jiangsu, [[{ type: 'return', note: 'x' }, admin]]);
    const r = ok(applyAction(app, jiangsu, { type: 'withdraw' }, worker, later(5 * DAY)));
    expect(r.app.status).toBe('withdrawn');
    expect(r.app.history.at(-1)).toMatchObject({ action: 'withdraw', fromStatus: status, toStatus: 'withdrawn' });
    expect(r.app.history.at(-1)).not.toHaveProperty('note');
  });

  it('an admin may reject a returned application', () => {
    const app = run(jiangsuAt('qualificationReview'), jiangsu, [[{ type: 'return', note: 'x' }, admin]]);
    expect(ok(applyAction(app, jiangsu, { type: 'reject', note: '逾期未补正' }, admin, later(30 * DAY))).app.status).toBe('rejected');
  });
});

describe('refusals, one per error code', () => {
  const rejected = () => run(jiangsuAt('qualificationReview'), jiangsu, [[{ type: 'reject', note: '不符合条件' }, admin]]);
  const returned = () => run(jiangsuAt('qualificationReview'), jiangsu, [[{ type: 'return', note: '补材料' }, admin]]);

  it.each<[string, () => Application, Policy, PipelineCommand, Actor, PipelineErrorCode, string | RegExp]>([
    // forbiddenActor
    ['a worker advancing', () => submit(jiangsu), jiangsu, { type: 'advance' }, worker, 'forbiddenActor', 'a worker cannot advance; only an admin or a system can'],
    ['a worker recording a score', () => jiangsuAt('trainingTest'), jiangsu, { type: 'recordScore', score: 99 }, worker, 'forbiddenActor', 'a worker cannot recordScore; only an admin or a system can'],
    ['an admin resubmitting', returned, jiangsu, { type: 'resubmit' }, admin, 'forbiddenActor', 'an admin cannot resubmit; only a worker can'],
    ['an admin withdrawing', () => submit(jiangsu), jiangsu, { type: 'withdraw' }, admin, 'forbiddenActor', 'an admin cannot withdraw; only a worker can'],
    ['an admin sending noticeEnded', () => jiangsuAt('publicNotice'), jiangsu, { type: 'noticeEnded' }, admin, 'forbiddenActor', 'an admin cannot noticeEnded; only a system can'],
    ['the system advancing out of a declaration', () => submit(jiangsu), jiangsu, { type: 'advance' }, system, 'forbiddenActor', 'a system cannot advance out of a declaration stage; only an admin can (the system advances only out of a satisfaction survey, when its poll closes)'],
    ['the system rejecting', () => submit(jiangsu), jiangsu, { type: 'reject', note: 'x' }, system, 'forbiddenActor', 'a system cannot reject; only an admin can'],
    ['another worker withdrawing', () => submit(jiangsu), jiangsu, { type: 'withdraw' }, otherWorker, 'forbiddenActor', 'worker w2 cannot withdraw the application of worker w1'],
    // notAllowed
    ['advance while returned', returned, jiangsu, { type: 'advance' }, admin, 'notAllowed', 'cannot advance application app1: it was returned to the worker and must be resubmitted first'],
    ['resubmit while open', () => submit(jiangsu), jiangsu, { type: 'resubmit' }, worker, 'notAllowed', 'cannot resubmit application app1: it is open, not returned'],
    ['return while returned', returned, jiangsu, { type: 'return', note: 'again' }, admin, 'notAllowed', 'cannot return application app1: it is already returned'],
    // wrongStage
    ['a score at declaration', () => submit(jiangsu), jiangsu, { type: 'recordScore', score: 80 }, admin, 'wrongStage', 'cannot record a test score at stage declaration (declaration): scores are recorded at a trainingTest stage'],
    ['satisfaction after the review, in a pipeline without a survey stage', () => jiangsuAt('publicNotice'), jiangsu, { type: 'recordSatisfaction', rate: 0.9 }, admin, 'wrongStage', 'cannot record satisfaction at stage publicNotice: policy jiangsu uses it in the comprehensive review, which is already behind'],
    ['satisfaction after the survey', () => pinghuAt('comprehensiveReview'), pinghu, { type: 'recordSatisfaction', rate: 0.9 }, admin, 'wrongStage', 'cannot record satisfaction at stage comprehensiveReview: the satisfaction survey is already behind'],
    ['an objection before the notice', () => jiangsuAt('comprehensiveReview'), jiangsu, { type: 'recordObjection', id: 'o1', text: 'x' }, admin, 'wrongStage', 'cannot record an objection at stage comprehensiveReview: objections are raised during the public notice'],
    ['deciding an objection outside the notice', () => jiangsuAt('comprehensiveReview'), jiangsu, { type: 'decideObjection', id: 'o1', upheld: true }, admin, 'wrongStage', /^cannot decide an objection at stage comprehensiveReview/],
    ['noticeEnded outside the notice', () => jiangsuAt('comprehensiveReview'), jiangsu, { type: 'noticeEnded' }, system, 'wrongStage', 'cannot end the notice of application app1: it is at stage comprehensiveReview, not in a public notice'],
    ['noticeEnded in a pipeline without one', () => pinghuAt('comprehensiveReview'), pinghu, { type: 'noticeEnded' }, system, 'wrongStage', /not in a public notice/],
    ['return during the notice', () => jiangsuAt('publicNotice'), jiangsu, { type: 'return', note: 'x' }, admin, 'wrongStage', 'cannot return application app1 during the public notice (publicNotice): reject it or decide its objections instead'],
    // invalid
    ['return without a note', () => submit(jiangsu), jiangsu, { type: 'return', note: '   ' }, admin, 'invalid', 'returning an application needs a note: the worker is told what to correct'],
    ['reject without a note', () => submit(jiangsu), jiangsu, { type: 'reject', note: '' }, admin, 'invalid', 'a rejection needs a note: the worker is told why'],
    ['a score above 100', () => jiangsuAt('trainingTest'), jiangsu, { type: 'recordScore', score: 100.5 }, admin, 'invalid', 'a test score is a number from 0 to 100, got 100.5'],
    ['a negative score', () => jiangsuAt('trainingTest'), jiangsu, { type: 'recordScore', score: -1 }, admin, 'invalid', 'a test score is a number from 0 to 100, got -1'],
    ['a NaN score', () => jiangsuAt('trainingTest'), jiangsu, { type: 'recordScore', score: Number.NaN }, admin, 'invalid', 'a test score is a number from 0 to 100, got NaN'],
    ['a rate above 1', () => pinghuAt('satisfactionSurvey'), pinghu, { type: 'recordSatisfaction', rate: 1.01 }, admin, 'invalid', 'a satisfaction rate is a number from 0 to 1, got 1.01'],
    ['a rate given in percent', () => pinghuAt('satisfactionSurvey'), pinghu, { type: 'recordSatisfaction', rate: 80 }, admin, 'invalid', 'a satisfaction rate is a number from 0 to 1, got 80'],
    ['an objection without text', () => jiangsuAt('publicNotice'), jiangsu, { type: 'recordObjection', id: 'o1', text: ' ' }, admin, 'invalid', 'an objection needs its text'],
    ['an objection without id', () => jiangsuAt('publicNotice'), jiangsu, { type: 'recordObjection', id: '', text: 'x' }, admin, 'invalid', 'an objection needs an id'],
    ['deciding an unknown objection', () => jiangsuAt('publicNotice'), jiangsu, { type: 'decideObjection', id: 'o7', upheld: true }, admin, 'invalid', 'application app1 has no objection "o7"'],
    ['another policy', () => submit(jiangsu), pinghu, { type: 'advance' }, admin, 'invalid', 'application app1 follows policy jiangsu, not pinghu'],
    ['an unknown command', () => submit(jiangsu), jiangsu, { type: 'promote' } as unknown as PipelineCommand, admin, 'invalid', 'unknown pipeline command "promote"'],
    // closed
    ['anything on a rejected application', rejected, jiangsu, { type: 'withdraw' }, worker, 'closed', 'application app1 is rejected; it accepts no further commands (withdraw refused)'],
  ])('%s → %s', (_what, make, policy, command, actor, code, message) => {
    const app = deepFreeze(make());
    const r = applyAction(app, policy, command, actor, later(100 * DAY));
    const error = errorOf(r);
    expect(error.code).toBe(code);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('a duplicate objection id is refused', () => {
    const app = run(jiangsuAt('publicNotice'), jiangsu, [[{ type: 'recordObjection', id: 'o1', text: 'x' }, admin]]);
    expect(errorOf(applyAction(app, jiangsu, { type: 'recordObjection', id: 'o1', text: 'y' }, admin, later(DAY)))).toEqual({
      code: 'invalid',
      message: 'objection o1 is already recorded on application app1',
    });
  });

  it('satisfaction may be recorded early, before the survey stage', () => {
    const app = run(pinghuAt('training'), pinghu, [rate(0.85)]);
    expect(app).toMatchObject({ satisfaction: 0.85, stage: 'training' });
  });

  it('a score may be recorded while returned at the test stage', () => {
    const app = run(jiangsuAt('trainingTest'), jiangsu, [[{ type: 'return', note: '补照片' }, admin], score(88)]);
    expect(app).toMatchObject({ status: 'returned', testScore: 88 });
  });
});

describe('closed applications accept nothing', () => {
  const closed: [string, () => Application][] = [
    ['rejected', () => run(submit(jiangsu), jiangsu, [[{ type: 'reject', note: 'x' }, admin]])],
    ['withdrawn', () => run(submit(jiangsu), jiangsu, [[{ type: 'withdraw' }, worker]])],
    ['certified', () => run(pinghuAt('comprehensiveReview'), pinghu, [adv])],
  ];
  const commands: [PipelineCommand, Actor][] = [
    [{ type: 'advance' }, admin],
    [{ type: 'return', note: 'x' }, admin],
    [{ type: 'resubmit' }, worker],
    [{ type: 'reject', note: 'x' }, admin],
    [{ type: 'withdraw' }, worker],
    [{ type: 'recordScore', score: 90 }, admin],
    [{ type: 'recordSatisfaction', rate: 0.9 }, admin],
    [{ type: 'recordObjection', id: 'o1', text: 'x' }, admin],
    [{ type: 'decideObjection', id: 'o1', upheld: true }, admin],
    [{ type: 'noticeEnded' }, system],
  ];
  const cases = closed.flatMap(([status, make]) => commands.map(([cmd, actor]) => [status, cmd.type, make, cmd, actor] as const));

  it.each(cases)('%s: %s → closed', (status, _type, make, cmd, actor) => {
    const app = make();
    expect(app.status).toBe(status);
    const policy = app.policyId === 'pinghu' ? pinghu : jiangsu;
    expect(errorOf(applyAction(app, policy, cmd, actor, later(200 * DAY)))).toMatchObject({ code: 'closed', message: expect.stringContaining(`is ${status}`) });
  });
});

describe('every successful command: one event, version + 1, worker told, input untouched', () => {
  const cases: [string, () => Application, Policy, PipelineCommand, Actor, string][] = [
    ['advance', () => submit(jiangsu), jiangsu, { type: 'advance', note: 'ok' }, admin, 'advance'],
    ['advance into the notice', () => jiangsuAt('comprehensiveReview'), jiangsu, { type: 'advance' }, admin, 'advance'],
    ['certify', () => pinghuAt('comprehensiveReview'), pinghu, { type: 'advance' }, admin, 'certify'],
    ['return', () => submit(jiangsu), jiangsu, { type: 'return', note: 'x' }, admin, 'return'],
    ['resubmit', () => run(submit(jiangsu), jiangsu, [[{ type: 'return', note: 'x' }, admin]]), jiangsu, { type: 'resubmit' }, worker, 'resubmit'],
    ['reject', () => submit(jiangsu), jiangsu, { type: 'reject', note: 'x' }, admin, 'reject'],
    ['withdraw', () => submit(jiangsu), jiangsu, { type: 'withdraw', note: '不想考了' }, worker, 'withdraw'],
    ['recordScore', () => jiangsuAt('trainingTest'), jiangsu, { type: 'recordScore', score: 61 }, admin, 'recordScore'],
    ['recordSatisfaction', () => pinghuAt('satisfactionSurvey'), pinghu, { type: 'recordSatisfaction', rate: 0.5 }, admin, 'recordSatisfaction'],
    ['recordObjection', () => jiangsuAt('publicNotice'), jiangsu, { type: 'recordObjection', id: 'o1', text: 'x' }, admin, 'recordObjection'],
    ['decideObjection', () => run(jiangsuAt('publicNotice'), jiangsu, [[{ type: 'recordObjection', id: 'o1', text: 'x' }, admin]]), jiangsu, { type: 'decideObjection', id: 'o1', upheld: false }, admin, 'decideObjection'],
    ['noticeEnded', () => jiangsuAt('publicNotice'), jiangsu, { type: 'noticeEnded' }, system, 'certify'],
  ];

  it.each(cases)('%s', (_what, make, policy, cmd, actor, action) => {
    const app = deepFreeze(make());
    const snapshot = structuredClone(app);
    const now = later(365 * DAY);
    const r = ok(applyAction(app, policy, cmd, actor, now));
    expect(app).toEqual(snapshot);
    expect(r.app).not.toBe(app);
    expect(r.app.history).toHaveLength(app.history.length + 1);
    expect(r.app.history.slice(0, -1)).toEqual(app.history);
    expect(r.app.version).toBe(app.version + 1);
    expect(r.app.updatedAt).toBe(now.toISOString());
    const event = r.app.history.at(-1);
    expect(event).toMatchObject({ at: now.toISOString(), actor, action, fromStage: app.stage, toStage: r.app.stage, fromStatus: app.status, toStatus: r.app.status });
    expect(r.effects.at(-1)).toEqual({ kind: 'notifyWorker', applicationId: 'app1', event });
    expect(r.effects.filter((e) => e.kind === 'notifyWorker')).toHaveLength(1);
  });

  it('recordings change no stage but carry their data', () => {
    const app = jiangsuAt('trainingTest');
    const r = ok(applyAction(app, jiangsu, { type: 'recordScore', score: 61 }, admin, later(DAY)));
    expect(r.app.stage).toBe('trainingTest');
    expect(r.app.history.at(-1)?.data).toEqual({ score: 61, previous: null, passMark: 60 });
  });

  it('a refusal returns no application and leaves the input as it was', () => {
    const app = deepFreeze(jiangsuAt('trainingTest'));
    const snapshot = structuredClone(app);
    const r = applyAction(app, jiangsu, { type: 'advance' }, admin, later(DAY));
    expect(r.ok).toBe(false);
    expect(r).not.toHaveProperty('app');
    expect(app).toEqual(snapshot);
  });
});

describe('satisfaction in a pipeline without a survey stage (Jiangsu)', () => {
  it('is recorded at any stage up to the comprehensive review, for the review to weigh', () => {
    const r = applyAction(submit(jiangsu), jiangsu, { type: 'recordSatisfaction', rate: 0.85 }, admin, later(1));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.app.satisfaction).toBe(0.85);
  });
});
