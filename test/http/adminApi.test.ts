/**
 * The admin API routes over HTTP, through the real app and database: what each route answers, the public notice's
 * objections decided over `…/objections/:objectionId/decision`, the evidence photo, and bad input refused with a
 * specific 400 that changes nothing. Admins are of the tier that manages the level (Nanjing city for 中级).
 * The journey through every stage is test/e2e/certification-journey.test.ts; tier refusals test/http/adminTiers.test.ts.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/certification/types.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';

const DAY = 86_400_000;
let r: AdminApiApp;
let nanjing: string;
let juniorOnly: string;

beforeAll(async () => {
  r = await startAdminApiApp('admin_api');
  nanjing = await r.token('南京市两新工委', '320100');
  juniorOnly = await r.token('南京市两新工委（初级）', '320100', ['junior']);
});
afterAll(() => r?.stop());

/** An intermediate application in its public notice (started now, ending in 7 days), with one open objection. */
function inNotice(over: Partial<Application> = {}): Promise<Application> {
  const now = r.clock.now();
  return r.seed({
    level: 'intermediate',
    stage: 'publicNotice',
    testScore: 85,
    satisfaction: 0.9,
    noticeStartedAt: now.toISOString(),
    noticeEndsAt: new Date(now.getTime() + 7 * DAY).toISOString(),
    objections: [{ id: 'obj1', at: now.toISOString(), text: '此人已离岗', upheld: null }],
    ...over,
  });
}

/** The application as stored, without what the detail adds for the reviewer (applicant, level and stage names, days in stage, evidence timeline). */
const get = async (id: string): Promise<Application> => {
  const { applicant: _a, levelName: _l, stageName: _sn, stageNames: _sns, stageEnteredAt: _s, daysInStage: _d, evidenceUrls: _e, evidenceTimeline: _t, eligibility: _el, ...app } = (await r.api('GET', `/applications/${id}`, nanjing)).body;
  return app as Application;
};
const decide = (app: Application, objectionId: string, body: Record<string, unknown>, token = nanjing) =>
  r.api('POST', `/applications/${app.id}/objections/${objectionId}/decision`, token, body);

describe('GET /admin/api/me', () => {
  it('answers the calling admin as an account (a script-only admin has no username), without the token or its hash', async () => {
    const res = await r.api('GET', '/me', juniorOnly);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      username: null,
      name: '南京市两新工委（初级）',
      regionCode: '320100',
      regionName: '南京市',
      tier: 'city',
      levels: ['junior'],
      createdAt: r.clock.now().toISOString(),
      disabled: false,
    });
    expect(res.raw).not.toContain(juniorOnly.split('_').at(-1));
  });
});

