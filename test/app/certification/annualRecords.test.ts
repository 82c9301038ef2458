/** 年检, 年度考核 and the 红领津贴 report over in-memory stores, by the admins of the managing tier. */
import { describe, expect, it } from 'vitest';
import { allowanceReport, allowanceSheets } from '../../../src/app/certification/allowanceReport.ts';
import { correctAssessment, correctInspection, recordAssessment, recordInspection } from '../../../src/app/certification/annualRecords.ts';
import { createAdminService } from '../../../src/app/certification/adminService.ts';
import type { Certificate } from '../../../src/domain/certification/types.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';

const NANJING = adminOf('320100', '南京市两新工委');

async function setup() {
  const m = memoryCertificationDeps();
  const issue = (over: Partial<Omit<Certificate, 'number'>>, number: string) =>
    m.deps.certificates.issue(sampleCertificateInput({ applicationId: `app-${number}`, level: 'intermediate', issuedOn: '2026-01-10', ...over }), 2026, () => number);
  return { ...m, issue };
}

describe('annual inspection', () => {
  it('records a pass, and suspends the certificate on a fail (Jiangsu), lifting the suspension on the next pass', async () => {
    const t = await setup();
    const worker = await t.worker('u1');
    const cert = await t.issue({ workerId: worker.id, issuedOn: '2024-01-10' }, 'N1');
    const passed = await recordInspection(t.deps, NANJING, cert.number, { year: 2024, passed: true });
    expect(passed).toEqual({
      ok: true,
      value: { workerId: worker.id, certificateNumber: 'N1', year: 2024, assessment: null, inspection: { passed: true, recordedAt: t.clock.now().toISOString(), by: { kind: 'admin', id: NANJING.id, name: NANJING.name } } },
    });
    expect((await t.deps.certificates.get('N1'))!.status).toBe('valid');

    await recordInspection(t.deps, NANJING, cert.number, { year: 2025, passed: false, note: '未按期述职' });
    const suspended = (await t.deps.certificates.get('N1'))!;
    expect(suspended.status).toBe('suspended');
    expect(suspended.statusHistory.at(-1)).toMatchObject({ status: 'suspended', reason: expect.stringContaining('未按期述职'), actor: { id: NANJING.id } });
    expect((await t.deps.annual.get(worker.id, 2025))!.inspection).toMatchObject({ passed: false, note: '未按期述职' });

    await recordInspection(t.deps, NANJING, cert.number, { year: 2026, passed: true });
    expect((await t.deps.certificates.get('N1'))!.status).toBe('valid');
  });

  it('regression: a second inspection of the same year overwrote the first without a trace', async () => {
    const t = await setup();
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id }, 'N1');
    await recordInspection(t.deps, NANJING, 'N1', { year: 2026, passed: false, note: '未按期述职' });
    const again = await recordInspection(t.deps, NANJING, 'N1', { year: 2026, passed: true });
    expect(again).toMatchObject({ ok: false, error: { status: 409, code: 'alreadyRecorded', message: expect.stringContaining('/admin/api/certificates/N1/inspections/2026/correction') } });
    expect((await t.deps.annual.get(worker.id, 2026))!.inspection).toMatchObject({ passed: false, note: '未按期述职' });
    expect((await t.deps.certificates.get('N1'))!.status).toBe('suspended');
    // The same result again is a retry, not a conflict.
    expect(await recordInspection(t.deps, NANJING, 'N1', { year: 2026, passed: false, note: '未按期述职' })).toMatchObject({ ok: true });
  });

  it('regression: a second assessment of the same year replaced the first without a trace', async () => {
    const t = await setup();
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id }, 'N1');
    await recordAssessment(t.deps, NANJING, 'N1', { year: 2026, grade: 'excellent' });
    const again = await recordAssessment(t.deps, NANJING, 'N1', { year: 2026, grade: 'incompetent' });
    expect(again).toMatchObject({ ok: false, error: { status: 409, code: 'alreadyRecorded', message: expect.stringContaining('/assessments/2026/correction') } });
    expect((await t.deps.annual.get(worker.id, 2026))!.assessment).toMatchObject({ grade: 'excellent' });
    expect(await recordAssessment(t.deps, NANJING, 'N1', { year: 2026, grade: 'excellent' })).toMatchObject({ ok: true });
  });

  it('refuses a lower tier, another region and an unknown certificate, recording nothing', async () => {
    const t = await setup();
    await t.issue({ workerId: 'w1' }, 'N1');
    const county = await recordInspection(t.deps, adminOf('320102'), 'N1', { year: 2026, passed: false });
    expect(county).toMatchObject({ ok: false, error: { status: 403, code: 'notManagingTier' } });
    expect(await recordAssessment(t.deps, adminOf('320500'), 'N1', { year: 2026, grade: 'incompetent' })).toMatchObject({ ok: false, error: { status: 403, code: 'outOfScope' } });
    expect(await recordInspection(t.deps, NANJING, 'NOPE', { year: 2026, passed: true })).toMatchObject({ ok: false, error: { status: 404 } });
    expect(await t.deps.annual.listForYear(2026)).toEqual([]);
    expect((await t.deps.certificates.get('N1'))!.status).toBe('valid');
  });
});

