/**
 * Who may enrol by application stage: a certification class for the applicants whose application for its level is
 * at 培训测试 (jiangsu's `trainingTest`). The admin API takes `stages` (checked against the region's pipeline), the
 * chat's 培训 lists the session only to those applicants, and enrolling in it otherwise is refused with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  t = await startAdminApiApp('training_stages');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const body = {
  title: '初级资格培训班（培训测试阶段）',
  kind: 'certification',
  levels: ['junior'],
  stages: ['trainingTest'],
  regionCode: '320100',
  startsAt: '2026-03-10T09:00:00+08:00',
  endsAt: '2026-03-10T17:00:00+08:00',
  hours: 8,
  capacity: 10,
  place: '南京市委党校 3 号楼',
};
const say = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => [r.text, ...(r.choices ?? []).map((c) => c.label)].join('\n')).join('\n');

/** A registered worker with an open junior application at `stage`. */
async function applicant(stage: string, level = 'junior') {
  const w = await t.worker();
  await t.seed({ workerId: w.id, userId: w.userId, channel: 'sim', level, stage });
  return w;
}

describe('who may enrol by application stage', () => {
  let id: string;

  it('POST takes stages and GET shows them; an unknown stage or a bad shape is refused with the reason and nothing is created', async () => {
    const unknown = await t.api('POST', '/training/sessions', token, { ...body, stages: ['trainingTets'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/trainingTets/);
    expect(unknown.body.error).toMatch(/policy jiangsu/);
    expect(unknown.body.error).toMatch(/trainingTest/);
    const shape = await t.api('POST', '/training/sessions', token, { ...body, stages: 'trainingTest' });
    expect(shape.status).toBe(400);
    expect(shape.body.error).toMatch(/stages/);
    const listed = await t.api('GET', '/training/sessions', token);
    expect(listed.body.items).toEqual([]);

    const r = await t.api('POST', '/training/sessions', token, body);
    expect(r.status).toBe(201);
    id = r.body.id;
    expect((await t.api('GET', `/training/sessions/${id}`, token)).body).toMatchObject({ stages: ['trainingTest'], levels: ['junior'] });
  });

  it('培训 lists the session only to applicants of its level at that stage', async () => {
    const atTest = await applicant('trainingTest');
    const earlier = await applicant('qualificationReview');
    const otherLevel = await applicant('trainingTest', 'intermediate');
    const holder = await t.worker();
    await t.issue({ workerId: holder.id, level: 'junior' }, '3201002026J00001');
    expect(await say(atTest.userId, '培训')).toContain(body.title);
    for (const w of [earlier, otherLevel, holder]) expect(await say(w.userId, '培训')).toContain('目前没有您可以报名的培训');
    expect(await say(atTest.userId, '1')).toContain(`已报名“${body.title}”`);
  });

  it('enrolling in a session closed to the worker\'s stage is refused with the stage named, in zh-CN and in en, and takes no seat', async () => {
    // Both saw the list while it was open to their stage; the admin then narrowed it to the next stage.
    const zh = await applicant('trainingTest');
    const en = await applicant('trainingTest');
    await say(en.userId, 'english');
    expect(await say(zh.userId, '培训')).toContain(body.title);
    expect(await say(en.userId, 'training')).toContain(body.title);
    const before = (await t.api('GET', `/training/sessions/${id}`, token)).body;
    const narrowed = await t.api('PATCH', `/training/sessions/${id}`, token, { stages: ['comprehensiveReview'], expectedVersion: before.version });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.stages).toEqual(['comprehensiveReview']);

    expect(await say(zh.userId, '1')).toContain('这期培训只面向申请处于“综合评审”阶段的申报人');
    expect(await say(en.userId, '1')).toContain('only for applicants whose application is at the Comprehensive review stage');
    expect((await t.api('GET', `/training/sessions/${id}`, token)).body).toMatchObject({ enrolled: before.enrolled, waiting: before.waiting });
  });

  it('PATCH refuses an unknown stage with the reason and leaves the session as it was', async () => {
    const before = (await t.api('GET', `/training/sessions/${id}`, token)).body;
    const r = await t.api('PATCH', `/training/sessions/${id}`, token, { stages: ['review'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/review are not stages of policy jiangsu/);
    const after = (await t.api('GET', `/training/sessions/${id}`, token)).body;
    expect(after).toMatchObject({ stages: before.stages, version: before.version });
  });
});