describe('POST /admin/api/applications/:id/objections/:objectionId/decision', () => {
  it('regression: the note of an objection decision was dropped (dismissed: the application stays in its notice, decision in history and audit)', async () => {
    const app = await inNotice();
    const res = await decide(app, 'obj1', { upheld: false, note: '经核实仍在岗', expectedVersion: app.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'open', stage: 'publicNotice', version: app.version + 1, objections: [{ id: 'obj1', upheld: false, decidedAt: r.clock.now().toISOString() }] });
    expect(res.body.history.at(-1)).toMatchObject({ action: 'decideObjection', note: '经核实仍在岗', data: { objectionId: 'obj1', upheld: false } });
    expect(await get(app.id)).toEqual(res.body);
    const audit = await r.api('GET', `/audit?target=application:${app.id}`, nanjing);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'decideObjection', outcome: 'done', detail: expect.objectContaining({ id: 'obj1', upheld: false, note: '经核实仍在岗', expectedVersion: app.version }) })]);
  });

  it('gives the worker the admin’s note as the reason when an upheld objection rejects the application', async () => {
    const app = await inNotice();
    const res = await decide(app, 'obj1', { upheld: true, note: '经核实已离岗', expectedVersion: app.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.history.at(-1)).toMatchObject({ action: 'decideObjection', toStatus: 'rejected', note: '经核实已离岗' });
  });

  it('rejects the application when the objection is upheld, the objection being the reason the worker sees', async () => {
    const app = await inNotice();
    const res = await decide(app, 'obj1', { upheld: true, expectedVersion: app.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', objections: [{ id: 'obj1', upheld: true }] });
    expect(res.body.history.at(-1)).toMatchObject({ action: 'decideObjection', toStatus: 'rejected', note: '此人已离岗' });
    const again = await decide(app, 'obj1', { upheld: false, expectedVersion: app.version + 1 });
    expect(again.status).toBe(422);
    expect(again.body.error).toMatch(/rejected/);
  });

  it('records an objection over HTTP (201) and decides the one it created', async () => {
    const app = await inNotice({ objections: [] });
    const created = await r.api('POST', `/applications/${app.id}/objections`, nanjing, { text: '材料存疑', expectedVersion: app.version });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const objection = (created.body as Application).objections[0]!;
    expect(objection).toMatchObject({ text: '材料存疑', upheld: null });
    const res = await decide(app, objection.id, { upheld: false, expectedVersion: created.body.version });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.objections).toEqual([expect.objectContaining({ id: objection.id, upheld: false })]);
  });

  it.each([
    ['an unknown objection', 'nope', { upheld: true }, 400, /has no objection "nope"/],
    ['a malformed objection id', 'a%20b', { upheld: true }, 400, /ids are 1-64 letters/],
    ['upheld that is not a boolean', 'obj1', { upheld: 'yes' }, 400, /^upheld must be a boolean, not a string$/],
    ['a missing expectedVersion', 'obj1', { upheld: true, expectedVersion: undefined }, 400, /expectedVersion must be the version you read/],
    ['an unknown field', 'obj1', { upheld: true, by: 'me' }, 400, /by/],
    ['a stale version', 'obj1', { upheld: true, expectedVersion: 99 }, 409, /version/],
  ])('refuses %s, changing nothing', async (_name, objectionId, body, status, message) => {
    const app = await inNotice();
    const res = await decide(app, objectionId, { expectedVersion: app.version, ...body });
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect(await get(app.id)).toEqual(app);
  });

  it('refuses a decision outside the public notice (422) and from an admin outside the level (403)', async () => {
    const review = await inNotice({ stage: 'qualificationReview', noticeStartedAt: null, noticeEndsAt: null });
    const wrongStage = await decide(review, 'obj1', { upheld: false, expectedVersion: review.version });
    expect(wrongStage.status).toBe(422);
    expect(wrongStage.body.error).toMatch(/objections are decided during the public notice/);
    const app = await inNotice();
    expect((await decide(app, 'obj1', { upheld: false, expectedVersion: app.version }, juniorOnly)).status).toBe(403);
    expect(await get(app.id)).toEqual(app);
  });
});

describe('GET /admin/api/applications/:id/evidence/:index', () => {
  it('serves a kept photo as itself, never cached, with its hash; refuses a photo that does not exist', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6]);
    await r.media.put({ ref: 'wechat-media:kept1', contentType: 'image/jpeg', bytes, storedAt: r.clock.now().toISOString() });
    const app = await r.seed({ level: 'intermediate', evidence: ['wechat-media:kept1'] });
    // The detail lists each photo with when it came (the declaration's come with the submission).
    const detail = await r.api('GET', `/applications/${app.id}`, nanjing);
    expect((detail.body as { evidenceTimeline: unknown }).evidenceTimeline).toEqual([{ index: 0, at: app.history[0]!.at, came: 'declaration', stage: app.stage, status: 'open' }]);
    const res = await r.api('GET', `/applications/${app.id}/evidence/0`, nanjing);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('x-evidence-sha256')).toBe((await r.media.get('wechat-media:kept1'))!.sha256);
    expect(Buffer.compare(res.body as Buffer, bytes)).toBe(0);

    const missing = await r.api('GET', `/applications/${app.id}/evidence/1`, nanjing);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe(`application ${app.id} has 1 evidence photo(s); there is no photo 1`);
    // No channel that could fetch it is configured in the test app: gone for good, not a platform hiccup.
    const unkept = await r.seed({ level: 'intermediate', evidence: ['wechat-media:never-kept'] });
    expect((await r.api('GET', `/applications/${unkept.id}/evidence/0`, nanjing)).status).toBe(404);
    const bad = await r.api('GET', `/applications/${app.id}/evidence/first`, nanjing);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('the photo index is a number, 0 for the first');
    expect((await r.api('GET', `/applications/${app.id}/evidence/0`, juniorOnly)).status).toBe(403);
  });
});

