import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  OpenApplicationExistsError,
  type AdminRecord,
  type AdminRepository,
  type AnnualRecordRepository,
  type ApplicationFilter,
  type ApplicationRepository,
  type AuditLog,
  type CertificateRepository,
} from '../../src/app/ports/certification.ts';
import type { Actor, Application } from '../../src/domain/certification/types.ts';
import { iso, sampleApplication, sampleCertificateInput } from '../support/certificationSamples.ts';

/**
 * The certification ports' contracts, as functions every implementation runs: the MongoDB stores
 * (test/store/mongo/certificationStores.test.ts) and the in-memory ones the unit tests use
 * (test/store/memoryCertificationStores.unit.test.ts). Each `make` returns a repository over empty storage.
 */

const ADMIN: Actor = { kind: 'admin', id: 'adm1', name: '李四' };

// The samples are shared with the other tests and the benchmarks; re-exported for the files that import them from here.
export { iso, sampleApplication, sampleCertificateInput };

/** The next version of an application, as the pipeline would save it. */
const next = (app: Application, change: Partial<Application>): Application => ({ ...app, ...change, version: app.version + 1, updatedAt: iso(1000) });

async function settled<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  return {
    fulfilled: results.filter((r): r is PromiseFulfilledResult<Awaited<T>> => r.status === 'fulfilled').map((r) => r.value),
    rejected: results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown),
  };
}

/** Every page of a list, in order, checking the cursor ends with null. */
async function walk(repo: ApplicationRepository, filter: ApplicationFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await repo.list(filter, { limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((a) => a.id));
    if (page.next === null) return ids;
    expect(page.items).toHaveLength(limit);
    cursor = page.next;
  }
  throw new Error('list never ended');
}

