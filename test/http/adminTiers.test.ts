/**
 * Admins act only on the levels their tier manages (policies' `managedBy`), through the real app and database:
 * a refusal is 403 naming the managing tier, changes nothing and is in the audit trail; reading stays open to the
 * upper tiers. The pure decision is tested level by level in test/domain/certification/tier.test.ts.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/certification/types.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { ROOT } from '../support/engineHarness.ts';

type Running = AdminApiApp;
const start = (tag: string, root?: string) => startAdminApiApp(tag, root ? { root } : {});
const stop = (r: Running | undefined) => r?.stop();

const advance = (r: Running, app: Application, token: string) => r.api('POST', `/applications/${app.id}/transitions`, token, { action: 'advance', expectedVersion: app.version });

describe('admins act only on the levels their tier manages', () => {
  let r: Running;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    r = await start('admin_tiers');
    tokens.jiangsu = await r.token('江苏省两新工委', '320000');
    tokens.nanjing = await r.token('南京市两新工委', '320100');
    tokens.xuanwu = await r.token('玄武区两新工委', '320102');
    tokens.zhejiang = await r.token('浙江省两新工委', '330000');
    tokens.jiaxing = await r.token('嘉兴市两新工委', '330400');
    tokens.pinghu = await r.token('平湖市两新工委', '330482');
    tokens.danghu = await r.token('当湖街道党委', '330482001');
  });
  afterAll(() => stop(r));

  it('regression: a city admin advanced a 特级 application', async () => {
    const special = await r.seed({ level: 'special' });
    const res = await advance(r, special, tokens.nanjing!);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('特级 applications are managed by the province (320000) committee; a city admin may read but not act on them');

    // Nothing changed, and the city admin still reads it.
    const after = await r.api('GET', `/applications/${special.id}`, tokens.nanjing!);
    expect(after.status).toBe(200);
    expect(after.body.version).toBe(special.version);
    expect(after.body.stage).toBe('declaration');
    expect(after.body.history).toEqual(special.history);

    const audit = await r.api('GET', `/audit?target=application:${special.id}`, tokens.nanjing!);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'advance', outcome: 'refused', detail: expect.objectContaining({ managingTier: 'province', managingRegion: '320000', adminTier: 'city', error: res.body.error }) }),
    ]);

    // The province, which manages 特级, may.
    const done = await advance(r, special, tokens.jiangsu!);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ stage: 'qualificationReview', version: special.version + 1 });
  });

  it('refuses every acting endpoint to a tier that does not manage the level, changing nothing, each refusal audited', async () => {
    const special = await r.seed({ level: 'special', stage: 'publicNotice', objections: [{ id: 'obj1', at: '2026-03-01T02:00:00.000Z', text: '有异议', upheld: null }] });
    const cert = await r.issue({ workerId: 'wcert', level: 'special', scope: 'province', scopeRegionCode: '320000' }, '3200002026T00001');
    const attempts: [string, string, Record<string, unknown>][] = [
      ['advance', `/applications/${special.id}/transitions`, { action: 'advance', expectedVersion: special.version }],
      ['return', `/applications/${special.id}/transitions`, { action: 'return', note: '补材料', expectedVersion: special.version }],
      ['reject', `/applications/${special.id}/transitions`, { action: 'reject', note: '不符合', expectedVersion: special.version }],
      ['recordScore', `/applications/${special.id}/score`, { score: 80, expectedVersion: special.version }],
      ['recordSatisfaction', `/applications/${special.id}/satisfaction`, { rate: 0.9, expectedVersion: special.version }],
      ['recordObjection', `/applications/${special.id}/objections`, { text: '又有异议', expectedVersion: special.version }],
      ['decideObjection', `/applications/${special.id}/objections/obj1/decision`, { upheld: true, expectedVersion: special.version }],
      ['recordInspection', `/certificates/${cert.number}/inspections`, { year: 2026, passed: false }],
      ['recordAssessment', `/certificates/${cert.number}/assessments`, { year: 2026, grade: 'incompetent' }],
    ];
    for (const [action, path, body] of attempts) {
      const res = await r.api('POST', path, tokens.nanjing!, body);
      expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error).toMatch(/^特级 (applications|certificates) are managed by the province \(320000\) committee; a city admin may read but not act on them$/);
    }
    const after = (await r.api('GET', `/applications/${special.id}`, tokens.nanjing!)).body as Application;
    expect(after).toMatchObject({ version: special.version, status: 'open', stage: 'publicNotice', objections: special.objections, history: special.history });
    expect(await r.db.collection('annual_records').countDocuments({ certificateNumber: cert.number })).toBe(0);
    expect(await r.certificate(cert.number)).toEqual(cert);

    const refused = [
      ...((await r.api('GET', `/audit?target=application:${special.id}`, tokens.nanjing!)).body.items as { action: string; outcome: string }[]),
      ...((await r.api('GET', `/audit?target=certificate:${cert.number}`, tokens.nanjing!)).body.items as { action: string; outcome: string }[]),
    ];
    expect(refused.map((e) => [e.action, e.outcome]).sort()).toEqual(attempts.map(([action]) => [action, 'refused']).sort());

    // The province acts on the 特级 certificate.
    expect((await r.api('POST', `/certificates/${cert.number}/assessments`, tokens.jiangsu!, { year: 2026, grade: 'competent' })).status).toBe(200);
  });

  it('refuses a county admin on the levels of the city, and a province admin on them unless the policy lets upper tiers act', async () => {
    const intermediate = await r.seed({ level: 'intermediate' });
    const county = await advance(r, intermediate, tokens.xuanwu!);
    expect(county.status).toBe(403);
    expect(county.body.error).toBe('中级 applications are managed by the city (320100) committee; a county admin may read but not act on them');
    const province = await advance(r, intermediate, tokens.jiangsu!);
    expect(province.status).toBe(403);
    expect(province.body.error).toBe('中级 applications are managed by the city (320100) committee; a province admin may read but not act on them (the policy does not let upper tiers act on 中级)');
    expect((await r.api('GET', `/applications/${intermediate.id}`, tokens.jiangsu!)).body.version).toBe(intermediate.version);
    expect((await advance(r, intermediate, tokens.nanjing!)).status).toBe(200);

    const junior = await r.seed({ level: 'junior' });
    expect((await advance(r, junior, tokens.nanjing!)).status).toBe(403);
    expect((await advance(r, junior, tokens.xuanwu!)).status).toBe(200);
  });

  it('lets the Pinghu county admin act on all three levels, while the Jiaxing city, Zhejiang and a street admin cannot', async () => {
    for (const level of ['junior', 'intermediate', 'senior']) {
      const app = await r.seed({ policyId: 'pinghu', regionCode: '330482001', level });
      const name = { junior: '初级', intermediate: '中级', senior: '高级' }[level];
      for (const [token, tier] of [
        [tokens.jiaxing!, 'city'],
        [tokens.zhejiang!, 'province'],
      ] as const) {
        const res = await advance(r, app, token);
        expect(res.status, `${tier} on ${level}`).toBe(403);
        expect(res.body.error).toBe(`${name} applications are managed by the county (330482) committee; a ${tier} admin may read but not act on them (the policy does not let upper tiers act on ${name})`);
        expect((await r.api('GET', `/applications/${app.id}`, token)).status).toBe(200);
      }
      const street = await advance(r, app, tokens.danghu!);
      expect(street.status).toBe(403);
      expect(street.body.error).toBe(`${name} applications are managed by the county (330482) committee; a street admin may read but not act on them`);
      expect((await r.api('GET', `/applications/${app.id}`, tokens.pinghu!)).body.version).toBe(app.version);

      const done = await advance(r, app, tokens.pinghu!);
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({ stage: 'training', version: app.version + 1 });
    }
  });
});

describe('a level whose policy lets upper tiers act', () => {
  let r: Running;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'redcollar-content-'));
    for (const dir of ['flows', 'templates', 'policies']) cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
    const file = join(root, 'policies', 'jiangsu.yaml');
    const text = readFileSync(file, 'utf8');
    const intermediate = '    managedBy: city\n    scope: city\n    code: Z\n';
    expect(text).toContain(intermediate);
    writeFileSync(file, text.replace(intermediate, `${intermediate}    upperTiersMayAct: true\n`));
    r = await start('admin_tiers_upper', root);
  });
  afterAll(() => stop(r));

  it('lets a province admin act on 中级 there, but still not on 初级, and never a lower tier', async () => {
    const province = await r.token('江苏省两新工委', '320000');
    const county = await r.token('玄武区两新工委', '320102');
    const intermediate = await r.seed({ level: 'intermediate' });
    expect((await advance(r, intermediate, county)).status).toBe(403);
    const done = await advance(r, intermediate, province);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ stage: 'qualificationReview', version: intermediate.version + 1 });

    const junior = await r.seed({ level: 'junior' });
    const refused = await advance(r, junior, province);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/^初级 applications are managed by the county \(320102\) committee; a province admin/);
  });
});