describe('who applied: GET /admin/api/applications(/:id) and POST …/reveal', () => {
  const org = { name: '南京某某科技有限公司', type: 'enterprise' as const, sizeClass: 'aboveDesignatedSize' as const, regionCode: '320102', employees: 120, uscc: '91320102MA1YYYYY0Y' };

  it('regression: an application carried only ids, not the applicant’s profile (masked) or organisation', async () => {
    const worker = await r.worker({ name: '李红', mobile: '13712345678' }, org);
    const app = await r.seed({ level: 'intermediate', workerId: worker.id, stage: 'qualificationReview' });
    const res = await r.api('GET', `/applications/${app.id}`, nanjing);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: app.id,
      levelName: { 'zh-CN': '中级' },
      daysInStage: 0,
      applicant: {
        workerId: worker.id,
        name: '李红',
        idNumber: `${worker.idNumber.slice(0, 3)}***********${worker.idNumber.slice(-4)}`,
        mobile: '137****5678',
        role: 'secretary',
        membership: 'full',
        joinDate: '2010-07-01',
        workStart: '2018-03-01',
        education: 'bachelor',
        professionalTitle: 'none',
        region: { code: '320102', name: { 'zh-CN': '江苏省南京市玄武区' } },
        organization: { name: '南京某某科技有限公司', type: 'enterprise', sizeClass: 'aboveDesignatedSize', uscc: '91320102MA1YYYYY0Y', employees: 120 },
      },
    });
    expect(res.raw).not.toContain(worker.idNumber);
    expect(res.raw).not.toContain('13712345678');

    const list = await r.api('GET', '/applications?stage=qualificationReview&limit=100', nanjing);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items.find((a: { id: string }) => a.id === app.id)).toMatchObject({ applicant: { name: '李红', orgName: '某某科技有限公司' }, levelName: { 'zh-CN': '中级' }, daysInStage: 0 });
  });

  it("regression: the review queue had no search by the applicant's name; name= lists the applications of the workers of exactly that name, in the admin's scope, with the other filters", async () => {
    const namesake1 = await r.worker({ name: '周明查', mobile: '13712340001' }, org);
    const namesake2 = await r.worker({ name: '周明查', mobile: '13712340002' }, org);
    const longer = await r.worker({ name: '周明查丰', mobile: '13712340003' }, org);
    const a1 = await r.seed({ level: 'intermediate', workerId: namesake1.id, stage: 'qualificationReview' });
    const a2 = await r.seed({ level: 'junior', workerId: namesake2.id, stage: 'qualificationReview', status: 'returned' });
    await r.seed({ level: 'intermediate', workerId: longer.id, stage: 'qualificationReview' });
    await r.seed({ level: 'senior', workerId: namesake1.id, stage: 'qualificationReview', regionCode: '320502' }); // Suzhou: outside Nanjing
    const ids = (body: { items: { id: string }[] }) => body.items.map((a) => a.id).sort();
    const named = encodeURIComponent(' 周明查 ');
    const found = await r.api('GET', `/applications?name=${named}&limit=100`, nanjing);
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(ids(found.body)).toEqual([a1.id, a2.id].sort());
    expect(found.body.items.find((a: { id: string }) => a.id === a1.id)).toMatchObject({ applicant: { name: '周明查' } });
    expect(ids((await r.api('GET', `/applications?name=${named}&status=returned`, nanjing)).body)).toEqual([a2.id]);
    expect(ids((await r.api('GET', `/applications?name=${named}`, juniorOnly)).body)).toEqual([a2.id]);
    // A page of one, then the next: the name filter holds across the cursor.
    const first = await r.api('GET', `/applications?name=${named}&limit=1`, nanjing);
    const second = await r.api('GET', `/applications?name=${named}&limit=1&cursor=${first.body.next}`, nanjing);
    expect([...ids(first.body), ...ids(second.body)].sort()).toEqual([a1.id, a2.id].sort());
    expect(await r.api('GET', `/applications?name=${encodeURIComponent('周')}`, nanjing)).toMatchObject({ status: 200, body: { items: [], next: null } });
  });

  it('reveals the plaintext numbers to the managing tier, never cached, audited; refuses a reading tier and bad fields', async () => {
    const worker = await r.worker({ mobile: '13612345678' }, org);
    const app = await r.seed({ level: 'intermediate', workerId: worker.id });
    const res = await r.api('POST', `/applications/${app.id}/reveal`, nanjing, { fields: ['idNumber', 'mobile'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ workerId: worker.id, idNumber: worker.idNumber, mobile: '13612345678' });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const county = await r.token('玄武区两新工委', '320102');
    const refused = await r.api('POST', `/applications/${app.id}/reveal`, county, { fields: ['mobile'] });
    expect(refused.status).toBe(403);
    expect(refused.raw).not.toContain('13612345678');
    for (const [body, message] of [[{ fields: [] }, /name the fields to reveal/], [{ fields: ['name'] }, /fields are idNumber and\/or mobile/], [{ fields: ['mobile', 'mobile'] }, /each field once/]] as const) {
      const bad = await r.api('POST', `/applications/${app.id}/reveal`, nanjing, body);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(message);
    }
    const audit = await r.api('GET', `/audit?target=application:${app.id}`, nanjing);
    // The city sees its own reveal and the county's refused attempt (the trail of its region and below).
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'revealApplicant', outcome: 'refused', adminName: '玄武区两新工委', detail: expect.objectContaining({ fields: ['mobile'] }) }),
      expect.objectContaining({ action: 'revealApplicant', outcome: 'done', adminName: '南京市两新工委', detail: { fields: ['idNumber', 'mobile'] } }),
    ]);
    expect(audit.raw).not.toContain(worker.idNumber);
  });
});

