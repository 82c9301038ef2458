import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import type { Actor, Application } from '../../../src/domain/certification/types.ts';
import { applyAction, newApplication, type PipelineCommand } from '../../../src/domain/certification/pipeline.ts';
import { statusView } from '../../../src/domain/certification/statusView.ts';

const policy: Policy = {
  schema: 1,
  id: 'jiangsu',
  name: { 'zh-CN': '江苏', en: 'Jiangsu' },
  regionCode: '320000',
  levels: [{ id: 'junior', name: { 'zh-CN': '初级', en: 'Junior' }, managedBy: 'county', upperTiersMayAct: false, scope: 'city', code: 'C', conditions: {}, relaxations: [], allowanceYuan: 2400 }],
  pipeline: {
    stages: [
      { id: 'declaration', kind: 'declaration', name: { 'zh-CN': '个人申报', en: 'Declaration' }, todo: 'certification:todo.completeDeclaration', expectedDays: 7 },
      { id: 'qualificationReview', kind: 'qualificationReview', name: { 'zh-CN': '资格审查', en: 'Qualification review' }, expectedDays: 15 },
      { id: 'trainingTest', kind: 'trainingTest', name: { 'zh-CN': '培训测试', en: 'Training and test' }, todo: 'certification:todo.attendTest', expectedDays: 30 },
      { id: 'comprehensiveReview', kind: 'comprehensiveReview', name: { 'zh-CN': '综合评审', en: 'Comprehensive review' } },
      { id: 'publicNotice', kind: 'publicNotice', name: { 'zh-CN': '社会公示', en: 'Public notice' }, expectedDays: 7 },
    ],
    testPassMark: 60,
    noticeDays: 7,
  },
  certificate: { numberFormat: '{region}{year}{level}{seq:05}', validityYears: 3 },
  annualInspection: { onFail: 'suspend' },
  satisfaction: { scale: ['yes', 'no'], positive: ['yes'] },
};

const worker: Actor = { kind: 'worker', id: 'w1' };
const admin: Actor = { kind: 'admin', id: 'a1', name: '张' };
const system: Actor = { kind: 'system', id: 'job' };

/** 16:30 UTC is 00:30 the next day in China: dates must follow China time. */
const at = (d: string, time = '02:00') => new Date(`${d}T${time}:00.000Z`);

function submitted(): Application {
  return newApplication({ id: 'app1', workerId: 'w1', channel: 'wechat', userId: 'u1', policy, regionCode: '320102', level: 'junior', wayIn: 'self', declared: {}, evidence: [], actor: worker, now: at('2026-03-01') });
}

function run(app: Application, steps: [PipelineCommand, Actor, Date][]): Application {
  let cur = app;
  for (const [cmd, actor, now] of steps) {
    const r = applyAction(cur, policy, cmd, actor, now);
    if (!r.ok) throw new Error(r.error.message);
    cur = r.app;
  }
  return cur;
}

/** Through every stage to certified on 2026-04-17 (the certificate number is the app layer's to add). */
function certifiedApp(): Application {
  return run(submitted(), [
    [{ type: 'advance' }, admin, at('2026-03-02')],
    [{ type: 'advance' }, admin, at('2026-03-10')],
    [{ type: 'recordScore', score: 80 }, admin, at('2026-04-01')],
    [{ type: 'advance' }, admin, at('2026-04-02')],
    [{ type: 'advance' }, admin, at('2026-04-10')],
    [{ type: 'noticeEnded' }, system, at('2026-04-17')],
  ]);
}

