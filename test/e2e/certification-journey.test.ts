import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { createAdmin } from '../../src/app/admin/tokens.ts';
import { NOTICE_ENDED_JOB } from '../../src/app/certification/deps.ts';
import type { Application } from '../../src/domain/certification/types.ts';
import type { RunningApp } from '../../src/main.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createMongoAdminRepository } from '../../src/store/mongo/adminRepository.ts';
import { registrationScript, TestClock } from '../support/appHarness.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { adminApi, simSay, startTestAppWithDb } from '../support/httpApp.ts';

/**
 * The whole certification journey through the real app and database: register → declare 中级 → qualification
 * review → test score → satisfaction recorded → public notice → the scheduler ends the notice → certificate →
 * "我的证书" → /verify. Then the admin API's refusals: each changes nothing.
 */
const clock = new TestClock(new Date('2026-03-01T02:00:00Z'));
let app: RunningApp;
let db: Connection;
let token: string; // Nanjing city admin, all levels
let suzhouToken: string; // another city
let juniorOnlyToken: string; // Nanjing, junior level only

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');
const say = async (userId: string, t: string) => text(await simSay(app.url, userId, t));

const api = (method: string, path: string, body?: unknown, bearer = token) => adminApi(app.url, bearer, method, path, body);

beforeAll(async () => {
  const started = await startTestAppWithDb('journey', { PUBLIC_BASE_URL: 'https://bot.example.org' }, { clock });
  app = started.app;
  db = await connectMongo(started.uri);
  const admins = createMongoAdminRepository(db);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  token = (await createAdmin(admins, { name: '南京市两新工委', regionCode: '320100', levels: [] }, clock.now())).token;
  suzhouToken = (await createAdmin(admins, { name: '苏州市两新工委', regionCode: '320500', levels: [] }, clock.now())).token;
  juniorOnlyToken = (await createAdmin(admins, { name: '玄武区', regionCode: '320100', levels: ['junior'] }, clock.now())).token;
});
afterAll(async () => {
  await db?.close();
  await app?.stop();
});

async function register(userId: string, seq: string): Promise<void> {
  for (const t of registrationScript(makeIdNumber('320102', '19850312', seq))) await say(userId, t);
  expect(await say(userId, '确认')).toContain('注册成功');
}

async function declareIntermediate(userId: string): Promise<void> {
  expect(await say(userId, '申报')).toContain('仍在党务工作岗位');
  const overview = await say(userId, '是');
  expect(overview).toContain('可以申报');
  expect(overview).toContain('请选择要申报的等级');
  expect(await say(userId, '中级')).toContain('申报方式'); // the level's name, without its status note
  const summary = await say(userId, '个人自荐');
  expect(summary).toContain('请核对申报信息');
  expect(summary).toContain('申报等级：中级\n');
  expect(await say(userId, '确认')).toContain('申报已提交');
}

async function latest(userId: string): Promise<Application> {
  const list = await api('GET', '/applications?region=3201&limit=100');
  expect(list.status).toBe(200);
  const mine = (list.body.items as Application[]).filter((a) => a.userId === userId);
  expect(mine.length).toBeGreaterThan(0);
  return mine[0]!;
}

async function act(id: string, path: string, body: Record<string, unknown>): Promise<Application> {
  const current = (await api('GET', `/applications/${id}`)).body as Application;
  const r = await api('POST', `/applications/${id}${path}`, { ...body, expectedVersion: current.version });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Application;
}