describe('eligibility in GET /admin/api/applications/:id', () => {
  it('regression: the application detail had no eligibility: each rule of the level passes, fails or waits, in the policy’s words in both languages', async () => {
    // Just under 1.5 years of party work on the test clock's day (2026-03-01): 中级 needs 3; the test is not taken yet.
    const worker = await r.worker({ workStart: '2024-09-01' });
    const app = await r.seed({ level: 'intermediate', workerId: worker.id, testScore: null, declared: { stillInPost: true } });
    const res = await r.api('GET', `/applications/${app.id}`, nanjing);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const e = res.body.eligibility as { asOf: string; level: string; eligible: boolean; held: boolean; conditions: { condition: string; status: string; text: { 'zh-CN': string; en: string } }[] };
    expect(e).toMatchObject({ asOf: '2026-03-01', level: 'intermediate', eligible: false, held: false });
    const by = Object.fromEntries(e.conditions.map((c) => [c.condition, c]));
    expect(by.fullMember).toMatchObject({ status: 'met', text: { 'zh-CN': '中共正式党员' } });
    expect(by.minYearsInPartyWork).toMatchObject({ status: 'unmet', text: { 'zh-CN': '党务工作年限 1.4 年，中级需满 3 年，还差 1.6 年' } });
    expect(by.minYearsInPartyWork!.text.en).toMatch(/1\.6/);
    expect(by.examPassed).toMatchObject({ status: 'pending' });

    // A score at the pass mark turns the test rule to met.
    const passed = await r.seed({ level: 'junior', workerId: worker.id, testScore: 100 });
    const after = await r.api('GET', `/applications/${passed.id}`, nanjing);
    expect(after.body.eligibility.conditions.find((c: { condition: string }) => c.condition === 'examPassed')).toMatchObject({ status: 'met' });
  });
});