describe('statusView', () => {
  it('a new application: first stage, its todo, next stage expected by entry + expectedDays', () => {
    const v = statusView(submitted(), policy, '2026-03-02');
    expect(v).toEqual({
      applicationId: 'app1',
      level: { id: 'junior', name: '初级' },
      currentStage: { id: 'declaration', name: '个人申报', position: 1, of: 5 },
      status: 'open',
      timeline: [{ date: '2026-03-01', action: 'submit', stageId: 'declaration', stageName: '个人申报', status: 'open' }],
      next: { stageId: 'qualificationReview', stageName: '资格审查', expectedBy: '2026-03-08', overdue: false },
      todo: 'certification:todo.completeDeclaration',
    });
  });

  it('names in English', () => {
    const v = statusView(submitted(), policy, '2026-03-02', 'en');
    expect(v.level.name).toBe('Junior');
    expect(v.currentStage.name).toBe('Declaration');
    expect(v.next?.stageName).toBe('Qualification review');
    expect(v.timeline[0]?.stageName).toBe('Declaration');
  });

  it('expectedBy counts from when the current stage was entered, in China time, and flags overdue', () => {
    // Entered at 00:30 China time on 2026-03-11 (16:30 UTC on the 10th).
    const app = run(submitted(), [[{ type: 'advance' }, admin, at('2026-03-10', '16:30')]]);
    expect(statusView(app, policy, '2026-03-26').next).toEqual({ stageId: 'trainingTest', stageName: '培训测试', expectedBy: '2026-03-26', overdue: false });
    expect(statusView(app, policy, '2026-03-27').next?.overdue).toBe(true);
  });

  it('a return and resubmit do not restart the stage clock', () => {
    const app = run(submitted(), [
      [{ type: 'return', note: '请补充照片' }, admin, at('2026-03-03')],
      [{ type: 'resubmit' }, worker, at('2026-03-05')],
    ]);
    expect(statusView(app, policy, '2026-03-05').next?.expectedBy).toBe('2026-03-08');
  });

  it('returned: no next step, no todo, the return note to act on', () => {
    const app = run(submitted(), [[{ type: 'return', note: '请补充任职证明' }, admin, at('2026-03-03')]]);
    const v = statusView(app, policy, '2026-03-03');
    expect(v).toMatchObject({ status: 'returned', next: null, todo: null, returnNote: '请补充任职证明' });
    expect(v.timeline.at(-1)).toEqual({ date: '2026-03-03', action: 'return', stageId: 'declaration', stageName: '个人申报', status: 'returned', note: '请补充任职证明' });
  });

  it('the timeline keeps the last 6 events, shows the worker their score, and hides internal notes', () => {
    const app = run(submitted(), [
      [{ type: 'advance', note: '内部：材料已核' }, admin, at('2026-03-02')],
      [{ type: 'advance' }, admin, at('2026-03-10')],
      [{ type: 'recordScore', score: 55 }, admin, at('2026-04-01')],
      [{ type: 'recordScore', score: 72, note: '补考' }, admin, at('2026-04-15')],
      [{ type: 'return', note: '缺培训签到表' }, admin, at('2026-04-16')],
      [{ type: 'resubmit', note: '已上传' }, worker, at('2026-04-17')],
      [{ type: 'advance' }, admin, at('2026-04-20')],
    ]);
    const v = statusView(app, policy, '2026-04-21');
    expect(app.history).toHaveLength(8);
    expect(v.timeline).toEqual([
      { date: '2026-03-10', action: 'advance', stageId: 'trainingTest', stageName: '培训测试', status: 'open' },
      { date: '2026-04-01', action: 'recordScore', stageId: 'trainingTest', stageName: '培训测试', status: 'open', score: 55 },
      { date: '2026-04-15', action: 'recordScore', stageId: 'trainingTest', stageName: '培训测试', status: 'open', score: 72 },
      { date: '2026-04-16', action: 'return', stageId: 'trainingTest', stageName: '培训测试', status: 'returned', note: '缺培训签到表' },
      { date: '2026-04-17', action: 'resubmit', stageId: 'trainingTest', stageName: '培训测试', status: 'open', note: '已上传' },
      { date: '2026-04-20', action: 'advance', stageId: 'comprehensiveReview', stageName: '综合评审', status: 'open' },
    ]);
    // comprehensiveReview has no expectedDays and no todo
    expect(v.next).toEqual({ stageId: 'publicNotice', stageName: '社会公示' });
    expect(v.todo).toBeNull();
  });

  it('public notice: ends on the notice day; the certificate comes next; objection texts stay hidden', () => {
    const app = run(submitted(), [
      [{ type: 'advance' }, admin, at('2026-03-02')],
      [{ type: 'advance' }, admin, at('2026-03-10')],
      [{ type: 'recordScore', score: 80 }, admin, at('2026-04-01')],
      [{ type: 'advance' }, admin, at('2026-04-02')],
      [{ type: 'advance' }, admin, at('2026-04-10', '17:00')], // 01:00 on 11 April in China
      [{ type: 'recordObjection', id: 'o1', text: '举报人李四：此人未在岗' }, admin, at('2026-04-12')],
    ]);
    const v = statusView(app, policy, '2026-04-12');
    expect(v).toMatchObject({
      currentStage: { id: 'publicNotice', position: 5, of: 5 },
      next: { stageId: null, stageName: null, expectedBy: '2026-04-18', overdue: false },
      noticeEndsAt: '2026-04-17T17:00:00.000Z',
      noticeEndsOn: '2026-04-18',
    });
    expect(v.timeline.at(-1)).toEqual({ date: '2026-04-12', action: 'recordObjection', stageId: 'publicNotice', stageName: '社会公示', status: 'open' });
    expect(JSON.stringify(v)).not.toContain('李四');
  });

  it('rejected by an upheld objection: the reason is shown, nothing is next', () => {
    let app = run(submitted(), [
      [{ type: 'advance' }, admin, at('2026-03-02')],
      [{ type: 'advance' }, admin, at('2026-03-10')],
      [{ type: 'recordScore', score: 80 }, admin, at('2026-04-01')],
      [{ type: 'advance' }, admin, at('2026-04-02')],
      [{ type: 'advance' }, admin, at('2026-04-10')],
      [{ type: 'recordObjection', id: 'o1', text: 'x' }, admin, at('2026-04-12')],
    ]);
    app = run(app, [[{ type: 'decideObjection', id: 'o1', upheld: true, note: '经核实不在岗' }, admin, at('2026-04-14')]]);
    const v = statusView(app, policy, '2026-04-20');
    expect(v).toMatchObject({ status: 'rejected', next: null, todo: null });
    expect(v.timeline.at(-1)).toMatchObject({ action: 'decideObjection', status: 'rejected', note: '经核实不在岗', upheld: true });
  });

  it('certified: the certificate number once the app layer has set it', () => {
    let app = certifiedApp();
    app = { ...app, certificateNumber: '3200002026C00001' };
    const v = statusView(app, policy, '2026-04-18');
    expect(v).toMatchObject({ status: 'certified', next: null, todo: null, certificateNumber: '3200002026C00001' });
    expect(v.timeline.at(-1)).toEqual({ date: '2026-04-17', action: 'certify', stageId: 'publicNotice', stageName: '社会公示', status: 'certified' });
  });

  it('shows the certificate number event in the timeline (regression: certificate number recorded silently)', () => {
    const certified = certifiedApp();
    const issued = {
      at: '2026-04-17T02:00:01.000Z',
      actor: { kind: 'system', id: 'certificates' },
      action: 'certificateIssued',
      fromStage: 'publicNotice',
      toStage: 'publicNotice',
      fromStatus: 'certified',
      toStatus: 'certified',
      data: { number: '3200002026C00001' },
    } as const;
    const app = { ...certified, certificateNumber: '3200002026C00001', history: [...certified.history, issued] };
    const v = statusView(app, policy, '2026-04-18');
    expect(v.timeline.at(-1)).toEqual({ date: '2026-04-17', action: 'certificateIssued', stageId: 'publicNotice', stageName: '社会公示', status: 'certified', number: '3200002026C00001' });
    expect(v.timeline.at(-2)).toMatchObject({ action: 'certify' });
  });

  it('a stage the policy no longer has is shown by its id', () => {
    const app = { ...submitted(), stage: 'oldStage' };
    const v = statusView(app, policy, '2026-03-02');
    expect(v.currentStage).toEqual({ id: 'oldStage', name: 'oldStage', position: 0, of: 5 });
    expect(v.next).toBeNull();
  });
});
