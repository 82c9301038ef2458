/**
 * The console's read API over HTTP through the real app and database: dashboard, the richer review queue,
 * certificates (search, detail, QR), counts report, the region-wide audit trail (filters, keyset, CSV), saved
 * filters, and the 409 that names who changed what. Scope: another region's ids answer 403 (as an application of
 * another region does today); another admin's saved filter answers 404 (it is not theirs to learn of).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/certification/types.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';

const DAY = 86_400_000;
let r: AdminApiApp;
let nanjing: string;
let suzhou: string;
let province: string;
let nanjingApps: Application[];
let suzhouApp: Application;

const daysAgo = (d: number) => new Date(r.clock.now().getTime() - d * DAY).toISOString();

/** An application that entered `stage` `days` ago. */
function inStage(over: Partial<Application>, stage: string, days: number): Promise<Application> {
  const at = daysAgo(days);
  return r.seed({
    level: 'intermediate',
    stage,
    createdAt: daysAgo(days + 1),
    updatedAt: at,
    history: [
      { at: daysAgo(days + 1), actor: { kind: 'worker', id: over.workerId ?? 'w' }, action: 'submit', fromStage: null, toStage: 'declaration', fromStatus: null, toStatus: 'open' },
      ...(stage === 'declaration' ? [] : [{ at, actor: { kind: 'admin' as const, id: 'x', name: '某管理员' }, action: 'advance' as const, fromStage: 'declaration', toStage: stage, fromStatus: 'open' as const, toStatus: 'open' as const }]),
    ],
    ...over,
  });
}

beforeAll(async () => {
  // Aggregates computed afresh on every call, so each assertion sees the writes before it.
  r = await startAdminApiApp('console_api', { env: { CONSOLE_AGGREGATES_TTL_SECONDS: '0' } });
  nanjing = await r.token('南京市两新工委', '320100');
  suzhou = await r.token('苏州市两新工委', '320500');
  province = await r.token('江苏省两新工委', '320000');
  const li = await r.worker({ name: '李四', orgName: '南京某某科技有限公司' });
  nanjingApps = [
    await inStage({ workerId: li.id, regionCode: '320102' }, 'qualificationReview', 2),
    await inStage({ regionCode: '320104' }, 'qualificationReview', 10),
    await inStage({ regionCode: '320104' }, 'declaration', 40),
    await inStage({ regionCode: '320102', level: 'junior' }, 'declaration', 5),
  ];
  suzhouApp = await inStage({ regionCode: '320508' }, 'qualificationReview', 3);
  await r.issue({ level: 'intermediate', workerId: li.id, regionCode: '320102', issuedOn: '2026-01-10' }, 'NJ2026001');
  await r.issue({ level: 'intermediate', regionCode: '320102', issuedOn: '2026-01-11', status: 'suspended' }, 'NJ2026002');
  await r.issue({ level: 'intermediate', regionCode: '320508', issuedOn: '2026-01-12' }, 'SZ2026001');
});
afterAll(() => r?.stop());

describe('GET /admin/api/dashboard', () => {
  it("counts the admin's region by stage, level and district, what waits for their tier and for how long", async () => {
    const res = await r.api('GET', '/dashboard', nanjing);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = res.body;
    expect(d.scope).toEqual({ regionCode: '320100', regionName: '南京市' });
    expect(d.applications.byStage).toEqual(
      expect.arrayContaining([
        { stage: 'qualificationReview', name: expect.any(String), count: 2 },
        { stage: 'declaration', name: expect.any(String), count: 2 },
      ]),
    );
    expect(d.applications.byStage).toHaveLength(2);
    expect(d.applications.byLevel).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'intermediate', count: 3 }), expect.objectContaining({ level: 'junior', count: 1 })]));
    expect(d.applications.byRegion).toEqual([
      { regionCode: '320102', name: expect.any(String), count: 2 },
      { regionCode: '320104', name: expect.any(String), count: 2 },
    ]);
    // The city acts on intermediate (and senior), not junior (the county's): three wait, aged 2, 10 and 40 days.
    expect(d.waiting.total).toBe(3);
    expect(d.waiting.byAge).toEqual([
      { bucket: '0-3d', count: 1 },
      { bucket: '4-7d', count: 0 },
      { bucket: '8-14d', count: 1 },
      { bucket: '15-30d', count: 0 },
      { bucket: '>30d', count: 1 },
    ]);
    expect(d.waiting.oldest.map((o: { applicationId: string }) => o.applicationId)).toEqual([nanjingApps[2]!.id, nanjingApps[1]!.id, nanjingApps[0]!.id]);
    expect(d.waiting.oldest[2]).toMatchObject({ applicantName: '李*', stage: 'qualificationReview', days: 2 });
    expect(d.certificates.byStatus).toEqual(expect.arrayContaining([{ status: 'valid', count: 1 }, { status: 'suspended', count: 1 }]));
    expect(d.annual).toMatchObject({ year: 2026, inspectionsDue: 2, inspectionsDone: 0 });
    expect(d.trends.at(-1)).toMatchObject({ month: '2026-02' });
    expect(d.trends.reduce((n: number, t: { declared: number }) => n + t.declared, 0)).toBe(4);
  });

  it('a province admin sees every city of the province, by city', async () => {
    const d = (await r.api('GET', '/dashboard', province)).body;
    expect(d.applications.byRegion.map((x: { regionCode: string; count: number }) => [x.regionCode, x.count])).toEqual([
      ['3201', 4],
      ['3205', 1],
    ]);
    expect(d.applications.byRegion[0].name).toBe('南京市');
  });
});