describe('POST /admin/api/certificates/:number/inspections/:year/correction (and assessments)', () => {
  it('regression: a mistaken failed inspection kept the certificate suspended; corrected with a reason, it is valid again', async () => {
    await r.issue({ level: 'intermediate', workerId: 'wc1', issuedOn: '2026-01-10' }, 'HTTPC1');
    expect((await r.api('POST', '/certificates/HTTPC1/inspections', nanjing, { year: 2026, passed: false })).status).toBe(200);
    expect((await r.certificate('HTTPC1'))!.status).toBe('suspended');
    const res = await r.api('POST', '/certificates/HTTPC1/inspections/2026/correction', nanjing, { passed: true, reason: '录入错误' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ restored: 'suspended', certificate: { status: 'valid' }, record: { inspection: { passed: true, corrections: [{ reason: '录入错误', previous: { passed: false } }] } } });
    expect((await r.certificate('HTTPC1'))!.statusHistory.at(-1)).toMatchObject({ status: 'valid', reason: 'annual inspection corrected to passed; suspension lifted: 录入错误' });
    const audit = await r.api('GET', '/audit?target=certificate:HTTPC1', nanjing);
    expect(audit.body.items[0]).toMatchObject({ action: 'correctInspection', outcome: 'done', detail: { year: 2026, passed: true, reason: '录入错误' } });

    await r.api('POST', '/certificates/HTTPC1/assessments', nanjing, { year: 2026, grade: 'incompetent' });
    const grade = await r.api('POST', '/certificates/HTTPC1/assessments/2026/correction', nanjing, { grade: 'excellent', reason: '等次录错' });
    expect(grade.status, JSON.stringify(grade.body)).toBe(200);
    expect(grade.body.record.assessment).toMatchObject({ grade: 'excellent', corrections: [{ previous: { grade: 'incompetent' } }] });
  });

  it.each([
    ['without a reason', '/certificates/HTTPC2/inspections/2026/correction', { passed: true }, 400, /^reason is required$/],
    ['with a blank reason', '/certificates/HTTPC2/inspections/2026/correction', { passed: true, reason: '  ' }, 400, /a correction needs a reason/],
    ['for a year that is not a number', '/certificates/HTTPC2/inspections/last/correction', { passed: true, reason: 'x' }, 400, /the year in the path is a number/],
    ['for a year in the future', '/certificates/HTTPC2/inspections/2027/correction', { passed: true, reason: 'x' }, 400, /year 2027 is in the future \(it is 2026 in China\)/],
    ['of a record that was never made', '/certificates/HTTPC2/assessments/2026/correction', { grade: 'competent', reason: 'x' }, 404, /nothing to correct; record it with POST/],
  ])('refuses a correction %s', async (_name, path, body, status, message) => {
    if (!(await r.certificate('HTTPC2'))) {
      await r.issue({ level: 'intermediate', workerId: 'wc2', issuedOn: '2026-01-10' }, 'HTTPC2');
      await r.api('POST', '/certificates/HTTPC2/inspections', nanjing, { year: 2026, passed: false });
    }
    const res = await r.api('POST', path, nanjing, body);
    expect(res.status).toBe(status);
    expect(res.body.error).toMatch(message);
    expect((await r.certificate('HTTPC2'))!.status).toBe('suspended');
  });

  it('regression: an inspection for a year in the future was recorded', async () => {
    await r.issue({ level: 'intermediate', workerId: 'wc3', issuedOn: '2026-01-10' }, 'HTTPC3');
    const res = await r.api('POST', '/certificates/HTTPC3/inspections', nanjing, { year: 2030, passed: false });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('year 2030 is in the future (it is 2026 in China); 年检 and 考核 are recorded for 2026 or earlier');
    expect((await r.certificate('HTTPC3'))!.status).toBe('valid');
  });
});

