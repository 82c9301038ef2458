/** "进度" and "我的证书" over in-memory stores: what a worker reads about their applications and certificates. */
import { describe, expect, it } from 'vitest';
import { createAdminService } from '../../../src/app/certification/adminService.ts';
import { applicationStatus } from '../../../src/app/certification/applicationStatus.ts';
import { declareApplication } from '../../../src/app/certification/declareApplication.ts';
import { myCertificates } from '../../../src/app/certification/myCertificates.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';
import { TestClock } from '../../support/testClock.ts';

const HOUR = 3_600_000;

async function statusText(m: ReturnType<typeof memoryCertificationDeps>, userId: string): Promise<string> {
  const r = (await applicationStatus(m.deps)({}, m.ctx(userId))) as { registered: boolean; text?: string };
  expect(r.registered).toBe(true);
  return r.text!;
}

describe('application status (进度)', () => {
  it('says so when the user is not registered, and when nothing is declared yet', async () => {
    const m = memoryCertificationDeps();
    expect(await applicationStatus(m.deps)({}, m.ctx('nobody'))).toEqual({ registered: false });
    await m.worker('u1');
    expect(await statusText(m, 'u1')).toBe('注册：已完成（2026-03-01）。\n\n您还没有申报资格等级。回复“申报”开始，或回复“我能申报什么”看看可以申报哪些等级。');
  });

  it('shows the stage, the dated timeline in China’s calendar, the next step and what the worker must do', async () => {
    // 17:00 UTC is already the next day in Beijing.
    const m = memoryCertificationDeps({ clock: new TestClock(new Date('2026-03-01T17:00:00Z')) });
    const worker = await m.worker('u1');
    await declareApplication(m.deps)({ answers: { stillInPost: true, level: 'intermediate', wayIn: 'self' } }, m.ctx('u1'));
    const [app] = await m.deps.applications.listByWorker(worker.id);
    const admin = createAdminService(m.deps);
    m.clock.advance(24 * HOUR);
    await admin.command(adminOf('320100'), app!.id, { type: 'advance' }, 1);
    await admin.command(adminOf('320100'), app!.id, { type: 'advance' }, 2);
    const text = await statusText(m, 'u1');
    expect(text).toContain('注册：已完成（2026-03-02）。');
    expect(text).toContain('申报「中级」（江苏省两新组织党务工作者“四级五专”资格认证）');
    expect(text).toContain('当前环节：培训测试（办理中）');
    expect(text).toContain('  2026-03-02 提交申报');
    expect(text).toContain('  2026-03-03 进入：资格审查');
    expect(text).toContain('  2026-03-03 进入：培训测试');
    expect(text).toMatch(/下一步：综合评审，预计 \d{4}-\d\d-\d\d 前完成。/);
    expect(text).toContain('需要您做：请于');
    expect(text).toContain('60 分及格');
  });

  it('shows a returned application with the reviewer’s note', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    await declareApplication(m.deps)({ answers: { stillInPost: true, level: 'junior', wayIn: 'self' } }, m.ctx('u1'));
    const [app] = await m.deps.applications.listByWorker(worker.id);
    const r = await createAdminService(m.deps).command(adminOf('320102'), app!.id, { type: 'return', note: '请补充任职文件' }, 1);
    expect(r.ok).toBe(true);
    const text = await statusText(m, 'u1');
    expect(text).toContain('当前环节：个人申报（退回修改）');
    expect(text).toContain('请补充任职文件');
  });
});

describe('my certificates (我的证书)', () => {
  it('lists each certificate with its status today, validity and verification link', async () => {
    const m = memoryCertificationDeps();
    const worker = await m.worker('u1');
    const none = await myCertificates(m.deps)({}, m.ctx('u1'));
    expect(none).toEqual({ registered: true, count: 0, text: '您还没有资格证书。' });
    await m.deps.certificates.issue(sampleCertificateInput({ workerId: worker.id, level: 'intermediate', issuedOn: '2023-03-01', validUntil: '2026-02-28' }), 2023, () => '3201002023Z00007');
    const r = (await myCertificates(m.deps)({}, m.ctx('u1'))) as { count: number; text: string };
    expect(r.count).toBe(1);
    expect(r.text).toBe('「中级」资格证书\n编号：3201002023Z00007\n状态：已过期\n有效期：2023-03-01 至 2026-02-28（全市有效）\n核验：https://bot.example.org/verify/3201002023Z00007');
    expect(await myCertificates(m.deps)({}, m.ctx('nobody'))).toEqual({ registered: false });
  });
});