export function applicationRepositoryContract(name: string, make: () => Promise<ApplicationRepository>): void {
  describe(`ApplicationRepository contract: ${name}`, () => {
    it('creates and reads back an application exactly, optional fields included or absent', async () => {
      const repo = await make();
      const app = sampleApplication();
      const recommended = sampleApplication({ id: 'app2', workerId: 'w2', wayIn: 'recommended', recommendingOrg: '南京市委组织部', evidence: ['media:1'], declared: { note: null } });
      await repo.create(app);
      await repo.create(recommended);
      expect(await repo.get('app1')).toEqual(app);
      expect(await repo.get('app2')).toEqual(recommended);
      expect(await repo.get('nope')).toBeNull();
      expect((await repo.listByWorker('w1')).map((a) => a.id)).toEqual(['app1']);
      expect(await repo.listByWorker('nobody')).toEqual([]);
    });

    it('refuses a second open application for the same worker and level, naming the existing one', async () => {
      const repo = await make();
      const first = sampleApplication({ id: 'a1' });
      await repo.create(first);
      const err = await repo.create(sampleApplication({ id: 'a2', createdAt: iso(5) })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenApplicationExistsError);
      expect((err as OpenApplicationExistsError).existing).toEqual(first);
      expect(await repo.get('a2')).toBeNull();
      // Another level, or another worker, is fine.
      await repo.create(sampleApplication({ id: 'a3', level: 'senior' }));
      await repo.create(sampleApplication({ id: 'a4', workerId: 'w2' }));
    });

    it('counts a returned application as open, and allows a new one once the first is closed', async () => {
      const repo = await make();
      const first = sampleApplication({ id: 'a1' });
      await repo.create(first);
      const returned = next(first, { status: 'returned' });
      await repo.save(returned);
      await expect(repo.create(sampleApplication({ id: 'a2' }))).rejects.toBeInstanceOf(OpenApplicationExistsError);
      const withdrawn = next(returned, { status: 'withdrawn' });
      await repo.save(withdrawn);
      await repo.create(sampleApplication({ id: 'a2', createdAt: iso(10) }));
      expect((await repo.listByWorker('w1')).map((a) => a.id)).toEqual(['a2', 'a1']);
      // And the closed one cannot be brought back while the new one is open.
      await expect(repo.save(next(withdrawn, { status: 'open' }))).rejects.toBeInstanceOf(OpenApplicationExistsError);
    });

    it('lets exactly one of many concurrent creates for one worker and level win', async () => {
      const repo = await make();
      const { fulfilled, rejected } = await settled(Array.from({ length: 10 }, (_, i) => repo.create(sampleApplication({ id: `race${i}` }))));
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(9);
      const open = await repo.listByWorker('w1');
      expect(open).toHaveLength(1);
      for (const err of rejected) {
        expect(err).toBeInstanceOf(OpenApplicationExistsError);
        expect((err as OpenApplicationExistsError).existing.id).toBe(open[0]!.id);
      }
    });

    it('saves by compare-and-set on the version: a stale save is a ConflictError', async () => {
      const repo = await make();
      const v1 = sampleApplication();
      await repo.create(v1);
      const v2 = next(v1, { stage: 'qualificationReview' });
      await repo.save(v2);
      expect(await repo.get('app1')).toEqual(v2);
      await expect(repo.save(next(v1, { stage: 'other' }))).rejects.toBeInstanceOf(ConflictError); // stale: version 2 again
      await expect(repo.save({ ...v2, version: 5 })).rejects.toBeInstanceOf(ConflictError); // skipping versions
      await expect(repo.save(next(sampleApplication({ id: 'ghost' }), {}))).rejects.toBeInstanceOf(ConflictError);
      expect(await repo.get('app1')).toEqual(v2);
    });

    it('gives exactly one winner when two admins save the same version at once', async () => {
      const repo = await make();
      const v1 = sampleApplication();
      await repo.create(v1);
      for (let round = 0; round < 5; round++) {
        const current = (await repo.get('app1'))!;
        const a = next(current, { stage: `a${round}` });
        const b = next(current, { stage: `b${round}`, status: 'returned' });
        const { fulfilled, rejected } = await settled([repo.save(a), repo.save(b)]);
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]).toBeInstanceOf(ConflictError);
        const stored = await repo.get('app1');
        expect([a, b]).toContainEqual(stored);
        expect(stored?.version).toBe(current.version + 1);
      }
    });

    describe('list', () => {
      const regions = ['320102', '320105', '320211', '330106', '320100', '320102001'];
      const levels = ['junior', 'intermediate', 'senior'];
      const stages = ['declaration', 'qualificationReview', 'trainingTest', 'publicNotice'];
      const statuses = ['open', 'returned', 'rejected', 'certified'] as const;
      const apps = Array.from({ length: 90 }, (_, i) =>
        sampleApplication({
          id: `app${String(i).padStart(3, '0')}`,
          workerId: `w${i}`,
          regionCode: regions[i % regions.length]!,
          level: levels[i % levels.length]!,
          stage: stages[(i >> 1) % stages.length]!,
          status: statuses[(i >> 2) % statuses.length]!,
          policyId: i % 5 === 0 ? 'zhejiang' : 'jiangsu',
          // Groups of three share a createdAt: the id breaks the tie.
          createdAt: iso(Math.floor(i / 3)),
        }),
      );
      const expected = (f: ApplicationFilter) =>
        apps
          .filter(
            (a) =>
              (!f.regionPrefix || a.regionCode.startsWith(f.regionPrefix)) &&
              (!f.stage || a.stage === f.stage) &&
              (!f.status || a.status === f.status) &&
              (!f.level || a.level === f.level) &&
              (!f.levels?.length || f.levels.includes(a.level)) &&
              (!f.policyId || a.policyId === f.policyId) &&
              (!f.workerIds || f.workerIds.includes(a.workerId)),
          )
          .sort((x, y) => (x.createdAt === y.createdAt ? (x.id < y.id ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1))
          .map((a) => a.id);

      const filters: ApplicationFilter[] = [
        {},
        { regionPrefix: '32' },
        { regionPrefix: '3201' },
        { regionPrefix: '320102' },
        { regionPrefix: '320102001' },
        { regionPrefix: '3201', stage: 'qualificationReview' },
        { regionPrefix: '32', status: 'open' },
        { regionPrefix: '3201', levels: ['junior', 'senior'] },
        { regionPrefix: '3201', levels: [] },
        { level: 'senior' },
        { level: 'senior', levels: ['senior', 'junior'] },
        { policyId: 'zhejiang' },
        { regionPrefix: '32', stage: 'publicNotice', status: 'open', level: 'junior', policyId: 'jiangsu' },
        { regionPrefix: '320' }, // not an administrative boundary: still a prefix
        { regionPrefix: '99' },
        { workerIds: ['w1', 'w7', 'w30', 'w89', 'nobody'] },
        { regionPrefix: '3201', workerIds: ['w0', 'w1', 'w6', 'w12'] },
        { workerIds: [] },
      ];

      it('filters and walks every page newest first, without duplicates or gaps', async () => {
        const repo = await make();
        for (const app of apps) await repo.create(app);
        for (const [i, filter] of filters.entries()) {
          const want = expected(filter);
          // Page size 1 (every item is a page boundary, ties included) on a few filters keeps the suite quick.
          for (const limit of i < 3 ? [1, 7, 100] : [7, 100]) {
            const got = await walk(repo, filter, limit);
            expect({ filter, limit, got }).toEqual({ filter, limit, got: want });
          }
        }
        expect(expected({ regionPrefix: '3201' }).length).toBeGreaterThan(30);
        expect(expected({ regionPrefix: '99' })).toEqual([]);
      });

      it('gives nothing for a level outside the admin levels, and refuses bad limits and cursors', async () => {
        const repo = await make();
        for (const app of apps.slice(0, 10)) await repo.create(app);
        expect(await repo.list({ level: 'senior', levels: ['junior'] }, { limit: 10 })).toEqual({ items: [], next: null });
        await expect(repo.list({}, { limit: 0 })).rejects.toThrow();
        await expect(repo.list({}, { limit: 101 })).rejects.toThrow();
        await expect(repo.list({}, { limit: 10, cursor: 'not a cursor' })).rejects.toThrow();
      });

      it('keeps walking where it was when newer applications arrive between pages', async () => {
        const repo = await make();
        for (const app of apps.slice(0, 30)) await repo.create(app);
        const first = await repo.list({}, { limit: 10 });
        await repo.create(sampleApplication({ id: 'newcomer', workerId: 'wn', createdAt: iso(500) }));
        const rest = await repo.list({}, { limit: 100, cursor: first.next });
        expect([...first.items, ...rest.items].map((a) => a.id)).toEqual(apps.slice(0, 30).map((a) => a.id).sort((x, y) => expectedOrder(apps, x, y)));
      });

      it('uses filter values as values only, never as query operators', async () => {
        const repo = await make();
        for (const app of apps.slice(0, 10)) await repo.create(app);
        const hostile = [
          { stage: { $ne: 'x' } },
          { regionPrefix: '.*' },
          { regionPrefix: { $regex: '.*' } },
          { levels: [{ $gt: '' }] },
          { policyId: { $exists: true } },
        ] as unknown as ApplicationFilter[];
        for (const filter of hostile) {
          const page = await repo.list(filter, { limit: 100 }).catch(() => null);
          expect({ filter, items: page?.items ?? [] }).toEqual({ filter, items: [] });
        }
      });
    });

    it('lists open applications whose public notice ended by a time, and no others', async () => {
      const repo = await make();
      const inNotice = (id: string, endsAt: string | null, status: Application['status'] = 'open') =>
        sampleApplication({ id, workerId: id, stage: 'publicNotice', status, noticeStartedAt: endsAt ? iso(0) : null, noticeEndsAt: endsAt });
      await repo.create(inNotice('due1', iso(60)));
      await repo.create(inNotice('due2', iso(30)));
      await repo.create(inNotice('dueExactly', iso(120)));
      await repo.create(inNotice('later', iso(121)));
      await repo.create(inNotice('noNotice', null));
      await repo.create(inNotice('returned', iso(10), 'returned'));
      await repo.create(inNotice('rejected', iso(10), 'rejected'));
      const now = new Date(iso(120));
      expect((await repo.noticesDueBy(now)).map((a) => a.id).sort()).toEqual(['due1', 'due2', 'dueExactly']);
      // Once advanced (certified here), it is no longer due.
      const due1 = (await repo.get('due1'))!;
      await repo.save(next(due1, { status: 'certified', certificateNumber: 'X-1' }));
      expect((await repo.noticesDueBy(now)).map((a) => a.id).sort()).toEqual(['due2', 'dueExactly']);
      expect(await repo.noticesDueBy(new Date(iso(0)))).toEqual([]);
    });

    it('lists certified applications without a certificate number, certified by a time, and no others', async () => {
      const repo = await make();
      const certified = (id: string, at: string, certificateNumber: string | null = null) =>
        sampleApplication({ id, workerId: id, stage: 'publicNotice', status: 'certified', certificateNumber, updatedAt: at });
      await repo.create(certified('missing1', iso(10)));
      await repo.create(certified('missingExactly', iso(60)));
      await repo.create(certified('tooRecent', iso(61)));
      await repo.create(certified('recorded', iso(10), 'X-1'));
      await repo.create(sampleApplication({ id: 'open', workerId: 'open', updatedAt: iso(10) }));
      const before = new Date(iso(60));
      expect((await repo.certificatesMissingBy(before)).map((a) => a.id)).toEqual(['missing1', 'missingExactly']);
      // Once its number is recorded, it is no longer listed; what is listed is the application as stored.
      const missing1 = (await repo.get('missing1'))!;
      await repo.save(next(missing1, { certificateNumber: 'X-2' }));
      expect(await repo.certificatesMissingBy(before)).toEqual([await repo.get('missingExactly')]);
      expect(await repo.certificatesMissingBy(new Date(iso(0)))).toEqual([]);
    });
  });
}

