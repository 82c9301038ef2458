/**
 * The 红领津贴 report kept up on write (src/app/console/allowanceUpkeep.ts, src/store/mongo/allowanceEntries.ts):
 * after any mix of certificate and annual-record writes its entries and counters equal a recount from the records,
 * and the report read from them equals the report computed from the records, for every scope and year. The
 * regression has its own embedded server, since the plan counters it reads are per server.
 */
import type { Db } from 'mongodb';
import type { Connection } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { allowanceReport } from '../../../src/app/certification/allowanceReport.ts';
import { keepingAllowance } from '../../../src/app/console/allowanceUpkeep.ts';
import { countingAnnualRecords, countingCertificates } from '../../../src/app/console/dashboardCounts.ts';
import type { AssessmentGrade, CertificateStatus } from '../../../src/domain/certification/types.ts';
import type { AllowanceStore } from '../../../src/app/ports/allowance.ts';
import { createMongoAllowanceStore, recountAllowance } from '../../../src/store/mongo/allowanceEntries.ts';
import { createMongoAnnualRecordRepository } from '../../../src/store/mongo/annualRecordRepository.ts';
import { createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoDashboardCounterStore, recountDashboard } from '../../../src/store/mongo/dashboardCounters.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { testDbUri } from '../../support/db.ts';
import { adminOf, memoryCertificationDeps } from '../../support/memoryCertificationDeps.ts';
import { ownEmbeddedServers } from '../../support/ownEmbeddedServer.ts';

const connections: Connection[] = [];
afterAll(() => Promise.all(connections.map((c) => c.close())));
const withServer = ownEmbeddedServers('allowancepreview');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const REGIONS = ['320102', '320104', '320508', '320100', '320102001'];
const LEVELS = ['junior', 'intermediate', 'senior', 'special'];
const GRADES: AssessmentGrade[] = ['excellent', 'competent', 'basicallyCompetent', 'incompetent'];
const SYSTEM = { kind: 'system' as const, id: 'test' };
const ADMIN = { kind: 'admin' as const, id: 'a', name: 'test' };
const STEPS = 80;
/** Holders of the regression's year: half assessed (paid), half not. */
const HOLDERS = 80;
/** The writes run one after another: on a loaded CI machine they take far longer than the default 30 s. */
const MANY_WRITES_MS = 180_000;

const policies = (id: string) => memoryCertificationDeps().deps.policies.get(id) ?? undefined;

function stores(connection: Connection) {
  const counters = createMongoDashboardCounterStore(connection);
  const certificates = countingCertificates(createMongoCertificateRepository(connection), counters);
  const annual = countingAnnualRecords(createMongoAnnualRecordRepository(connection), certificates, counters);
  const allowance = createMongoAllowanceStore(connection, counters);
  return { allowance, ...keepingAllowance({ certificates, annual }, allowance, (id) => memoryCertificationDeps().deps.policies.get(id) ?? undefined) };
}

async function entryDocs(connection: Connection) {
  return (await connection.collection('allowance_entries').find({}).toArray()).map((d) => JSON.stringify(d)).sort();
}
async function allowanceCounters(connection: Connection) {
  const docs = await connection.collection('dashboard_counters').find({ kind: { $in: ['allowancePaid', 'allowanceExcluded', 'allowanceHolders'] }, n: { $ne: 0 } }).toArray();
  return docs.map((d) => `${d._id}=${d.n}`).sort();
}