describe('GET /admin/api/applications (the review queue)', () => {
  it("each item has the masked name, organisation, level and stage names, and since when it is in its stage", async () => {
    const res = await r.api('GET', '/applications?stage=qualificationReview', nanjing);
    expect(res.status).toBe(200);
    const item = res.body.items.find((i: { id: string }) => i.id === nanjingApps[0]!.id);
    expect(item).toMatchObject({ applicantName: '李*', organizationName: '南京某某科技有限公司', levelName: { 'zh-CN': expect.any(String) }, stageName: { 'zh-CN': expect.any(String) }, stageSince: daysAgo(2), daysInStage: 2 });
  });
});

describe('GET /admin/api/applications/:id (the application page)', () => {
  it('regression: the detail named its stages by id only (the console showed "trainingTest")', async () => {
    const res = await r.api('GET', `/applications/${nanjingApps[0]!.id}`, nanjing);
    expect(res.status).toBe(200);
    expect(res.body.stageName).toEqual({ 'zh-CN': '资格审查', en: expect.any(String) });
    expect(res.body.stageNames).toMatchObject({ qualificationReview: { 'zh-CN': '资格审查' }, trainingTest: { 'zh-CN': '培训测试' } });
  });
});

describe('certificates', () => {
  it('finds by number prefix or full name within the region, never another city’s', async () => {
    const byNumber = await r.api('GET', '/certificates?q=nj2026', nanjing);
    expect(byNumber.status, JSON.stringify(byNumber.body)).toBe(200);
    expect(byNumber.body.items.map((c: { number: string }) => c.number)).toEqual(['NJ2026001', 'NJ2026002']);
    expect(byNumber.body.items[0]).toMatchObject({ holderName: '李*', level: 'intermediate', levelName: expect.any(String), regionCode: '320102', status: 'valid', validFrom: '2026-01-10' });
    expect((await r.api('GET', '/certificates?q=SZ2026', nanjing)).body.items).toEqual([]);
    expect((await r.api('GET', '/certificates?q=SZ2026', province)).body.items).toHaveLength(1);
    const byName = await r.api('GET', `/certificates?q=${encodeURIComponent('李四')}`, nanjing);
    expect(byName.body.items.map((c: { number: string }) => c.number)).toEqual(['NJ2026001']);
    expect((await r.api('GET', '/certificates?status=suspended', nanjing)).body.items.map((c: { number: string }) => c.number)).toEqual(['NJ2026002']);
  });

  it('pages with a keyset cursor', async () => {
    const first = await r.api('GET', '/certificates?limit=1', province);
    expect(first.body.items).toHaveLength(1);
    const second = await r.api('GET', `/certificates?limit=1&cursor=${first.body.nextCursor}`, province);
    expect(second.body.items[0].number > first.body.items[0].number).toBe(true);
    expect((await r.api('GET', '/certificates?cursor=!!', province)).status).toBe(400);
  });

  it('lists the most recently issued certificates of the region before any search, keyset paged', async () => {
    const nj = await r.api('GET', '/certificates/recent', nanjing);
    expect(nj.status, JSON.stringify(nj.body)).toBe(200);
    expect(nj.body.items.map((c: { number: string }) => c.number)).toEqual(['NJ2026002', 'NJ2026001']);
    expect(nj.body.items[1]).toMatchObject({ holderName: '李*', level: 'intermediate', regionCode: '320102', validFrom: '2026-01-10' });
    // The province sees its cities' certificates, newest first, one page at a time.
    const first = await r.api('GET', '/certificates/recent?limit=2', province);
    expect(first.body.items.map((c: { number: string }) => c.number)).toEqual(['SZ2026001', 'NJ2026002']);
    const second = await r.api('GET', `/certificates/recent?limit=2&cursor=${first.body.nextCursor}`, province);
    expect(second.body.items.map((c: { number: string }) => c.number)).toEqual(['NJ2026001']);
    expect(second.body.nextCursor).toBeUndefined();
    const forged = await r.api('GET', `/certificates/recent?cursor=${Buffer.from('2026-01-11|NJ2026002|x').toString('base64url')}`, province);
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'invalidCursor' });
    expect((await r.api('GET', '/certificates/recent?limit=0', province)).status).toBe(400);
    expect((await r.api('GET', '/certificates/recent?region=320500', nanjing)).status).toBe(400);
  });

  it('the detail has its inspections, assessments and verify address; the QR code encodes it', async () => {
    await r.api('POST', '/certificates/NJ2026001/inspections', nanjing, { year: 2026, passed: true });
    const res = await r.api('GET', '/certificates/NJ2026001', nanjing);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ number: 'NJ2026001', holderName: '李四', inspections: [{ year: 2026, passed: true }], assessments: [], verifyUrl: expect.stringMatching(/\/verify\/NJ2026001$/) });
    const svg = await r.api('GET', '/certificates/NJ2026001/qr.svg', nanjing);
    expect(svg.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(svg.raw).toContain('<svg');
    const png = await r.api('GET', '/certificates/NJ2026001/qr.png', nanjing);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((png.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    expect((await r.api('GET', '/dashboard', nanjing)).body.annual).toMatchObject({ inspectionsDue: 2, inspectionsDone: 1 });
  });
});

