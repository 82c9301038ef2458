import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { createAdmin } from '../../src/app/admin/tokens.ts';
import type { Application } from '../../src/domain/certification/types.ts';
import type { RunningApp } from '../../src/main.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { createMongoAdminRepository } from '../../src/store/mongo/adminRepository.ts';
import { createMongoAuditLog } from '../../src/store/mongo/auditLog.ts';
import { registrationScript, TestClock } from '../support/appHarness.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { adminApi, simSay, startTestAppWithDb } from '../support/httpApp.ts';

/**
 * The README's "Demo mode" walk-through as a transcript: a Jiangsu journey from registration to a certificate
 * without waiting a week. At 社会公示 an admin's advance is refused until the period ends; the demo clock moves
 * 8 days and the notice-end job certifies before the clock's answer; the verify page shows the certificate; a
 * failed 年检 suspends it, which the verify page shows too.
 */
const base = new TestClock(new Date('2026-03-01T02:00:00Z'));
let app: RunningApp;
let db: Connection;
let token: string;

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');
const say = async (t: string) => text(await simSay(app.url, 'demo', t));

const api = (method: string, path: string, body?: unknown, bearer = token) => adminApi(app.url, bearer, method, path, body);

async function advance(id: string, path = '/transitions', body: Record<string, unknown> = { action: 'advance' }) {
  const current = (await api('GET', `/applications/${id}`)).body as Application;
  return api('POST', `/applications/${id}${path}`, { ...body, expectedVersion: current.version });
}

beforeAll(async () => {
  // The test database is a throwaway, so demo mode may run on it.
  const started = await startTestAppWithDb('demo_journey', { DEMO_MODE: 'true', DEMO_MODE_ALLOW_REAL_DB: 'true', PUBLIC_BASE_URL: 'https://bot.example.org' }, { clock: base });
  app = started.app;
  db = await connectMongo(started.uri);
  const admins = createMongoAdminRepository(db);
  await Promise.all(Object.values(db.models).map((m) => m.init()));
  token = (await createAdmin(admins, { name: '南京市两新工委', regionCode: '320100', levels: [] }, base.now())).token;
});
afterAll(async () => {
  await db?.close();
  await app?.stop();
});

describe('demo mode: a whole Jiangsu journey without waiting a week', () => {
  it('refuses a bad clock move and changes nothing', async () => {
    for (const body of [{}, { advanceDays: -1 }, { advanceDays: 0 }, { advanceDays: 1, advanceHours: 2 }, { advanceDays: '8' }, { advanceWeeks: 1 }]) {
      const r = await api('POST', '/demo/clock', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(/advanceDays|advanceHours|Unrecognized key/);
    }
    expect((await api('POST', '/demo/clock', { advanceHours: 1 }, 'nonsense')).status).toBe(401);
    // Nothing moved: the first accepted move starts from the base clock.
    expect(await api('POST', '/demo/clock', { advanceHours: 1 })).toEqual({ status: 200, body: { now: '2026-03-01T03:00:00.000Z' } });
  });

  it('goes from registration to a certificate, its verify page, a failed 年检 and its correction', async () => {
    // The README's answers: its ID number is this one.
    for (const t of registrationScript(makeIdNumber('320102', '19850312', '401'))) await say(t);
    expect(await say('确认')).toContain('注册成功');
    expect(await say('申报')).toContain('仍在党务工作岗位');
    expect(await say('是')).toContain('请选择要申报的等级');
    expect(await say('中级')).toContain('申报方式');
    expect(await say('个人自荐')).toContain('请核对申报信息');
    expect(await say('确认')).toContain('申报已提交');

    const list = await api('GET', '/applications?region=3201');
    const id = (list.body.items as Application[]).find((a) => a.userId === 'demo')!.id;
    for (const step of [
      () => advance(id), // → qualification review
      () => advance(id), // → training test
      () => advance(id, '/score', { score: 85 }),
      () => advance(id), // → comprehensive review
      () => advance(id, '/satisfaction', { rate: 0.9 }),
      () => advance(id), // → public notice
    ]) {
      const r = await step();
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const inNotice = (await api('GET', `/applications/${id}`)).body as Application;
    expect(inNotice).toMatchObject({ stage: 'publicNotice', status: 'open', noticeEndsAt: '2026-03-08T03:00:00.000Z' });
    // The newcomer's dead end the demo clock gets past: the notice period is not over.
    const early = await advance(id);
    expect(early.status).toBe(422);
    expect(early.body.error).toMatch(/2026-03-08/);

    // Eight days on: the notice-end job has run (and certified) by the time the clock answers.
    expect(await api('POST', '/demo/clock', { advanceDays: 8 })).toEqual({ status: 200, body: { now: '2026-03-09T03:00:00.000Z' } });
    const certified = (await api('GET', `/applications/${id}`)).body as Application;
    expect(certified).toMatchObject({ status: 'certified' });
    const number = certified.certificateNumber!;
    expect(number).toMatch(/^3201002026Z\d{5}$/);
    expect(certified.history.at(-2)).toMatchObject({ action: 'certify', actor: { kind: 'system' }, at: '2026-03-09T03:00:00.000Z' });
    expect(await say('我的证书')).toContain(number);

    const page = await (await fetch(`${app.url}/verify/${number}`)).text();
    expect(page).toContain('有效');
    expect(await (await fetch(`${app.url}/verify/${number}.json`)).json()).toMatchObject({ number, status: 'valid', issuedOn: '2026-03-09' });

    // 年检 failed: Jiangsu suspends the certificate, and the verify page says so.
    expect((await api('POST', `/certificates/${number}/inspections`, { year: 2026, passed: false, note: '未按期述职' })).status).toBe(200);
    expect(await (await fetch(`${app.url}/verify/${number}.json`)).json()).toMatchObject({ number, status: 'suspended' });
    const suspendedPage = await (await fetch(`${app.url}/verify/${number}`)).text();
    expect(suspendedPage).toContain('<p class="suspended">');
    expect(suspendedPage).not.toContain('<p class="valid">');

    // The failure was a mistake: the managing tier corrects it with a reason, and the certificate is valid again.
    const corrected = await api('POST', `/certificates/${number}/inspections/2026/correction`, { passed: true, reason: '述职材料已按期提交，误录' });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(corrected.body).toMatchObject({ restored: 'suspended', certificate: { status: 'valid' } });
    expect(await (await fetch(`${app.url}/verify/${number}.json`)).json()).toMatchObject({ number, status: 'valid' });
    expect(await (await fetch(`${app.url}/verify/${number}`)).text()).toContain('<p class="valid">有效 / Valid</p>');
  });

  it('audits each clock move', async () => {
    const moves = (await createMongoAuditLog(db).list({ target: 'clock' }, 10)).filter((e) => e.action === 'demo.clock');
    expect(moves.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        { from: '2026-03-01T02:00:00.000Z', to: '2026-03-01T03:00:00.000Z', advanceMs: 3_600_000 },
        { from: '2026-03-01T03:00:00.000Z', to: '2026-03-09T03:00:00.000Z', advanceMs: 8 * 86_400_000 },
      ]),
    );
    expect(moves).toHaveLength(2);
  });
});