function expectedOrder(apps: Application[], x: string, y: string): number {
  const a = apps.find((p) => p.id === x)!;
  const b = apps.find((p) => p.id === y)!;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : -1;
}

export const certificateFormat = (region: string, year: number) => (seq: number) => `${region}-${year}-${String(seq).padStart(6, '0')}`;
export const seqOf = (number: string) => Number(number.split('-').at(-1));

export function certificateRepositoryContract(name: string, make: () => Promise<CertificateRepository>): void {
  describe(`CertificateRepository contract: ${name}`, () => {
    const fmt = certificateFormat('320102', 2026);

    it('issues a certificate numbered from the counter and reads it back', async () => {
      const repo = await make();
      const cert = await repo.issue(sampleCertificateInput(), 2026, fmt);
      expect(cert).toEqual({ ...sampleCertificateInput(), number: '320102-2026-000001' });
      expect(await repo.get(cert.number)).toEqual(cert);
      expect(await repo.get('320102-2026-999999')).toBeNull();
      expect(await repo.listByWorker('w1')).toEqual([cert]);
      expect(await repo.listByWorker('w2')).toEqual([]);
    });

    it('gives 100 parallel issuances for 100 applications the numbers 1..100, each once', async () => {
      const repo = await make();
      const certs = await Promise.all(
        Array.from({ length: 100 }, (_, i) => repo.issue(sampleCertificateInput({ applicationId: `app${i}`, workerId: `w${i}` }), 2026, fmt)),
      );
      expect(new Set(certs.map((c) => c.number)).size).toBe(100);
      expect(certs.map((c) => seqOf(c.number)).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(new Set(certs.map((c) => c.applicationId)).size).toBe(100);
      // Every one is stored under its number and belongs to its application.
      for (const c of certs.slice(0, 10)) expect((await repo.get(c.number))?.applicationId).toBe(c.applicationId);
    });

    it('returns the same certificate when issuing twice for one application, without consuming a number', async () => {
      const repo = await make();
      const first = await repo.issue(sampleCertificateInput(), 2026, fmt);
      const again = await repo.issue(sampleCertificateInput({ issuedOn: '2026-05-01' }), 2026, fmt);
      expect(again).toEqual(first);
      const other = await repo.issue(sampleCertificateInput({ applicationId: 'app2', workerId: 'w2' }), 2026, fmt);
      expect(seqOf(other.number)).toBe(2);
    });

    it('gives concurrent issuances for one application one certificate and one number', async () => {
      const repo = await make();
      const certs = await Promise.all(Array.from({ length: 10 }, () => repo.issue(sampleCertificateInput(), 2026, fmt)));
      expect(new Set(certs.map((c) => c.number))).toEqual(new Set(['320102-2026-000001']));
      expect(seqOf((await repo.issue(sampleCertificateInput({ applicationId: 'app2' }), 2026, fmt)).number)).toBe(2);
    });

    it('counts each issuing scope (city or province) and year on its own', async () => {
      const repo = await make();
      const a = await repo.issue(sampleCertificateInput({ applicationId: 'a' }), 2026, fmt);
      const b = await repo.issue(sampleCertificateInput({ applicationId: 'b', regionCode: '320205', scopeRegionCode: '320200' }), 2026, certificateFormat('320105', 2026));
      const c = await repo.issue(sampleCertificateInput({ applicationId: 'c' }), 2027, certificateFormat('320102', 2027));
      const d = await repo.issue(sampleCertificateInput({ applicationId: 'd' }), 2026, fmt);
      expect([a, b, c, d].map((x) => x.number)).toEqual(['320102-2026-000001', '320105-2026-000001', '320102-2027-000001', '320102-2026-000002']);
    });

    it('changes the status and appends to the status history', async () => {
      const repo = await make();
      const cert = await repo.issue(sampleCertificateInput(), 2026, fmt);
      const at = new Date('2027-04-01T08:00:00.000Z');
      const suspended = await repo.setStatus(cert.number, 'suspended', 'annual inspection failed', ADMIN, at);
      expect(suspended).toEqual({
        ...cert,
        status: 'suspended',
        statusHistory: [...cert.statusHistory, { at: at.toISOString(), status: 'suspended', reason: 'annual inspection failed', actor: ADMIN }],
      });
      expect(await repo.get(cert.number)).toEqual(suspended);
      expect(await repo.setStatus('none', 'revoked', 'x', ADMIN, at)).toBeNull();
    });

    it('lists the certificates of a region prefix', async () => {
      const repo = await make();
      const codes = ['320102', '320105', '320211', '330106', '320102001'];
      for (const [i, code] of codes.entries()) {
        await repo.issue(sampleCertificateInput({ applicationId: `a${i}`, regionCode: code }), 2026, certificateFormat(code, 2026));
      }
      const regionsOf = async (prefix: string) => (await repo.listForRegion(prefix)).map((c) => c.regionCode).sort();
      expect(await regionsOf('32')).toEqual(['320102', '320102001', '320105', '320211']);
      expect(await regionsOf('3201')).toEqual(['320102', '320102001', '320105']);
      expect(await regionsOf('320102')).toEqual(['320102', '320102001']);
      expect(await regionsOf('33')).toEqual(['330106']);
      expect(await regionsOf('11')).toEqual([]);
    });

    it("lists a region's certificates held in a year: issued by its end, valid until its start or later", async () => {
      const repo = await make();
      const spans = [['2024-05-01', '2025-12-31'], ['2026-12-31', '2029-12-30'], ['2027-01-01', '2030-01-01'], ['2023-01-01', '2026-01-01'], ['2022-01-01', '2025-12-30']];
      for (const [i, [issuedOn, validUntil]] of spans.entries()) await repo.issue(sampleCertificateInput({ applicationId: `h${i}`, regionCode: '320102', issuedOn, validUntil }), 2026, certificateFormat('320102', 2026));
      await repo.issue(sampleCertificateInput({ applicationId: 'other', regionCode: '320211', issuedOn: '2026-02-01', validUntil: '2029-01-31' }), 2026, certificateFormat('320211', 2026));
      const held = async (prefix: string, year: number) => (await repo.listForRegion(prefix, year)).map((c) => c.issuedOn).sort();
      expect(await held('3201', 2026)).toEqual(['2023-01-01', '2026-12-31']);
      expect(await held('3201', 2025)).toEqual(['2022-01-01', '2023-01-01', '2024-05-01']);
      expect(await held('32', 2026)).toEqual(['2023-01-01', '2026-02-01', '2026-12-31']);
      expect(await held('3205', 2026)).toEqual([]);
    });

    it('lists certificates due an expiry notice and records each notice once, even when claimed at once', async () => {
      const repo = await make();
      const soon = await repo.issue(sampleCertificateInput({ applicationId: 's', validUntil: '2029-03-31' }), 2026, fmt);
      await repo.issue(sampleCertificateInput({ applicationId: 'later', validUntil: '2029-06-30' }), 2026, fmt);
      const revoked = await repo.issue(sampleCertificateInput({ applicationId: 'r', validUntil: '2029-03-01' }), 2026, fmt);
      await repo.setStatus(revoked.number, 'revoked', 'x', ADMIN, new Date('2027-01-01T00:00:00Z'));
      expect((await repo.dueForExpiryNotice('2029-04-30')).map((c) => c.number)).toEqual([soon.number]);

      const at = new Date('2029-03-05T01:00:00.000Z');
      const claims = await Promise.all([repo.claimNotice(soon.number, 'expiringSoon', at), repo.claimNotice(soon.number, 'expiringSoon', at)]);
      expect(claims.sort()).toEqual([false, true]);
      expect((await repo.get(soon.number))?.notices).toEqual({ expiringSoon: at.toISOString() });
      // Still listed: the "has expired" notice is due later.
      expect((await repo.dueForExpiryNotice('2029-04-30')).map((c) => c.number)).toEqual([soon.number]);

      await repo.releaseNotice(soon.number, 'expiringSoon');
      expect(await repo.claimNotice(soon.number, 'expiringSoon', at)).toBe(true);
      expect(await repo.claimNotice(soon.number, 'expired', at)).toBe(true);
      expect(await repo.dueForExpiryNotice('2029-04-30')).toEqual([]);
      expect(await repo.claimNotice('none', 'expired', at)).toBe(false);
    });
  });
}

export function annualRecordRepositoryContract(name: string, make: () => Promise<AnnualRecordRepository>): void {
  describe(`AnnualRecordRepository contract: ${name}`, () => {
    const inspection = { passed: true, note: '合格', recordedAt: '2027-03-01T00:00:00.000Z', by: ADMIN };
    const assessment = { grade: 'excellent' as const, recordedAt: '2027-03-02T00:00:00.000Z', by: ADMIN };

    it('keeps one record per worker and year, with inspection and assessment recorded in either order', async () => {
      const repo = await make();
      expect(await repo.recordInspection('w1', 'C1', 2026, inspection)).toEqual({ workerId: 'w1', certificateNumber: 'C1', year: 2026, inspection, assessment: null });
      expect(await repo.recordAssessment('w1', 'C1', 2026, assessment)).toEqual({ workerId: 'w1', certificateNumber: 'C1', year: 2026, inspection, assessment });
      expect(await repo.recordAssessment('w2', 'C2', 2026, assessment)).toEqual({ workerId: 'w2', certificateNumber: 'C2', year: 2026, inspection: null, assessment });
      const failed = { ...inspection, passed: false, note: undefined };
      const { note: _n, ...failedStored } = failed;
      expect((await repo.recordInspection('w1', 'C1', 2026, failed)).inspection).toEqual(failedStored);
      await repo.recordInspection('w1', 'C1', 2027, inspection);
      expect(await repo.get('w1', 2026)).toEqual({ workerId: 'w1', certificateNumber: 'C1', year: 2026, inspection: failedStored, assessment });
      expect(await repo.get('w3', 2026)).toBeNull();
      expect((await repo.listForYear(2026)).map((r) => r.workerId)).toEqual(['w1', 'w2']);
      expect((await repo.listForYear(2027)).map((r) => r.workerId)).toEqual(['w1']);
      expect(await repo.listForYear(2030)).toEqual([]);
      expect((await repo.listForYear(2026, ['w2', 'w9'])).map((r) => r.workerId)).toEqual(['w2']);
      expect((await repo.listForYear(2027, ['w2'])).map((r) => r.workerId)).toEqual([]);
    });

    it('keeps both when the inspection and the assessment of a new record are written at once', async () => {
      const repo = await make();
      await Promise.all([repo.recordInspection('w1', 'C1', 2026, inspection), repo.recordAssessment('w1', 'C1', 2026, assessment)]);
      expect(await repo.get('w1', 2026)).toEqual({ workerId: 'w1', certificateNumber: 'C1', year: 2026, inspection, assessment });
    });
  });
}

export function adminRepositoryContract(name: string, make: () => Promise<AdminRepository>): void {
  describe(`AdminRepository contract: ${name}`, () => {
    const admin: AdminRecord = { id: 'adm1', name: '李四', regionCode: '320100', levels: ['junior', 'intermediate'], createdAt: '2026-03-01T00:00:00.000Z', disabled: false };
    const person: AdminRecord = { ...admin, id: 'adm3', regionCode: '320102', username: 'xuanwu', mustChangePassword: true };

    it('stores admins and finds them by id, and people accounts by username with their password hash', async () => {
      const repo = await make();
      await repo.create(admin);
      await repo.create({ ...admin, id: 'adm2', levels: [], disabled: true, regionCode: '320000' });
      await repo.create(person, '$argon2id$hash');
      expect(await repo.get('adm1')).toEqual(admin);
      expect(await repo.get('nobody')).toBeNull();
      expect(await repo.findLogin('xuanwu')).toEqual({ admin: person, passwordHash: '$argon2id$hash' });
      expect(await repo.findLogin('nobody')).toBeNull();
      expect(await repo.passwordHash('adm3')).toBe('$argon2id$hash');
      expect(await repo.passwordHash('adm1')).toBeNull();
      expect(await repo.count()).toBe(3);
      expect((await repo.listInRegion('3201')).map((a) => a.id)).toEqual(['adm1', 'adm3']);
      expect((await repo.listInRegion('32')).map((a) => a.id).sort()).toEqual(['adm1', 'adm2', 'adm3']);
    });

    it('refuses a second admin with the same id or username, keeping the first', async () => {
      const repo = await make();
      await repo.create(admin);
      await repo.create(person, 'h');
      await expect(repo.create({ ...admin, name: 'impostor' })).rejects.toThrow(ConflictError);
      await expect(repo.create({ ...person, id: 'adm9' }, 'h2')).rejects.toThrow(ConflictError);
      expect(await repo.get('adm1')).toEqual(admin);
      expect(await repo.findLogin('xuanwu')).toEqual({ admin: person, passwordHash: 'h' });
    });

    it('updates an admin, a taken username refused', async () => {
      const repo = await make();
      await repo.create(admin);
      await repo.create(person, 'h');
      expect(await repo.update('adm3', { disabled: true, mustChangePassword: false, passwordHash: 'h2', lastLoginAt: '2026-03-02T00:00:00.000Z' })).toEqual({ ...person, disabled: true, mustChangePassword: false, lastLoginAt: '2026-03-02T00:00:00.000Z' });
      expect(await repo.passwordHash('adm3')).toBe('h2');
      await expect(repo.update('adm1', { username: 'xuanwu' })).rejects.toThrow(ConflictError);
      expect(await repo.update('adm1', { username: 'nanjing', passwordHash: 'h3' })).toEqual({ ...admin, username: 'nanjing' });
      expect(await repo.update('nobody', { disabled: true })).toBeNull();
    });

    it('keeps several tokens per admin by hash, revokes only the owner’s live ones', async () => {
      const repo = await make();
      await repo.create(admin);
      const t1 = { id: 'adm1', adminId: 'adm1', label: 'admin:create', createdAt: '2026-03-01T00:00:00.000Z' };
      const t2 = { id: 't2', adminId: 'adm1', label: 'reports', createdAt: '2026-03-02T00:00:00.000Z' };
      await repo.addToken(t1, 'a'.repeat(64));
      await repo.addToken(t2, 'b'.repeat(64));
      await expect(repo.addToken({ ...t2, label: 'again' }, 'c'.repeat(64))).rejects.toThrow(ConflictError);
      expect(await repo.findToken('t2')).toEqual({ token: t2, hash: 'b'.repeat(64) });
      expect(await repo.revokeToken('someone-else', 't2', '2026-03-03T00:00:00.000Z')).toBe(false);
      expect(await repo.revokeToken('adm1', 't2', '2026-03-03T00:00:00.000Z')).toBe(true);
      expect(await repo.revokeToken('adm1', 't2', '2026-03-04T00:00:00.000Z')).toBe(false);
      await repo.touchToken('adm1', '2026-03-05T00:00:00.000Z');
      expect(await repo.listTokens('adm1')).toEqual([
        { ...t1, lastUsedAt: '2026-03-05T00:00:00.000Z' },
        { ...t2, revokedAt: '2026-03-03T00:00:00.000Z' },
      ]);
      expect(await repo.findToken('nobody')).toBeNull();
    });
  });
}

export function auditLogContract(name: string, make: () => Promise<AuditLog>): void {
  describe(`AuditLog contract: ${name}`, () => {
    it('appends entries and lists them newest first, filtered and limited', async () => {
      const log = await make();
      await log.append({ at: iso(1), adminId: 'adm1', action: 'advance', target: 'app1', outcome: 'done', detail: { from: 'declaration', to: 'review', nested: { n: 1 } } });
      await log.append({ at: iso(2), adminId: 'adm2', action: 'advance', target: 'app1', outcome: 'conflict' });
      await log.append({ at: iso(3), adminId: 'adm1', action: 'reject', target: 'app2', outcome: 'refused' });
      await log.append({ at: iso(4), adminId: 'adm1', action: 'login', target: 'adm1', outcome: 'invalid' });
      expect((await log.list({}, 10)).map((e) => e.at)).toEqual([iso(4), iso(3), iso(2), iso(1)]);
      expect(await log.list({ target: 'app1' }, 10)).toEqual([
        { at: iso(2), adminId: 'adm2', action: 'advance', target: 'app1', outcome: 'conflict' },
        { at: iso(1), adminId: 'adm1', action: 'advance', target: 'app1', outcome: 'done', detail: { from: 'declaration', to: 'review', nested: { n: 1 } } },
      ]);
      expect((await log.list({ adminId: 'adm1' }, 2)).map((e) => e.action)).toEqual(['login', 'reject']);
      expect(await log.list({ adminId: 'adm1', target: 'app2' }, 10)).toHaveLength(1);
      expect(await log.list({ adminId: 'nobody' }, 10)).toEqual([]);
    });

    it('offers no way to change or remove an entry', async () => {
      const log = await make();
      expect(Object.keys(log).sort()).toEqual(['append', 'list']);
    });
  });
}