describe('a year in the future', () => {
  it('regression: an inspection and an assessment for a year that has not begun were recorded', async () => {
    const t = await setup();
    await t.issue({ workerId: 'w1' }, 'N1');
    // 2026-12-31T16:30Z is already 2027 in China: 2027 is this year there, 2028 is not.
    t.clock.advance(Date.parse('2026-12-31T16:30:00Z') - t.clock.now().getTime());
    const message = 'year 2028 is in the future (it is 2027 in China); 年检 and 考核 are recorded for 2027 or earlier';
    expect(await recordInspection(t.deps, NANJING, 'N1', { year: 2028, passed: false })).toEqual({ ok: false, error: { status: 400, code: 'futureYear', message, params: { year: 2028, thisYear: 2027 } } });
    expect(await recordAssessment(t.deps, NANJING, 'N1', { year: 2028, grade: 'excellent' })).toEqual({ ok: false, error: { status: 400, code: 'futureYear', message, params: { year: 2028, thisYear: 2027 } } });
    expect(await t.deps.annual.listForYear(2028)).toEqual([]);
    expect((await t.deps.certificates.get('N1'))!.status).toBe('valid');
    expect(await recordInspection(t.deps, NANJING, 'N1', { year: 2027, passed: true })).toMatchObject({ ok: true });
  });
});

describe('correcting a mistaken record', () => {
  it('regression: a mistaken failed inspection left the certificate suspended with no way to correct it', async () => {
    const t = await setup();
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id }, 'N1');
    const service = createAdminService(t.deps);
    await service.recordInspection(NANJING, 'N1', { year: 2026, passed: false, note: '未按期述职' });
    const wrongAt = t.clock.now().toISOString();
    expect((await t.deps.certificates.get('N1'))!.status).toBe('suspended');
    t.clock.advance(86_400_000);

    const r = await service.correctInspection(NANJING, 'N1', 2026, { passed: true, reason: '录入错误，实为合格' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.restored).toBe('suspended');
    expect(r.value.certificate).toMatchObject({ status: 'valid' });
    expect(r.value.certificate.statusHistory.at(-1)).toMatchObject({ status: 'valid', reason: 'annual inspection corrected to passed; suspension lifted: 录入错误，实为合格', actor: { id: NANJING.id } });
    expect((await t.deps.certificates.get('N1'))!.status).toBe('valid');
    // The holder's record keeps what it said before the correction.
    expect((await t.deps.annual.get(worker.id, 2026))!.inspection).toEqual({
      passed: true,
      recordedAt: t.clock.now().toISOString(),
      by: { kind: 'admin', id: NANJING.id, name: NANJING.name },
      corrections: [{ at: t.clock.now().toISOString(), by: { kind: 'admin', id: NANJING.id, name: NANJING.name }, reason: '录入错误，实为合格', previous: { passed: false, note: '未按期述职', recordedAt: wrongAt, by: { kind: 'admin', id: NANJING.id, name: NANJING.name } } }],
    });
    const trail = await service.audit(NANJING, { target: 'certificate:N1', limit: 10 });
    expect(trail.ok && trail.value[0]).toMatchObject({ action: 'correctInspection', outcome: 'done', detail: { year: 2026, passed: true, reason: '录入错误，实为合格' } });
  });

  it('corrects an assessment grade, keeping the one it replaced, so the allowance follows the corrected grade', async () => {
    const t = await setup();
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id }, 'N1');
    await recordAssessment(t.deps, NANJING, 'N1', { year: 2026, grade: 'incompetent' });
    const r = await correctAssessment(t.deps, NANJING, 'N1', 2026, { grade: 'competent', reason: '评定结果录错' });
    expect(r).toMatchObject({ ok: true, value: { record: { assessment: { grade: 'competent', corrections: [{ reason: '评定结果录错', previous: { grade: 'incompetent' } }] } } } });
    const report = await allowanceReport(t.deps, NANJING, 2026, 'zh-CN');
    expect(report.ok && report.value.rows.map((row) => row.certificateNumber)).toEqual(['N1']);
  });

  it('refuses a lower tier, a record that does not exist, the same result and a future year, changing nothing', async () => {
    const t = await setup();
    const worker = await t.worker('u1');
    await t.issue({ workerId: worker.id }, 'N1');
    await recordInspection(t.deps, NANJING, 'N1', { year: 2026, passed: false });
    const before = await t.deps.certificates.get('N1');
    expect(await correctInspection(t.deps, adminOf('320102'), 'N1', 2026, { passed: true, reason: 'x' })).toMatchObject({ ok: false, error: { status: 403, code: 'notManagingTier' } });
    expect(await correctInspection(t.deps, NANJING, 'N1', 2025, { passed: true, reason: 'x' })).toMatchObject({ ok: false, error: { status: 404, code: 'notRecorded', message: expect.stringContaining('POST /admin/api/certificates/N1/inspections') } });
    expect(await correctAssessment(t.deps, NANJING, 'N1', 2026, { grade: 'competent', reason: 'x' })).toMatchObject({ ok: false, error: { status: 404, code: 'notRecorded' } });
    expect(await correctInspection(t.deps, NANJING, 'N1', 2026, { passed: false, reason: 'x' })).toMatchObject({ ok: false, error: { status: 400, message: 'the inspection already records failed; there is nothing to correct' } });
    expect(await correctInspection(t.deps, NANJING, 'N1', 2027, { passed: true, reason: 'x' })).toMatchObject({ ok: false, error: { status: 400, code: 'futureYear' } });
    expect(await t.deps.certificates.get('N1')).toEqual(before);
    expect((await t.deps.annual.get(worker.id, 2026))!.inspection).toMatchObject({ passed: false });
  });
});

