/**
 * The certificate detail says which 年检 and 考核 acts this admin may take (the page offers only those), and the
 * record routes agree with it: the managing tier records, a tier that may only read is refused in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';

let r: AdminApiApp;
let city: string;
let county: string;

beforeAll(async () => {
  r = await startAdminApiApp('certificate_actions');
  city = await r.token('南京市两新工委', '320100');
  county = await r.token('玄武区两新工委', '320102');
  await r.issue({ level: 'intermediate', workerId: 'wa1', regionCode: '320102', issuedOn: '2026-01-10' }, 'CA2026001');
  await r.issue({ level: 'intermediate', workerId: 'wa2', regionCode: '320102', issuedOn: '2026-01-10', status: 'revoked' }, 'CA2026002');
});
afterAll(() => r?.stop());

const ALL = ['recordInspection', 'recordAssessment', 'correctInspection', 'correctAssessment'];

describe('GET /admin/api/certificates/:number allowedActions', () => {
  it('offers the managing tier every record and correction, and records through the routes it names', async () => {
    const detail = await r.api('GET', '/certificates/CA2026001', city);
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    expect(detail.body.allowedActions).toEqual(ALL);
    expect(detail.body.actRefusal).toBeUndefined();
    expect((await r.api('POST', '/certificates/CA2026001/inspections', city, { year: 2026, passed: true, note: '材料齐全' })).status).toBe(200);
    expect((await r.api('POST', '/certificates/CA2026001/assessments', city, { year: 2026, grade: 'excellent' })).status).toBe(200);
    const after = await r.api('GET', '/certificates/CA2026001', city);
    expect(after.body.inspections).toMatchObject([{ year: 2026, passed: true, note: '材料齐全' }]);
    expect(after.body.assessments).toMatchObject([{ year: 2026, grade: 'excellent' }]);
  });

  it('offers a tier that may only read nothing, with the refusal the routes give, and the routes refuse it', async () => {
    const detail = await r.api('GET', '/certificates/CA2026001', county);
    expect(detail.status).toBe(200);
    expect(detail.body.allowedActions).toEqual([]);
    expect(detail.body.actRefusal).toMatchObject({ code: 'notManagingTier', params: { reason: 'lowerTier', adminTier: 'county', managingTier: 'city' } });
    const refused = await r.api('POST', '/certificates/CA2026001/assessments', county, { year: 2026, grade: 'incompetent' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'notManagingTier', error: detail.body.actRefusal.error });
    expect((await r.api('GET', '/certificates/CA2026001', city)).body.assessments).toMatchObject([{ grade: 'excellent' }]);
  });

  it('offers no new 年检 of a revoked certificate (the route refuses it), but still an assessment', async () => {
    const detail = await r.api('GET', '/certificates/CA2026002', city);
    expect(detail.body.allowedActions).toEqual(ALL.filter((a) => a !== 'recordInspection'));
    const refused = await r.api('POST', '/certificates/CA2026002/inspections', city, { year: 2026, passed: true });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'closed', params: { status: 'revoked' } });
  });

  it('names the years in a refusal of a future year, for the console to word', async () => {
    const future = await r.api('POST', '/certificates/CA2026001/inspections', city, { year: 2027, passed: true });
    expect(future.status).toBe(400);
    expect(future.body).toMatchObject({ code: 'futureYear', params: { year: 2027, thisYear: 2026 } });
  });
});
