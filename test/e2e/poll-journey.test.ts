import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/certification/types.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { registrationAnswers } from '../support/registrationScript.ts';
import { say } from '../polls/pollSupport.ts';

/**
 * The Pinghu journey end to end through the real app and database: a worker registers in 当湖街道 and declares
 * 中级 in the chat; the county committee moves it to 满意度调查, runs a poll, a scripted roster answers it in the
 * chat, the poll closes, and the pipeline advances at ≥ 80 % and stops below it.
 */
let r: AdminApiApp;
let token: string;
beforeAll(async () => {
  r = await startAdminApiApp('poll_journey');
  token = await r.token('平湖市两新工委', '330482');
});
afterAll(() => r?.stop());

async function declare(userId: string, seq: string): Promise<Application> {
  for (const t of ['注册', ...registrationAnswers(makeIdNumber('330482', '19850312', seq), { region: '330482001' }).map(([, x]) => x)]) await say(r, userId, t);
  expect(await say(r, userId, '确认')).toContain('注册成功');
  let reply = await say(r, userId, '申报');
  for (let i = 0; i < 8 && !reply.includes('请核对申报信息'); i++) {
    const next = reply.includes('仍在党务工作岗位') ? '是' : reply.includes('最高级别表彰') ? '无' : reply.includes('请选择要申报的等级') ? '中级' : reply.includes('申报方式') ? '个人自荐' : reply.includes('图片') || reply.includes('照片') ? '跳过' : null;
    if (!next) throw new Error(`unexpected declaration question: ${reply}`);
    reply = await say(r, userId, next);
  }
  expect(reply).toContain('申报等级：中级');
  expect(await say(r, userId, '确认')).toContain('申报已提交');
  const list = await r.api('GET', '/applications?region=330482&limit=100', token);
  return (list.body.items as Application[]).find((a) => a.userId === userId)!;
}

async function act(id: string, path: string, body: Record<string, unknown>): Promise<Application> {
  const current = (await r.api('GET', `/applications/${id}`, token)).body as Application;
  const res = await r.api('POST', `/applications/${id}${path}`, token, { ...body, expectedVersion: current.version });
  expect(res.status, res.raw).toBe(200);
  return res.body as Application;
}

/** The roster answers: `positive` of them 很满意 or 比较满意, the rest 一般 or 不满意. */
async function pollAndAnswer(app: Application, roster: { owner: number; member: number; employee: number }, positive: number): Promise<Application> {
  const created = await r.api('POST', '/polls', token, { subject: { applicationId: app.id }, groups: roster, closesAt: '2026-03-25T00:00:00Z' });
  expect(created.status, created.raw).toBe(201);
  const codes = (await r.api('GET', `/polls/${created.body.id}/codes`, token)).body.codes as { code: string }[];
  for (const [i, { code }] of codes.entries()) {
    const choice = i < positive ? String((i % 2) + 1) : String((i % 2) + 3);
    const user = `${app.id}-respondent-${i}`;
    expect(await say(r, user, `测评 ${code}`)).toContain('满意度测评');
    await say(r, user, choice);
    await say(r, user, choice);
    await say(r, user, i === 0 ? '希望多组织学习' : '跳过');
    expect(await say(r, user, '提交')).toBe('已提交，感谢参与。您的回答是匿名的。');
  }
  const closed = await r.api('POST', `/polls/${created.body.id}/close`, token);
  expect(closed.status, closed.raw).toBe(200);
  return (await r.api('GET', `/applications/${app.id}`, token)).body as Application;
}

describe('Pinghu: declaration → 满意度调查 → poll → close', () => {
  it('advances at 80 % and stops below it', async () => {
    const passing = await declare('ph-pass', '511');
    const failing = await declare('ph-fail', '523');
    for (const app of [passing, failing]) {
      await act(app.id, '/transitions', { action: 'advance' }); // → 学习培训
      await act(app.id, '/transitions', { action: 'advance' }); // → 党务知识测试
      await act(app.id, '/score', { score: 82 });
      const atSurvey = await act(app.id, '/transitions', { action: 'advance' });
      expect(atSurvey.stage).toBe('satisfactionSurvey');
      // Without a rate the guard keeps it there.
      const early = await r.api('POST', `/applications/${app.id}/transitions`, token, { action: 'advance', expectedVersion: atSurvey.version });
      expect(early.status).toBe(422);
    }
    const roster = { owner: 1, member: 4, employee: 5 };
    const passed = await pollAndAnswer(passing, roster, 8); // 8 / 10 = 80 %, the bar is inclusive
    expect(passed.satisfaction).toBe(0.8);
    expect(passed.stage).toBe('comprehensiveReview');
    const stopped = await pollAndAnswer(failing, roster, 7); // 70 %
    expect(stopped.satisfaction).toBe(0.7);
    expect(stopped.stage).toBe('satisfactionSurvey');
    expect(stopped.status).toBe('open');
    // The worker sees where the application stands.
    expect(await say(r, 'ph-pass', '进度')).toContain('审核并颁发资格证书');
  });
});