describe('GET /admin/api/reports/counts', () => {
  it('per district and level: declared and certified this year, certificates in force', async () => {
    const res = await r.api('GET', '/reports/counts?year=2026', nanjing);
    expect(res.status).toBe(200);
    expect(res.body.year).toBe(2026);
    // NJ2026001 is in force; NJ2026002 is suspended.
    expect(res.body.rows).toEqual([
      { regionCode: '320102', regionName: '玄武区', level: 'intermediate', levelName: '中级', declared: 1, certified: 0, active: 1 },
      { regionCode: '320102', regionName: '玄武区', level: 'junior', levelName: '初级', declared: 1, certified: 0, active: 0 },
      { regionCode: '320104', regionName: '秦淮区', level: 'intermediate', levelName: '中级', declared: 2, certified: 0, active: 0 },
    ]);
    expect(res.body.rows.some((x: { regionCode: string }) => x.regionCode.startsWith('3205'))).toBe(false);
    expect((await r.api('GET', '/reports/counts?year=99', nanjing)).status).toBe(400);
  });
});

describe('409 on a stale version', () => {
  it('names who changed the application and what they did', async () => {
    const app = nanjingApps[1]!;
    const first = await r.api('POST', `/applications/${app.id}/transitions`, nanjing, { action: 'return', note: '请补充材料', expectedVersion: app.version });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const stale = await r.api('POST', `/applications/${app.id}/transitions`, nanjing, { action: 'advance', expectedVersion: app.version });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      error: expect.stringContaining('南京市两新工委'),
      code: 'conflict',
      current: { version: app.version + 1, stage: 'qualificationReview', status: 'returned', by: '南京市两新工委', byKind: 'admin', at: r.clock.now().toISOString(), action: 'return' },
    });
  });
});

describe('GET /admin/api/audit', () => {
  it('shows the trail of the region and below, filtered, keyset paged, and as CSV (the export audited)', async () => {
    await r.api('POST', `/applications/${suzhouApp.id}/transitions`, suzhou, { action: 'return', note: '请补充', expectedVersion: suzhouApp.version });
    const mine = await r.api('GET', '/audit', nanjing);
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((e: { adminName: string }) => e.adminName === '南京市两新工委')).toBe(true);
    const all = await r.api('GET', '/audit?action=return', province);
    expect(all.body.items.map((e: { adminName: string }) => e.adminName).sort()).toEqual(['南京市两新工委', '苏州市两新工委']);

    const page1 = await r.api('GET', '/audit?limit=1', province);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await r.api('GET', `/audit?limit=1&cursor=${page1.body.nextCursor}`, province);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    expect(page2.body.items[0].at <= page1.body.items[0].at).toBe(true);

    const from = encodeURIComponent(new Date(r.clock.now().getTime() + 1000).toISOString());
    expect((await r.api('GET', `/audit?from=${from}`, province)).body.items).toEqual([]);

    const csv = await r.api('GET', '/audit?format=csv&action=return', province);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.raw.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('at,adminId,adminName,action,target,outcome,detail');
    expect(lines).toHaveLength(3);
    expect((await r.api('GET', '/audit?action=exportAudit', province)).body.items[0]).toMatchObject({ outcome: 'done', detail: { action: 'return', rows: 2 } });
  });

  it("refuses an actor from another region (403) and bad filters (400)", async () => {
    const suzhouId = (await r.api('GET', '/me', suzhou)).body.id;
    const res = await r.api('GET', `/audit?actor=${suzhouId}`, nanjing);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatch(/320100/);
    expect((await r.api('GET', `/audit?actor=${suzhouId}`, province)).status).toBe(200);
    expect((await r.api('GET', '/audit?from=yesterday', nanjing)).body.error).toMatch(/ISO 8601/);
    expect((await r.api('GET', '/audit?cursor=abc', nanjing)).status).toBe(400);
    expect((await r.api('GET', '/audit?action[$ne]=x', nanjing)).status).toBe(400);
  });
});