describe('certification journey end to end', () => {
  it('goes from registration to a verified certificate', async () => {
    await register('journey', '401');
    const levels = await say('journey', '我能申报什么');
    expect(levels).toContain('可以申报');
    expect(levels).toContain('中级');

    await declareIntermediate('journey');
    const applied = await latest('journey');
    expect(applied).toMatchObject({ level: 'intermediate', stage: 'declaration', status: 'open', policyId: 'jiangsu', regionCode: '320102' });

    // A second declaration of the same level is refused with the status of the first.
    await say('journey', '申报');
    await say('journey', '是');
    expect(await say('journey', '中级（可申报）')).toContain('您已申报过「中级」');

    await act(applied.id, '/transitions', { action: 'advance' }); // → qualification review
    await act(applied.id, '/transitions', { action: 'advance' }); // → training test
    let status = await say('journey', '进度');
    expect(status).toContain('当前环节：培训测试');
    expect(status).toContain('需要您做');
    await act(applied.id, '/score', { score: 85 });
    await act(applied.id, '/transitions', { action: 'advance' }); // → comprehensive review
    await act(applied.id, '/satisfaction', { rate: 0.9 });
    const inNotice = await act(applied.id, '/transitions', { action: 'advance' }); // → public notice
    expect(inNotice.stage).toBe('publicNotice');
    expect(inNotice.noticeEndsAt).toBe('2026-03-08T02:00:00.000Z');

    // The worker was told about each step on their channel (the simulator keeps pushes until fetched).
    const pushes = text(((await (await fetch(`${app.url}/sim/api/pushes?userId=journey`)).json()) as { replies: { text: string }[] }).replies);
    expect(pushes).toContain('已进入下一环节：资格审查');
    expect(pushes).toContain('培训测试成绩已登记：85 分');
    expect(pushes).toContain('社会公示');

    // Before the end of the period the job refuses; after it, the scheduler's job certifies.
    await app.scheduler.now(NOTICE_ENDED_JOB, applied.id, { applicationId: applied.id });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api('GET', `/applications/${applied.id}`)).body.status).toBe('open');
    clock.advance(8 * 86_400_000);
    await app.scheduler.now(NOTICE_ENDED_JOB, applied.id, { applicationId: applied.id });
    let certified: Application | undefined;
    for (let i = 0; i < 100 && !certified?.certificateNumber; i++) {
      await new Promise((r) => setTimeout(r, 200));
      certified = (await api('GET', `/applications/${applied.id}`)).body;
    }
    expect(certified).toMatchObject({ status: 'certified' });
    const number = certified!.certificateNumber!;
    expect(number).toMatch(/^3201002026Z\d{5}$/);
    // Regression (certificate number recorded silently): the number arrives with its own history event.
    expect(certified!.history.map((e) => e.action)).toEqual(['submit', 'advance', 'advance', 'recordScore', 'advance', 'recordSatisfaction', 'advance', 'certify', 'certificateIssued']);
    expect(certified!.history.at(-1)).toMatchObject({ actor: { kind: 'system' }, data: { number }, toStatus: 'certified' });

    const mine = await say('journey', '我的证书');
    expect(mine).toContain(number);
    expect(mine).toContain('状态：有效');
    expect(mine).toContain(`https://bot.example.org/verify/${number}`);
    status = await say('journey', '进度');
    expect(status).toContain('已发证');
    expect(status).toContain(`证书编号：${number}`);

    const page = await fetch(`${app.url}/verify/${number}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('张*');
    expect(html).toContain('有效');
    expect(html).not.toContain('320102198503');
    const json = await (await fetch(`${app.url}/verify/${number}.json`)).json();
    expect(json).toMatchObject({ number, holder: '张*', status: 'valid', scope: 'city', level: { 'zh-CN': '中级' }, issuedOn: '2026-03-09' });
    const qr = await fetch(`${app.url}/verify/${number}/qr.png`);
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await qr.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    for (const path of ['/verify/NOPE0000000', '/verify/NOPE0000000.json', '/verify/NOPE0000000/qr.png']) {
      expect((await fetch(`${app.url}${path}`)).status).toBe(404);
    }

    // After certification: inspection and assessment, and the allowance report.
    const year = 2026;
    expect((await api('POST', `/certificates/${number}/assessments`, { year, grade: 'competent' })).status).toBe(200);
    expect((await api('POST', `/certificates/${number}/inspections`, { year, passed: true })).status).toBe(200);
    const report = await api('GET', `/reports/allowance?year=${year}`);
    expect(report.status).toBe(200);
    expect(report.body.rows).toEqual([expect.objectContaining({ certificateNumber: number, holder: '张三', nameMasked: false, level: 'intermediate', amountYuan: 4800 })]);
    const csv = await fetch(`${app.url}/admin/api/reports/allowance?year=${year}&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    // The city committee pays 中级 holders: their full names, in Chinese.
    expect(await csv.text()).toContain(`${number},张三,中级,江苏省南京市玄武区,称职,4800`);
    // Recording the year's inspection again is refused (a change needs a correction with a reason)…
    expect((await api('POST', `/certificates/${number}/inspections`, { year, passed: false, note: '未按期述职' })).status).toBe(409);
    // …and a correction to failed suspends the certificate (Jiangsu's policy), which /verify shows.
    expect((await api('POST', `/certificates/${number}/inspections/${year}/correction`, { passed: false, reason: '未按期述职' })).status).toBe(200);
    expect(((await (await fetch(`${app.url}/verify/${number}.json`)).json()) as { status: string }).status).toBe('suspended');
  });
});

