/**
 * The dashboard's counters (src/app/console/dashboardCounts.ts, src/store/mongo/dashboardCounters.ts): kept up on
 * every write through the counting repositories, they equal a recount from the records after any mix of changes,
 * and the dashboard's reads take them instead of grouping the applications.
 */
import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { countingAnnualRecords, countingApplications, countingCertificates } from '../../../src/app/console/dashboardCounts.ts';
import type { Application, ApplicationStatus } from '../../../src/domain/certification/types.ts';
import { createMongoAnnualRecordRepository } from '../../../src/store/mongo/annualRecordRepository.ts';
import { createMongoApplicationRepository } from '../../../src/store/mongo/applicationRepository.ts';
import { createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { createMongoConsoleReads } from '../../../src/store/mongo/consoleReads.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoDashboardCounterStore, recountDashboard } from '../../../src/store/mongo/dashboardCounters.ts';
import { sampleApplication, sampleCertificateInput } from '../../support/certificationSamples.ts';
import { testDbUri } from '../../support/db.ts';

const connections: Connection[] = [];
afterAll(() => Promise.all(connections.map((c) => c.close())));

/** A small deterministic generator, so a failure replays. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STAGES = ['declaration', 'qualificationReview', 'trainingTest', 'publicNotice'];
const STATUSES: ApplicationStatus[] = ['open', 'returned', 'rejected', 'withdrawn', 'certified'];
const REGIONS = ['320102', '320104', '320508', '320000', '320100', '320102001'];
const LEVELS = ['junior', 'intermediate', 'senior'];
const SYSTEM = { kind: 'system' as const, id: 'test' };
/** Enough writes for every kind of change to happen several times; each is a few round trips. */
const STEPS = 90;
/** The writes run one after another: on a loaded CI machine they take far longer than the default 30 s. */
const MANY_WRITES_MS = 180_000;

async function counterDocs(connection: Connection) {
  const docs = await connection.collection('dashboard_counters').find({ n: { $ne: 0 } }).toArray();
  return docs.map((d) => `${d._id}=${d.n}`).sort();
}

/** A connection that reports its commands (the regressions count the reads a call makes), closed after all. */
async function monitoredConnection(tag: string): Promise<Connection> {
  const connection = mongoose.createConnection(testDbUri(tag), { monitorCommands: true, autoIndex: true });
  connection.set('sanitizeFilter', true);
  await connection.asPromise();
  connections.push(connection);
  return connection;
}

describe('dashboard counters', () => {
  it('equal a recount of the records after random creates, saves, issues, status changes and annual records', async () => {
    const connection = await connectMongo(testDbUri('dashcounters'));
    connections.push(connection);
    const counters = createMongoDashboardCounterStore(connection);
    const applications = countingApplications(createMongoApplicationRepository(connection), counters);
    const certificates = countingCertificates(createMongoCertificateRepository(connection), counters);
    const annual = countingAnnualRecords(createMongoAnnualRecordRepository(connection), certificates, counters);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const random = rng(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const t0 = Date.parse('2025-11-20T08:00:00Z');
    const at = () => new Date(t0 + random() * 120 * 86_400_000).toISOString();
    const apps: Application[] = [];
    const certs: { number: string; workerId: string }[] = [];

    for (let step = 0; step < STEPS; step++) {
      const u = random();
      if (u < 0.3 || apps.length === 0) {
        const createdAt = at();
        const app = sampleApplication({ id: `a${step}`, workerId: `w${step}`, regionCode: pick(REGIONS), level: pick(LEVELS), createdAt, updatedAt: createdAt });
        await applications.create(app);
        apps.push(app);
      } else if (u < 0.7) {
        const i = Math.floor(random() * apps.length);
        const prev = apps[i]!;
        const when = at();
        const stage = random() < 0.6 ? pick(STAGES) : prev.stage;
        const status = random() < 0.4 ? pick(STATUSES) : prev.status;
        const next: Application = {
          ...prev,
          stage,
          status,
          updatedAt: when,
          version: prev.version + 1,
          history: [...prev.history, { at: when, actor: SYSTEM, action: 'advance', fromStage: prev.stage, toStage: stage, fromStatus: prev.status, toStatus: status }],
        };
        await applications.save(next);
        apps[i] = next;
      } else if (u < 0.8) {
        const app = pick(apps);
        const number = `N${app.id}`;
        const issuedOn = `${pick(['2024', '2025', '2026'])}-0${1 + Math.floor(random() * 9)}-15`;
        const y = Number(issuedOn.slice(0, 4));
        // Ends of every kind the 报表 counts tell apart: after the year, on its last day, inside it.
        const validUntil = pick([`${y + 3}-01-01`, `${y + 1}-12-31`, `${y + 1}-06-30`, `${y}-11-30`]);
        await certificates.issue(sampleCertificateInput({ applicationId: app.id, workerId: app.workerId, regionCode: app.regionCode, level: app.level, issuedOn, validUntil }), 2026, () => number);
        if (!certs.some((c) => c.number === number)) certs.push({ number, workerId: app.workerId });
      } else if (u < 0.9 && certs.length) {
        await certificates.setStatus(pick(certs).number, pick(['valid', 'suspended', 'revoked', 'expired'] as const), 'test', SYSTEM, new Date(at()));
      } else if (certs.length) {
        const c = pick(certs);
        const year = pick([2025, 2026]);
        const by = { recordedAt: at(), by: SYSTEM };
        if (random() < 0.5) await annual.recordInspection(c.workerId, c.number, year, { passed: random() < 0.8, ...by } as never);
        else await annual.recordAssessment(c.workerId, c.number, year, { grade: 'competent', ...by } as never);
      }
    }
    // A repeated issue (idempotent) and a stale save (refused) move nothing.
    const first = certs[0]!;
    await certificates.issue(sampleCertificateInput({ applicationId: first.number.slice(1), workerId: first.workerId }), 2026, () => first.number);
    await expect(applications.save({ ...apps[0]!, version: apps[0]!.version })).rejects.toThrow();

    const kept = await counterDocs(connection);
    expect(kept.length).toBeGreaterThan(40);
    const recount = await recountDashboard(connection);
    expect(recount.applications).toBe(apps.length);
    expect(await counterDocs(connection)).toEqual(kept);

    // The 报表 counts read from those counters equal a count over the records, for each scope, year and day.
    const reads = createMongoConsoleReads(connection, counters);
    const storedApps = await connection.collection('applications').find({}).toArray();
    const storedCerts = await connection.collection('certificates').find({}).toArray();
    expect(new Set(storedCerts.map((c) => c.status)).size).toBeGreaterThan(1);
    const cases: [string, string[] | null, number, string][] = [
      ['', null, 2026, '2026-12-31'],
      ['32', null, 2026, '2026-03-10'],
      ['3201', null, 2025, '2025-12-31'],
      ['3201', ['junior', 'senior'], 2026, '2026-07-01'],
      ['320102', null, 2027, '2027-06-30'],
      ['3205', null, 2024, '2024-12-31'],
    ];
    for (const [prefix, levels, year, day] of cases) {
      const within = (d: { regionPath: string[]; level: string }) => (prefix === '' || d.regionPath.includes(prefix)) && (!levels || levels.includes(d.level));
      const expected = new Map<string, { regionCode: string; level: string; declared: number; certified: number; active: number }>();
      const at = (d: { regionCode: string; level: string }) => {
        const id = `${d.regionCode}|${d.level}`;
        if (!expected.has(id)) expected.set(id, { regionCode: d.regionCode, level: d.level, declared: 0, certified: 0, active: 0 });
        return expected.get(id)!;
      };
      for (const a of storedApps.filter((d) => within(d as never))) {
        if (a.createdAt.startsWith(String(year))) at(a as never).declared++;
        if (a.status === 'certified' && a.updatedAt.startsWith(String(year))) at(a as never).certified++;
      }
      for (const c of storedCerts.filter((d) => within(d as never))) if (c.status === 'valid' && c.issuedOn <= day && c.validUntil >= day) at(c as never).active++;
      const want = [...expected.values()].sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.level.localeCompare(b.level));
      expect(await reads.countsForYear({ regionPrefix: prefix, levels }, year, day), `${prefix} ${levels} ${year} ${day}`).toEqual(want);
    }
  }, MANY_WRITES_MS);

  it('regression: /reports/counts grouped over every application of the year', async () => {
    const connection = await monitoredConnection('dashcounts');
    const counters = createMongoDashboardCounterStore(connection);
    const applications = countingApplications(createMongoApplicationRepository(connection), counters);
    const certificates = countingCertificates(createMongoCertificateRepository(connection), counters);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    for (let i = 0; i < 30; i++) {
      const createdAt = new Date(Date.parse('2026-02-01T00:00:00Z') + i * 86_400_000).toISOString();
      const app = sampleApplication({ id: `c${i}`, workerId: `cw${i}`, regionCode: i % 2 ? '320102' : '320104', level: 'intermediate', createdAt, updatedAt: createdAt });
      await applications.create(app);
      if (i % 3 === 0) await certificates.issue(sampleCertificateInput({ applicationId: app.id, workerId: app.workerId, regionCode: app.regionCode, level: app.level, issuedOn: '2026-03-01', validUntil: i % 2 ? '2026-09-30' : '2029-02-28' }), 2026, () => `NC${i}`);
    }
    const reads = createMongoConsoleReads(connection, counters);
    const commands: CommandStartedEvent[] = [];
    connection.getClient().on('commandStarted', (e) => commands.push(e));
    const scope = { regionPrefix: '3201', levels: null };
    const yearEnd = await reads.countsForYear(scope, 2026, '2026-12-31');
    const onRecords = () => commands.filter((c) => ['applications', 'certificates', 'annual_records'].includes(String(c.command[c.commandName])));
    expect(onRecords()).toEqual([]);
    expect(yearEnd).toEqual([
      { regionCode: '320102', level: 'intermediate', declared: 15, certified: 0, active: 0 },
      { regionCode: '320104', level: 'intermediate', declared: 15, certified: 0, active: 5 },
    ]);
    // Before the year's end: only the certificates issued after the day or ending before the year's end are read.
    const midYear = await reads.countsForYear(scope, 2026, '2026-06-01');
    expect(midYear.map((r) => r.active)).toEqual([5, 5]);
    expect(onRecords().map((c) => c.commandName)).toEqual(['find', 'find']);
    for (const c of onRecords()) expect(JSON.stringify(c.command.filter)).toMatch(/"(validUntil|issuedOn)":\{"\$gt/);
  });

  it("regression: the dashboard grouped every application in the admin's region on each call", async () => {
    const connection = await monitoredConnection('dashreads');
    const counters = createMongoDashboardCounterStore(connection);
    const applications = countingApplications(createMongoApplicationRepository(connection), counters);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    for (let i = 0; i < 40; i++) {
      const createdAt = new Date(Date.parse('2026-01-05T00:00:00Z') + i * 3_600_000).toISOString();
      await applications.create(sampleApplication({ id: `r${i}`, workerId: `rw${i}`, regionCode: i % 2 ? '320102' : '320104', level: i % 3 ? 'intermediate' : 'junior', createdAt, updatedAt: createdAt }));
    }
    const reads = createMongoConsoleReads(connection, counters);
    const commands: CommandStartedEvent[] = [];
    connection.getClient().on('commandStarted', (e) => commands.push(e));
    const scope = { regionPrefix: '3201', levels: null };
    const byStage = await reads.applicationsBy(scope, 'stage');
    const byRegion = await reads.applicationsBy(scope, 'subRegion');
    const waiting = await reads.waiting({ ...scope, actingLevels: ['intermediate'], exceptStages: [] }, ['2026-01-06T00:00:00.000Z'], 5);
    const trends = await reads.trends(scope, '2025-12');
    await reads.certificatesByStatus(scope);
    await reads.annual(scope, 2026, null);
    expect(byStage).toEqual([{ key: 'declaration', count: 40 }]);
    expect(byRegion.sort((a, b) => a.key.localeCompare(b.key))).toEqual([{ key: '320102', count: 20 }, { key: '320104', count: 20 }]);
    expect(waiting.total).toBe(26);
    expect(waiting.oldest).toHaveLength(5);
    expect(trends.find((t) => t.month === '2026-01')?.declared).toBe(40);
    // No aggregation over the records: only the counters, and the page of oldest waiting applications.
    const onRecords = commands.filter((c) => ['applications', 'certificates', 'annual_records'].includes(String(c.command[c.commandName])));
    expect(onRecords.map((c) => c.commandName)).toEqual(['find']);
    expect(onRecords[0]!.command.limit).toBe(5);
  });
});