describe('allowance entries', () => {
  it(
    'equal a recount of the records, and the report read from them equals the report computed from the records',
    async () => {
      const connection = await connectMongo(testDbUri('allowanceentries'));
      connections.push(connection);
      const s = stores(connection);
      await Promise.all(Object.values(connection.models).map((m) => m.init()));
      const random = rng(11);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      const certs: { number: string; workerId: string }[] = [];
      // Twelve workers for 80 writes: most hold several certificates, some in two regions.
      for (let step = 0; step < STEPS; step++) {
        const u = random();
        if (u < 0.35 || certs.length < 3) {
          const workerId = `w${Math.floor(random() * 12)}`;
          const number = `N${String(step).padStart(3, '0')}`;
          const issuedOn = `${pick(['2024', '2025', '2026'])}-0${1 + Math.floor(random() * 9)}-15`;
          const y = Number(issuedOn.slice(0, 4));
          const validUntil = pick([`${y + 3}-01-01`, `${y + 1}-12-31`, `${y + 1}-06-30`, `${y}-11-30`]);
          await s.certificates.issue(sampleCertificateInput({ applicationId: `a${step}`, workerId, regionCode: pick(REGIONS), level: pick(LEVELS), issuedOn, validUntil }), 2026, () => number);
          certs.push({ number, workerId });
        } else if (u < 0.5) {
          await s.certificates.setStatus(pick(certs).number, pick(['valid', 'suspended', 'revoked', 'valid'] as CertificateStatus[]), 'test', SYSTEM, new Date(Date.parse('2025-01-01T00:00:00Z') + random() * 730 * 86_400_000));
        } else {
          const c = pick(certs);
          const year = pick([2024, 2025, 2026]);
          const by = { recordedAt: '2026-06-01T00:00:00.000Z', by: ADMIN };
          if (random() < 0.3) await s.annual.recordInspection(c.workerId, c.number, year, { passed: random() < 0.8, ...by });
          else await s.annual.recordAssessment(c.workerId, c.number, year, { grade: pick(GRADES), ...by });
        }
      }
      // Cases the random writes may miss: a worker holding certificates in two cities whose year's record moves from
      // one to the other (the records keep one per worker and year), and a suspended certificate assessed 优秀.
      const by = { recordedAt: '2026-06-01T00:00:00.000Z', by: ADMIN };
      await s.certificates.issue(sampleCertificateInput({ applicationId: 'x1', workerId: 'wx', regionCode: '320102', level: 'junior', issuedOn: '2025-02-01', validUntil: '2028-01-31' }), 2026, () => 'X1');
      await s.certificates.issue(sampleCertificateInput({ applicationId: 'x2', workerId: 'wx', regionCode: '320508', level: 'senior', issuedOn: '2025-03-01', validUntil: '2028-02-28' }), 2026, () => 'X2');
      await s.annual.recordAssessment('wx', 'X1', 2025, { grade: 'competent', ...by });
      await s.certificates.issue(sampleCertificateInput({ applicationId: 'y1', workerId: 'wy', regionCode: '320104', level: 'intermediate', issuedOn: '2025-02-01', validUntil: '2028-01-31' }), 2026, () => 'Y1');
      await s.annual.recordAssessment('wy', 'Y1', 2025, { grade: 'excellent', ...by });
      await s.certificates.setStatus('Y1', 'suspended', 'test', SYSTEM, new Date('2025-09-01T00:00:00Z'));
      await s.annual.recordAssessment('wx', 'X2', 2025, { grade: 'competent', ...by });

      const keptEntries = await entryDocs(connection);
      const keptCounters = await allowanceCounters(connection);
      // The dashboard's recount leaves the allowance counters alone; the allowance recount rebuilds the same.
      await recountDashboard(connection);
      expect(await allowanceCounters(connection)).toEqual(keptCounters);
      const recount = await recountAllowance(connection, (id) => memoryCertificationDeps().deps.policies.get(id) ?? undefined);
      expect(recount.entries).toBe(keptEntries.length);
      expect(await entryDocs(connection)).toEqual(keptEntries);
      expect(await allowanceCounters(connection)).toEqual(keptCounters);

      // The report from the entries and the report from the records agree, in full and as a preview.
      const m = memoryCertificationDeps();
      const computed = { ...m.deps, certificates: s.certificates, annual: s.annual };
      const kept = { ...computed, allowance: s.allowance };
      const outcomes = new Set<string>();
      for (const admin of [adminOf('320000'), adminOf('320100'), adminOf('320102'), adminOf('320500'), adminOf('320100', 'levels', ['senior', 'junior']), adminOf('320400')]) {
        for (const year of [2024, 2025, 2026, 2027]) {
          for (const limit of [undefined, 2]) {
            const fromRecords = await allowanceReport(computed, admin, year, 'en', limit);
            const fromEntries = await allowanceReport(kept, admin, year, 'en', limit);
            expect(fromEntries, `${admin.regionCode} ${admin.levels.join(',')} ${year} ${limit}`).toEqual(fromRecords);
            if (fromRecords.ok) {
              outcomes.add(fromRecords.value.notice?.code ?? 'paid');
              for (const e of fromRecords.value.excluded) outcomes.add(e.code);
            }
          }
        }
      }
      // The data reached every case the comparison is meant to cover.
      expect([...outcomes].sort()).toEqual(expect.arrayContaining(['gradeTooLow', 'noCertificates', 'notAssessed', 'paid', 'revoked', 'suspended']));
    },
    MANY_WRITES_MS,
  );

  it("regression: a worker's inspection and assessment recorded at once moved the allowance counters twice", async () => {
    const connection = await connectMongo(testDbUri('allowanceconcurrent'));
    connections.push(connection);
    const counters = createMongoDashboardCounterStore(connection);
    const store = createMongoAllowanceStore(connection, counters);
    // The first recomputation is held as it reads the worker's entries, until the second write is done and
    // everything that write started without waiting (microtasks) has run: a second read then is a second
    // recomputation from the same entries.
    let hold = false;
    const held: (() => void)[] = [];
    let firstHeld!: () => void;
    const oneHeld = new Promise<void>((r) => (firstHeld = r));
    const gated: AllowanceStore = {
      ...store,
      ofWorker: async (w) => {
        if (hold) await new Promise<void>((r) => (held.push(r), firstHeld()));
        return store.ofWorker(w);
      },
    };
    const raw = createMongoAnnualRecordRepository(connection);
    let secondWritten!: () => void;
    const secondDone = new Promise<void>((r) => (secondWritten = r));
    const annual = {
      ...raw,
      recordAssessment: async (...a: Parameters<typeof raw.recordAssessment>) => {
        await oneHeld;
        const r = await raw.recordAssessment(...a);
        secondWritten();
        return r;
      },
    };
    const s = keepingAllowance({ certificates: countingCertificates(createMongoCertificateRepository(connection), counters), annual }, gated, policies);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const by = { recordedAt: '2026-06-01T00:00:00.000Z', by: ADMIN };
    await s.certificates.issue(sampleCertificateInput({ applicationId: 'c1', workerId: 'wc', regionCode: '320102', level: 'senior', issuedOn: '2025-02-01', validUntil: '2028-01-31' }), 2026, () => 'C1');
    hold = true;
    const both = Promise.all([s.annual.recordInspection('wc', 'C1', 2025, { passed: true, ...by }), s.annual.recordAssessment('wc', 'C1', 2025, { grade: 'excellent', ...by })]);
    await secondDone;
    await new Promise((r) => setImmediate(r));
    const reading = held.length;
    hold = false;
    for (const release of held.splice(0)) release();
    await both;
    expect(reading).toBe(1);
    const kept = await allowanceCounters(connection);
    await recountAllowance(connection, policies);
    expect(kept).toEqual(await allowanceCounters(connection));
    expect(kept).toContain('allowancePaid|3201|senior|jiangsu|7200|2025=1');
  });

  it('regression: the province allowance preview read every holder of the year', { timeout: MANY_WRITES_MS }, async () => {
    await withServer('memory', async (server, db: Db) => {
      const connection = await connectMongo(`${server.uri}allowancepreview`);
      connections.push(connection);
      const s = stores(connection);
      await Promise.all(Object.values(connection.models).map((m) => m.init()));
      const by = { recordedAt: '2026-06-01T00:00:00.000Z', by: ADMIN };
      for (let i = 0; i < HOLDERS; i++) {
        const number = `N${String(i).padStart(4, '0')}`;
        await s.certificates.issue(sampleCertificateInput({ applicationId: `a${i}`, workerId: `w${i}`, regionCode: REGIONS[i % REGIONS.length]!, level: LEVELS[i % 3]!, issuedOn: '2025-03-01', validUntil: '2028-02-28' }), 2026, () => number);
        if (i % 2 === 0) await s.annual.recordAssessment(`w${i}`, number, 2025, { grade: 'competent', ...by });
      }
      const m = memoryCertificationDeps();
      const deps = { ...m.deps, certificates: s.certificates, annual: s.annual, allowance: s.allowance };
      const read = async () => Number((await db.command({ embeddedPlanStats: 1 }))['candidatesRead']);
      const before = await read();
      const r = await allowanceReport(deps, adminOf('320000'), 2025, 'zh-CN', 5);
      const candidates = (await read()) - before;
      expect(r).toMatchObject({ ok: true, value: { counts: { rows: HOLDERS / 2, excluded: HOLDERS / 2 }, totals: { holders: HOLDERS / 2 } } });
      if (r.ok) expect([r.value.rows.length, r.value.excluded.length]).toEqual([5, 5]);
      // Five rows of each list and the counters (three kinds, a few levels), not the year's holders and records.
      expect(candidates).toBeLessThan(HOLDERS / 2);
    });
  });
});