describe('admin API refusals change nothing', () => {
  let app1: Application;
  beforeAll(async () => {
    await register('second', '402');
    await declareIntermediate('second');
    app1 = await latest('second');
  });

  it('has no demo clock without DEMO_MODE: 404, with or without a token', async () => {
    expect((await api('POST', '/demo/clock', { advanceDays: 8 })).status).toBe(404);
    expect((await api('POST', '/demo/clock', { advanceDays: 8 }, '')).status).toBe(404);
  });

  it('refuses a missing, malformed or tampered token with 401', async () => {
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bearer of ['', 'nonsense', tampered]) {
      const r = await api('GET', '/applications', undefined, bearer);
      expect(r.status).toBe(401);
      expect(r.body.error).toMatch(/token|Authorization/);
    }
  });

  it('refuses out-of-scope admins with 403 (another city, another level) and logs the attempt', async () => {
    const r = await api('POST', `/applications/${app1.id}/transitions`, { action: 'advance', expectedVersion: app1.version }, suzhouToken);
    expect(r.status).toBe(403);
    expect((await api('GET', `/applications/${app1.id}`, undefined, juniorOnlyToken)).status).toBe(403);
    expect((await api('GET', '/applications?region=3205', undefined, token)).status).toBe(403);
    expect((await api('GET', `/applications/${app1.id}`)).body.version).toBe(app1.version);
  });

  it('gives one of two admins acting at once the change and the other 409', async () => {
    const [a, b] = await Promise.all([
      api('POST', `/applications/${app1.id}/transitions`, { action: 'advance', expectedVersion: app1.version }),
      api('POST', `/applications/${app1.id}/transitions`, { action: 'advance', expectedVersion: app1.version }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const after = (await api('GET', `/applications/${app1.id}`)).body as Application;
    expect(after.stage).toBe('qualificationReview');
    expect(after.history.filter((e) => e.action === 'advance')).toHaveLength(1);
  });

  it.each([
    ['a score out of range', '/score', { score: 101 }, 400, /score must be 0-100/],
    ['a score at the wrong stage', '/score', { score: 80 }, 422, /trainingTest/],
    ['a return without a note', '/transitions', { action: 'return' }, 400, /note/],
    ['an unknown action', '/transitions', { action: 'certify' }, 400, /action/],
    ['a stale version', '/transitions', { action: 'advance', expectedVersion: 1 }, 409, /version/],
    ['an objection outside the public notice', '/objections', { text: '有异议' }, 422, /public notice/],
  ])('refuses %s', async (_name, path, body, status, message) => {
    const before = (await api('GET', `/applications/${app1.id}`)).body as Application;
    const r = await api('POST', `/applications/${app1.id}${path}`, { expectedVersion: before.version, ...body });
    expect(r.status).toBe(status);
    expect(r.body.error).toMatch(message);
    expect(((await api('GET', `/applications/${app1.id}`)).body as Application).version).toBe(before.version);
  });

  it('answers 404 for unknown applications and certificates, 400 for malformed ids', async () => {
    expect((await api('GET', '/applications/nope')).status).toBe(404);
    expect((await api('POST', '/certificates/NOPE123/inspections', { year: 2026, passed: true })).status).toBe(404);
    expect((await api('GET', '/applications/%24where')).status).toBe(400);
    const badCursor = await api('GET', '/applications?cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error).toMatch(/cursor/);
  });

  it('keeps an audit trail of actions and refusals', async () => {
    const r = await api('GET', `/audit?target=application:${app1.id}`);
    expect(r.status).toBe(200);
    const outcomes = (r.body.items as { action: string; outcome: string }[]).map((e) => e.outcome);
    expect(outcomes).toContain('done');
    expect(outcomes).toContain('conflict');
    expect(outcomes).toContain('invalid');
  });
});

describe('returned for correction, resubmitted and withdrawn in chat', () => {
  it('tells the worker the reason, lets them resubmit, then withdraw', async () => {
    await register('third', '403');
    await declareIntermediate('third');
    const app3 = await latest('third');
    await act(app3.id, '/transitions', { action: 'return', note: '请补充任职文件' });
    const pushes = text(((await (await fetch(`${app.url}/sim/api/pushes?userId=third`)).json()) as { replies: { text: string }[] }).replies);
    expect(pushes).toContain('被退回修改，原因：请补充任职文件');
    expect(await say('third', '进度')).toContain('退回修改');

    const options = await simSay(app.url, 'third', '重新提交');
    expect(text(options)).toContain('请选择要重新提交的申报');
    expect(options.at(-1)?.choices?.[0]?.label).toContain('请补充任职文件');
    expect(await say('third', '1')).toContain('重新提交吗');
    expect(await say('third', '是')).toContain('已重新提交');
    expect((await api('GET', `/applications/${app3.id}`)).body).toMatchObject({ status: 'open', stage: 'declaration' });

    expect(await say('third', '撤回')).toContain('要撤回哪一项申报');
    await say('third', '1');
    expect(await say('third', '是')).toContain('申报已撤回');
    const after = (await api('GET', `/applications/${app3.id}`)).body as Application;
    expect(after.status).toBe('withdrawn');
    expect(after.history.map((e) => e.action)).toEqual(['submit', 'return', 'resubmit', 'withdraw']);
    expect(await say('third', '撤回')).toContain('没有可以撤回的申报');
  });
});