describe('the allowance report', () => {
  /** Paid, graded too low and unassessed holders in Nanjing (中级, which the city manages), one in Suzhou. */
  async function holders() {
    const t = await setup();
    const paid = await t.worker('paid', { name: '张三' });
    const low = await t.worker('low', { name: '李四' });
    const unassessed = await t.worker('none', { name: '王五' });
    const suzhou = await t.worker('suzhou', { name: '赵六', region: '320505' });
    await t.issue({ workerId: paid.id }, 'P1');
    await t.issue({ workerId: low.id }, 'L1');
    await t.issue({ workerId: unassessed.id }, 'U1');
    await t.issue({ workerId: suzhou.id, regionCode: '320505', scopeRegionCode: '320500' }, 'S1');
    await recordAssessment(t.deps, NANJING, 'P1', { year: 2026, grade: 'competent' });
    await recordAssessment(t.deps, NANJING, 'L1', { year: 2026, grade: 'basicallyCompetent' });
    await recordAssessment(t.deps, adminOf('320500'), 'S1', { year: 2026, grade: 'excellent' });
    return t;
  }

  it('regression: the report was in English with every name masked, even for the committee that pays', async () => {
    const t = await holders();
    const r = await allowanceReport(t.deps, NANJING, 2026, 'zh-CN');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.rows).toEqual([
      { certificateNumber: 'P1', holder: '张三', nameMasked: false, level: 'intermediate', levelName: '中级', regionCode: '320102', regionName: '江苏省南京市玄武区', grade: 'competent', gradeName: '称职', amountYuan: 4800 },
    ]);
    expect(r.value.excluded.map((e) => [e.certificateNumber, e.holder, e.code, e.reason]).sort()).toEqual([
      ['L1', '李四', 'gradeTooLow', '2026 年度考核为「基本称职」，津贴需称职及以上'],
      ['U1', '王五', 'notAssessed', '未登记 2026 年度考核'],
    ]);
    expect(r.value).toMatchObject({ notice: null, totals: { holders: 1, amountYuan: 4800 } });
    expect(JSON.stringify(r.value)).not.toContain('赵');
    const sheets = allowanceSheets(t.deps, r.value);
    expect(sheets.map((s) => [s.name, s.headers, s.footer])).toEqual([
      ['发放名单', ['证书编号', '姓名', '等级', '所在地区', '年度考核等次', '金额（元）'], '合计：1 人，4800 元'],
      ['未发放名单', ['证书编号', '姓名', '等级', '所在地区', '未发放原因'], null],
    ]);

    const en = await allowanceReport(t.deps, NANJING, 2026, 'en');
    expect(en.ok && [en.value.rows[0]?.levelName, en.value.rows[0]?.gradeName, en.value.excluded.find((e) => e.code === 'notAssessed')?.reason]).toEqual(['Intermediate', 'Competent', 'no 2026 annual assessment recorded']);
  });

  it('regression: the allowance preview read every certificate of the region and named every row', async () => {
    const t = await holders();
    // Ended before 2026: not one of the year's holders.
    await t.issue({ workerId: (await t.worker('old')).id, issuedOn: '2021-01-10', validUntil: '2024-01-09' }, 'O1');
    const calls: unknown[][] = [];
    const spy = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A) => (calls.push([name, ...a]), f(...a));
    const deps = {
      ...t.deps,
      certificates: { ...t.deps.certificates, listForRegion: spy('listForRegion', t.deps.certificates.listForRegion.bind(t.deps.certificates)) },
      annual: { ...t.deps.annual, listForYear: spy('listForYear', t.deps.annual.listForYear.bind(t.deps.annual)) },
      workers: { ...t.deps.workers, summaries: spy('summaries', t.deps.workers.summaries.bind(t.deps.workers)) },
    };
    const r = await allowanceReport(deps, NANJING, 2026, 'zh-CN', 1);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.rows.map((x) => x.certificateNumber)).toEqual(['P1']);
    expect(r.value.excluded).toHaveLength(1);
    expect(r.value.counts).toEqual({ rows: 1, excluded: 2 });
    expect(r.value.totals).toMatchObject({ holders: 1, amountYuan: 4800 });
    expect(calls.find((c) => c[0] === 'listForRegion')).toEqual(['listForRegion', '3201', 2026]);
    const [, year, workerIds] = calls.find((c) => c[0] === 'listForYear')!;
    expect([year, (workerIds as string[]).length]).toEqual([2026, 3]);
    // Names looked up for the two rows shown, not for every holder.
    expect((calls.find((c) => c[0] === 'summaries')![1] as string[]).length).toBe(2);
  });

  it('masks the names for an admin who reads the certificates but whose tier does not manage (pay) them', async () => {
    const t = await holders();
    const province = await allowanceReport(t.deps, adminOf('320000'), 2026, 'zh-CN');
    if (!province.ok) throw new Error(province.error.message);
    expect(province.value.rows.map((r) => [r.certificateNumber, r.holder, r.nameMasked])).toEqual([
      ['P1', '张*', true],
      ['S1', '赵*', true],
    ]);
    expect(province.value.excluded.every((e) => e.nameMasked && e.holder.endsWith('*'))).toBe(true);
  });

  it('regression: an empty report did not say why it was empty', async () => {
    const t = await holders();
    const none = await allowanceReport(t.deps, adminOf('320400'), 2026, 'zh-CN');
    expect(none).toMatchObject({ ok: true, value: { rows: [], excluded: [], notice: { code: 'noCertificates', message: '您管辖范围内没有在 2026 年持有证书的人员，因此没有发放名单。' } } });
    await correctAssessment(t.deps, NANJING, 'P1', 2026, { grade: 'incompetent', reason: '录错' });
    const noneEligible = await allowanceReport(t.deps, NANJING, 2026, 'en');
    expect(noneEligible).toMatchObject({ ok: true, value: { rows: [], notice: { code: 'noneEligible', message: 'None of the 3 holders in 2026 qualifies; the reasons are on the "Not paid" sheet.' } } });
    if (noneEligible.ok) expect(allowanceSheets(t.deps, noneEligible.value)[0]!.footer).toBe(noneEligible.value.notice!.message);
  });

  it('reports last year by default (China time), refuses a future year, and audits every export with counts', async () => {
    const t = await holders();
    const service = createAdminService(t.deps);
    // 2026-12-31T16:30Z is 2027-01-01 in China: the default is 2026.
    t.clock.advance(Date.parse('2026-12-31T16:30:00Z') - t.clock.now().getTime());
    const r = await service.allowanceReport(NANJING, { lang: 'zh-CN', format: 'csv' });
    expect(r.ok && [r.value.year, r.value.rows.length]).toEqual([2026, 1]);
    expect(await service.allowanceReport(NANJING, { year: 2028, lang: 'zh-CN', format: 'json' })).toMatchObject({ ok: false, error: { status: 400, code: 'futureYear' } });
    const trail = await service.audit(NANJING, { target: 'report:allowance:2026', limit: 5 });
    expect(trail.ok && trail.value).toEqual([expect.objectContaining({ action: 'exportAllowanceReport', outcome: 'done', detail: { year: 2026, lang: 'zh-CN', format: 'csv', rows: 1, excluded: 2, fullNames: 3 } })]);
  });
});
