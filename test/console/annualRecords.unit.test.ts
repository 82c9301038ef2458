import { describe, expect, it } from 'vitest';
import { annualDraftProblem, mayDo, recordYears, sendAnnual, type AnnualDraft } from '../../console/src/logic/annualRecords.ts';
import { regionMatches, regionOptions } from '../../console/src/logic/regionChoices.ts';

const draft = (over: Partial<AnnualDraft> = {}): AnnualDraft => ({ kind: 'inspection', mode: 'record', year: 2026, passed: true, grade: 'competent', text: '', ...over });

describe('the certificate page’s 年检 and 考核', () => {
  it('offers only the acts the API lists, and nothing when it lists none or says nothing', () => {
    const cert = { allowedActions: ['recordAssessment', 'correctInspection'] };
    expect([mayDo(cert, 'record', 'inspection'), mayDo(cert, 'record', 'assessment'), mayDo(cert, 'correct', 'inspection'), mayDo(cert, 'correct', 'assessment')]).toEqual([false, true, true, false]);
    expect(mayDo({ allowedActions: [] }, 'record', 'assessment')).toBe(false);
    expect(mayDo({}, 'record', 'assessment')).toBe(false);
  });

  it('offers the years from issue to this China year, newest first, not past the end of validity', () => {
    // 16:30 UTC on 31 December is already the next year in China.
    const newYearInChina = new Date('2026-12-31T16:30:00Z');
    expect(recordYears({ issuedOn: '2024-05-01', validUntil: '2030-01-01' }, newYearInChina)).toEqual([2027, 2026, 2025, 2024]);
    expect(recordYears({ issuedOn: '2020-05-01', validUntil: '2023-04-30' }, newYearInChina)).toEqual([2023, 2022, 2021, 2020]);
    expect(recordYears({ validFrom: '2026-01-10', validUntil: '2029-01-09' }, new Date('2026-06-01T00:00:00Z'))).toEqual([2026]);
  });

  it('needs a reason for a correction and a known grade, before anything is sent', () => {
    expect(annualDraftProblem(draft({ mode: 'correct', text: '  ' }))).toBe('annual.reasonRequired');
    expect(annualDraftProblem(draft({ kind: 'assessment', grade: 'superb' }))).toBe('annual.gradeRequired');
    expect(annualDraftProblem(draft({ text: 'x'.repeat(501) }))).toBe('annual.tooLong');
    expect(annualDraftProblem(draft())).toBeNull();
  });

  it('sends a record with its note, and a correction through the correction routes', async () => {
    const calls: unknown[] = [];
    const api = {
      http: { post: async (path: string, body: unknown) => calls.push(['post', path, body]) },
      correctInspection: async (...args: unknown[]) => calls.push(['correctInspection', ...args]),
      correctAssessment: async (...args: unknown[]) => calls.push(['correctAssessment', ...args]),
    } as unknown as Parameters<typeof sendAnnual>[0];
    await sendAnnual(api, 'NJ 1', draft({ passed: false, text: ' 台账缺失 ' }));
    await sendAnnual(api, 'NJ1', draft({ kind: 'assessment', grade: 'excellent' }));
    await sendAnnual(api, 'NJ1', draft({ mode: 'correct', passed: true, text: '录入错误' }));
    expect(calls).toEqual([
      ['post', '/certificates/NJ%201/inspections', { year: 2026, passed: false, note: '台账缺失' }],
      ['post', '/certificates/NJ1/assessments', { year: 2026, grade: 'excellent' }],
      ['correctInspection', 'NJ1', 2026, true, '录入错误'],
    ]);
  });
});

describe('the account form’s region picker', () => {
  const tree = [{ code: '320100', name: { 'zh-CN': '南京市', en: 'Nanjing City' }, children: [{ code: '320102', name: { 'zh-CN': '玄武区', en: 'Xuanwu District' } }] }];

  it('turns the catalog tree into options in the page’s language', () => {
    expect(regionOptions(tree, 'en')).toEqual([{ value: '320100', label: 'Nanjing City', children: [{ value: '320102', label: 'Xuanwu District' }] }]);
    expect(regionOptions(undefined, 'zh-CN')).toEqual([]);
  });

  it('matches a node by part of its names or by the start of its code', () => {
    const node = { text: '南京市 / 玄武区', value: '320102' };
    expect([regionMatches(node, '玄武'), regionMatches(node, '3201'), regionMatches(node, '0102'), regionMatches({ text: 'Nanjing City', value: '320100' }, 'nanjing')]).toEqual([true, true, false, true]);
  });
});