describe('GET /admin/api/reports/allowance', () => {
  /** One holder paid and one not for 2025 (last year: the test clock is in March 2026), in Nanjing, 中级. */
  let seeded: Promise<void> | undefined;
  const seedReport = () =>
    (seeded ??= (async () => {
      const paid = await r.worker({ name: '周八' });
      const unassessed = await r.worker({ name: '吴九' });
      await r.issue({ level: 'intermediate', workerId: paid.id, issuedOn: '2025-01-10', validUntil: '2028-01-09' }, 'RPT1');
      await r.issue({ level: 'intermediate', workerId: unassessed.id, issuedOn: '2025-01-10', validUntil: '2028-01-09' }, 'RPT2');
      expect((await r.api('POST', '/certificates/RPT1/assessments', nanjing, { year: 2025, grade: 'excellent' })).status).toBe(200);
    })());

  it('regression: the CSV had English headers and values, masked names and no excluded holders', async () => {
    await seedReport();
    const res = await r.api('GET', '/reports/allowance?format=csv', nanjing);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="allowance-2025.csv"');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.raw.startsWith('\uFEFF')).toBe(true);
    const lines = res.raw.slice(1).trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['发放名单', '证书编号,姓名,等级,所在地区,年度考核等次,金额（元）', 'RPT1,周八,中级,江苏省南京市玄武区,优秀,4800']);
    expect(lines).toContain('未发放名单');
    expect(lines).toContain('RPT2,吴九,中级,江苏省南京市玄武区,未登记 2025 年度考核');
    const audit = await r.api('GET', '/audit?target=report:allowance:2025', nanjing);
    expect(audit.body.items[0]).toMatchObject({ action: 'exportAllowanceReport', outcome: 'done', detail: { year: 2025, format: 'csv', lang: 'zh-CN', fullNames: expect.any(Number) } });
  });

  it('regression: there was no .xlsx; it has a sheet of the paid and one of the excluded, in English with lang=en', async () => {
    await seedReport();
    const res = await r.api('GET', '/reports/allowance?year=2025&format=xlsx&lang=en', nanjing);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(res.body as Buffer).buffer as ArrayBuffer);
    const values = (name: string) => workbook.getWorksheet(name)!.getSheetValues().filter(Boolean).map((row) => (row as unknown[]).slice(1));
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['Paid', 'Not paid']);
    expect(values('Paid').slice(0, 2)).toEqual([
      ['Certificate number', 'Name', 'Level', 'Region', 'Annual assessment', 'Amount (yuan)'],
      ['RPT1', '周八', 'Intermediate', expect.stringContaining('Nanjing'), 'Excellent', 4800],
    ]);
    expect(values('Not paid')).toContainEqual(['RPT2', '吴九', 'Intermediate', expect.stringContaining('Nanjing'), 'no 2025 annual assessment recorded']);
  });

  it('previews the first rows of each list with the whole report\'s figures (limit), json only', async () => {
    await seedReport();
    const preview = await r.api('GET', '/reports/allowance?year=2025&limit=1', nanjing);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.rows.map((x: { certificateNumber: string }) => x.certificateNumber)).toEqual(['RPT1']);
    expect(preview.body.excluded).toHaveLength(1);
    expect(preview.body).toMatchObject({ counts: { rows: 1, excluded: expect.any(Number) }, totals: { holders: 1, amountYuan: 4800 } });
    const refused = await r.api('GET', '/reports/allowance?year=2025&limit=1&format=csv', nanjing);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/limit is for the json preview; a csv or xlsx file holds every row/);
  });

  it('says why a report is empty, in the file too', async () => {
    const wuxi = await r.token('无锡市两新工委', '320200');
    const json = await r.api('GET', '/reports/allowance?year=2025', wuxi);
    expect(json.body).toMatchObject({ year: 2025, rows: [], excluded: [], notice: { code: 'noCertificates' } });
    const csv = await r.api('GET', '/reports/allowance?year=2025&format=csv', wuxi);
    expect(csv.raw).toContain('您管辖范围内没有在 2025 年持有证书的人员，因此没有发放名单。');
  });
});

