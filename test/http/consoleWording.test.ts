/**
 * The newcomer trial's refusals and certificate facts, through the real app and database: what the API sends is
 * handed to the console's own wording (console/src/logic), as the console does, with names from GET /catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, CertificateDetail } from '../../console/src/api/types.ts';
import { certificateFacts } from '../../console/src/logic/certificateView.ts';
import { catalogNames, refusalText, type Names } from '../../console/src/logic/refusal.ts';
import { startAdminApiApp, type AdminApiApp, type ApiResponse } from '../support/adminApiHarness.ts';

let r: AdminApiApp;
let nanjing: string;
let zh: Names;

const said = (res: ApiResponse, names = zh) => refusalText({ status: res.status, message: res.body.error, code: res.body.code, body: res.body }, 'zh-CN', names);

beforeAll(async () => {
  r = await startAdminApiApp('console_wording');
  nanjing = await r.token('南京市两新工委', '320100');
  zh = catalogNames((await r.api('GET', '/catalog', nanjing)).body as Catalog, 'zh-CN');
});
afterAll(() => r?.stop());

describe('refusals the console words in Chinese', () => {
  it('regression: 新建培训 empty answered "startsAt: times are ISO 8601 with a zone…" under a date picker', async () => {
    // What the console sends for an empty form (an empty 报名截止 is left out).
    const res = await r.api('POST', '/training/sessions', nanjing, { title: '', kind: 'continuing', regionCode: '320100', startsAt: '', endsAt: '', hours: 8, capacity: 50, place: '' });
    expect(res.status).toBe(400);
    // Scripts keep the English sentence.
    expect(res.body.error).toContain('startsAt: times are ISO 8601 with a zone');
    expect(res.body.code).toBe('invalid');
    expect(said(res)).toBe('标题：必填；开始时间：必填；结束时间：必填；地点：必填');
  });

  it('regression: 报名截止 said 不填则为开始时间 yet the API refused a session without it', async () => {
    const startsAt = new Date(r.clock.now().getTime() + 7 * 86_400_000);
    const endsAt = new Date(startsAt.getTime() + 3_600_000);
    const res = await r.api('POST', '/training/sessions', nanjing, { title: '继续教育班', kind: 'continuing', regionCode: '320100', startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), hours: 8, capacity: 50, place: '南京市委党校' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const session = await r.api('GET', `/training/sessions/${res.body.id}`, nanjing);
    expect(session.body.enrolBy).toBe(startsAt.toISOString());
  });

  it('regression: funnels with only `from` answered "to: Invalid input: expected string, received undefined"', async () => {
    const res = await r.api('GET', '/funnels?from=2026-01-01', nanjing);
    expect(res.status).toBe(400);
    expect(said(res)).toBe('结束：必填');
  });

  it('regression: a score at 申报 answered "cannot record a test score at stage declaration (declaration)…"', async () => {
    const app = await r.seed({ regionCode: '320102', level: 'intermediate', stage: 'declaration' });
    const res = await r.api('POST', `/applications/${app.id}/score`, nanjing, { score: 80, expectedVersion: app.version });
    expect(res.status).toBe(422);
    expect(res.body.params).toMatchObject({ reason: 'scoreNotAtTest', stage: 'declaration' });
    expect(said(res)).toMatch(/^当前阶段「[^a-z]+」不能登记测试成绩/);
  });

  it('regression: a new account with an empty username named only name and regionCode', async () => {
    const res = await r.api('POST', '/accounts', nanjing, { username: '', name: '', regionCode: '' });
    expect(res.status).toBe(400);
    expect(said(res)).toBe('用户名：必填；名称：必填；地区：必填');
  });
});

describe('the certificate page', () => {
  it('regression: 生效日期 showed "—" (the page read validFrom, the detail says issuedOn) and 地区 showed the code', async () => {
    await r.issue({ level: 'intermediate', regionCode: '320102', issuedOn: '2026-01-10' }, 'NJ2026101');
    const res = await r.api('GET', '/certificates/NJ2026101', nanjing);
    expect(res.status).toBe(200);
    const facts = certificateFacts(res.body as CertificateDetail, 'zh-CN');
    expect(facts.validFrom).toBe('2026-01-10');
    expect(facts.region).toBe(`${res.body.regionName}（320102）`);
    expect(facts.region).toMatch(/^[^\d]+（320102）$/);
  });
});