describe('saved filters', () => {
  it('each admin keeps their own; another admin’s cannot be deleted (404)', async () => {
    const created = await r.api('POST', '/saved-filters', nanjing, { name: '待资格审查', query: { stage: 'qualificationReview', level: 'intermediate' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), name: '待资格审查', query: { stage: 'qualificationReview', level: 'intermediate' } });
    expect((await r.api('GET', '/saved-filters', nanjing)).body.filters).toEqual([created.body]);
    expect((await r.api('GET', '/saved-filters', suzhou)).body.filters).toEqual([]);
    expect((await r.api('DELETE', `/saved-filters/${created.body.id}`, suzhou)).status).toBe(404);
    expect((await r.api('DELETE', `/saved-filters/${created.body.id}`, nanjing)).status).toBe(204);
    expect((await r.api('GET', '/saved-filters', nanjing)).body.filters).toEqual([]);
    const bad = await r.api('POST', '/saved-filters', nanjing, { name: '', query: { sort: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/name/);
  });

  it("keeps a search by the applicant's name like the other filters", async () => {
    const created = await r.api('POST', '/saved-filters', nanjing, { name: '周明查的申请', query: { name: '周明查', status: 'open' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.query).toEqual({ name: '周明查', status: 'open' });
    expect((await r.api('DELETE', `/saved-filters/${created.body.id}`, nanjing)).status).toBe(204);
  });
});

describe('scope: another region’s ids', () => {
  it('a certificate or application of another city answers 403, an unknown one 404', async () => {
    expect((await r.api('GET', '/certificates/SZ2026001', nanjing)).status).toBe(403);
    expect((await r.api('GET', '/certificates/SZ2026001/qr.svg', nanjing)).status).toBe(403);
    expect((await r.api('GET', `/applications/${suzhouApp.id}`, nanjing)).status).toBe(403);
    expect((await r.api('GET', '/applications?region=3205', nanjing)).status).toBe(403);
    expect((await r.api('GET', '/certificates/NOSUCH1', nanjing)).status).toBe(404);
  });
});

describe('GET /admin/api/catalog', () => {
  it("regression: the queue's stage and level filters wanted ids typed in (qualificationReview); the catalog names them for the pickers", async () => {
    const res = await r.api('GET', '/catalog', nanjing);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.stages).toContainEqual({ id: 'qualificationReview', name: expect.objectContaining({ 'zh-CN': '资格审查' }) });
    expect(res.body.levels.map((l: { id: string }) => l.id)).toEqual(expect.arrayContaining(['junior', 'intermediate', 'senior']));
    // The regions directly below the admin's own, never beside.
    const codes = res.body.regions.map((x: { code: string }) => x.code);
    expect(codes).toContain('320102');
    expect(codes.every((c: string) => c.startsWith('3201'))).toBe(true);
    // An admin limited to some levels is offered only those.
    const limited = await r.token('玄武区两新工委', '320102', ['junior']);
    expect((await r.api('GET', '/catalog', limited)).body.levels).toEqual([{ id: 'junior', name: expect.objectContaining({ 'zh-CN': '初级' }) }]);
  });

  it("regression: the account form wanted a region code typed in; the catalog gives the regions below the admin's as a tree", async () => {
    const city = (await r.api('GET', '/catalog', nanjing)).body.accountRegions as { code: string; children?: unknown[] }[];
    expect(city.map((x) => x.code)).toContain('320104');
    expect(city.every((x) => x.code.startsWith('3201') && x.code !== '320100')).toBe(true);
    const tree = (await r.api('GET', '/catalog', province)).body.accountRegions as { code: string; children?: { code: string }[] }[];
    const nanjingNode = tree.find((x) => x.code === '320100');
    expect(nanjingNode?.children?.map((x) => x.code)).toContain('320104');
    expect(tree.some((x) => x.code === '320000')).toBe(false);
  });
});