describe('bad input to the other routes', () => {
  it.each([
    ['a list limit of 0', 'GET', '/applications?limit=0', undefined, /limit/],
    ['an unknown list filter', 'GET', '/applications?owner=me', undefined, /owner/],
    ['a region that is not a code', 'GET', '/applications?region=Nanjing', undefined, /region is a region code or prefix/],
    ['an unknown status', 'GET', '/applications?status=lost', undefined, /status/],
    ['a blank name', 'GET', '/applications?name=%20', undefined, /name is the applicant's full name; leave it out/],
    ['a name too long', 'GET', `/applications?name=${'张'.repeat(41)}`, undefined, /at most 40 characters/],
    // Regression: an unknown stage or level answered 200 with an empty list, as if nothing were waiting there.
    ['regression: an unknown stage answered an empty list', 'GET', '/applications?stage=nope', undefined, /stage nope is no stage of a loaded policy; use one of: .*publicNotice/],
    ['regression: an unknown level answered an empty list', 'GET', '/applications?level=master', undefined, /level master is no level of a loaded policy; use one of: .*intermediate/],
    ['a report in French', 'GET', '/reports/allowance?lang=fr', undefined, /lang is zh-CN \(the default\) or en/],
    ['a report in xml', 'GET', '/reports/allowance?year=2026&format=xml', undefined, /format/],
    ['an audit limit over 200', 'GET', '/audit?limit=500', undefined, /limit/],
    ['a satisfaction rate in percent', 'POST', '/applications/x1/satisfaction', { rate: 85, expectedVersion: 1 }, /rate is a fraction 0-1/],
    ['an inspection in the year 1900', 'POST', '/certificates/C1/inspections', { year: 1900, passed: true }, /year/],
    ['an unknown assessment grade', 'POST', '/certificates/C1/assessments', { year: 2026, grade: 'superb' }, /grade/],
    // Regression: a return without its note was refused with the validator's "expected string, received undefined".
    ['a return without a note', 'POST', '/applications/x1/transitions', { action: 'return', expectedVersion: 1 }, /a return needs a note the worker will see/],
    ['a rejection without a note', 'POST', '/applications/x1/transitions', { action: 'reject', expectedVersion: 1 }, /a rejection needs a reason the worker will see/],
  ])('answers 400 for %s', async (_name, method, path, body, message) => {
    const res = await r.api(method, path, nanjing, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });

  it('answers 400 for a body that is not JSON, and 401 without a token, before anything runs', async () => {
    const app = await inNotice();
    const notJson = await r.api('POST', `/applications/${app.id}/objections/obj1/decision`, nanjing, undefined, { rawBody: '{"upheld": tru' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toBe('request body is not valid JSON');
    const anonymous = await r.api('POST', `/applications/${app.id}/objections/obj1/decision`, '', { upheld: true, expectedVersion: app.version });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="redcollar-admin"');
    expect(await get(app.id)).toEqual(app);
  });

  it('lists the admin region’s applications filtered by stage and status, with a cursor to the next page', async () => {
    const a = await inNotice();
    const b = await inNotice();
    const first = await r.api('GET', '/applications?stage=publicNotice&status=open&limit=1', nanjing);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({ stage: 'publicNotice', status: 'open' });
    const second = await r.api('GET', `/applications?stage=publicNotice&status=open&limit=100&cursor=${first.body.next}`, nanjing);
    const ids = [first.body.items[0].id, ...second.body.items.map((x: Application) => x.id)];
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
