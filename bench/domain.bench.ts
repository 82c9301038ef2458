/**
 * `npx tsx bench/domain.bench.ts`: throughput of the pure domain rules. Prints, asserts nothing.
 *
 *   1. Eligibility: evaluateEligibility over a realistic mix of workers under both shipped policies (Jiangsu and
 *      Pinghu), one call after another on one core, all levels each call. Target ≥ 100,000 evaluations/s.
 *   2. Admin list: the admin API's application list over 100,000 applications on the embedded database, with
 *      filters and pagination; p50/p95 per query. Target p95 ≤ 100 ms.
 *
 * BENCH_ONLY=eligibility | adminList runs one part (for profiling with --cpu-prof); unset runs everything.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateEligibility } from '../src/domain/eligibility/eligibility.ts';
import type { CommendationLevel, Education, OrgSizeClass, ProfessionalTitle, WorkerFacts } from '../src/domain/eligibility/facts.ts';
import { parsePolicy } from '../src/domain/policy/load.ts';
import type { Policy } from '../src/domain/policy/schema.ts';
import { parse as parseYaml } from 'yaml';
import type { ApplicationFilter, ApplicationRepository, Page } from '../src/app/ports/certification.ts';
import type { Application } from '../src/domain/certification/types.ts';
import { parseRegionFile } from '../src/domain/regions/regions.ts';
import { connectMongo } from '../src/store/mongo/connection.ts';
import { createMongoApplicationRepository } from '../src/store/mongo/applicationRepository.ts';
import { startEmbeddedMongo } from '../src/store/embedded/launcher.ts';
import { sampleApplication } from '../test/support/certificationSamples.ts';
import { fmt, heading, out, pct, row, runBench, status } from './support/report.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const ELIGIBILITY_WARMUP_MS = 1_000;
const ELIGIBILITY_MEASURE_MS = 3_000;
const ELIGIBILITY_PER_POLICY_MS = 1_000;
const ELIGIBILITY_TARGET = 100_000;
const WORKERS = 4_096;
const TODAY = '2026-03-01';

// ---------------------------------------------------------------------------------------------------------------
// Data

function loadPolicy(id: string): Policy {
  const file = `policies/${id}.yaml`;
  return parsePolicy(readFileSync(`${ROOT}${file}`, 'utf8'), file);
}

/** A seeded generator, so every run measures the same workers. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Workers as they come: mostly full members in post, some without a certificate, the certified ones holding the
 * lower levels in order (2,583 初级, 842 中级, 91 高级 in Jiangsu's pilot year), half with a satisfaction figure,
 * organisation size and commendations declared by some. About three in four under Jiangsu (the larger region).
 */
function makeWorkers(jiangsu: Policy, pinghu: Policy, n: number): { policy: Policy; facts: WorkerFacts }[] {
  const rnd = random(20260301);
  const pick = <T>(values: readonly T[], weights: readonly number[]): T => {
    let x = rnd() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < values.length; i++) {
      x -= weights[i]!;
      if (x < 0) return values[i]!;
    }
    return values[values.length - 1]!;
  };
  const date = (from: number, to: number) => `${from + Math.floor(rnd() * (to - from + 1))}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`;
  const workers: { policy: Policy; facts: WorkerFacts }[] = [];
  for (let i = 0; i < n; i++) {
    const policy = rnd() < 0.75 ? jiangsu : pinghu;
    const ids = policy.levels.map((l) => l.id);
    const held = pick([0, 1, 2, 3], [50, 35, 12, 3]);
    const heldLevels = ids.slice(0, Math.min(held, ids.length));
    const examsPassed = ids.slice(0, Math.min(held + (rnd() < 0.3 ? 1 : 0), ids.length));
    workers.push({
      policy,
      facts: {
        birthDate: date(1964, 2000),
        gender: rnd() < 0.55 ? 'male' : 'female',
        membership: rnd() < 0.92 ? 'full' : 'probationary',
        education: pick<Education>(['juniorHigh', 'highSchool', 'college', 'bachelor', 'postgraduate'], [3, 20, 35, 37, 5]),
        professionalTitle: pick<ProfessionalTitle>(['none', 'political', 'socialWork'], [70, 20, 10]),
        workStart: date(2004, 2025),
        stillInPost: rnd() < 0.9,
        examsPassed,
        satisfaction: rnd() < 0.5 ? null : 0.6 + rnd() * 0.4,
        orgSizeClass: pick<OrgSizeClass | null>([null, 'belowDesignatedSize', 'aboveDesignatedSize'], [50, 30, 20]),
        commendationLevel: pick<CommendationLevel | null>([null, 'none', 'county', 'city', 'province'], [50, 25, 12, 10, 3]),
        heldLevels,
      },
    });
  }
  return workers;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Eligibility

/** Evaluations per second over `workers` for about `ms`, checking the clock every 1,024 calls. */
function measure(workers: { policy: Policy; facts: WorkerFacts }[], ms: number): { perSecond: number; calls: number; sink: number } {
  let calls = 0;
  let sink = 0; // eligible levels seen, so the work cannot be optimised away
  let i = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let k = 0; k < 1024; k++) {
      const w = workers[i]!;
      const levels = evaluateEligibility(w.policy, w.facts, TODAY);
      for (let l = 0; l < levels.length; l++) if (levels[l]!.eligible) sink++;
      i = i + 1 === workers.length ? 0 : i + 1;
    }
    calls += 1024;
    elapsed = performance.now() - t0;
  }
  return { perSecond: (calls * 1000) / elapsed, calls, sink };
}

function benchEligibility(): void {
  heading(`1. Eligibility: evaluateEligibility, all levels per call, one core (${fmt(WORKERS)} workers, both policies)`);
  const jiangsu = loadPolicy('jiangsu');
  const pinghu = loadPolicy('pinghu');
  const workers = makeWorkers(jiangsu, pinghu, WORKERS);

  measure(workers, ELIGIBILITY_WARMUP_MS);
  const mixed = measure(workers, ELIGIBILITY_MEASURE_MS);
  const jiangsuOnly = measure(
    workers.filter((w) => w.policy === jiangsu),
    ELIGIBILITY_PER_POLICY_MS,
  );
  const pinghuOnly = measure(
    workers.filter((w) => w.policy === pinghu),
    ELIGIBILITY_PER_POLICY_MS,
  );

  const eligibleShare = mixed.sink / mixed.calls;
  row('evaluations/s, mixed (3 s)', fmt(mixed.perSecond), `${fmt(mixed.calls)} calls, ${fmt(eligibleShare, 2)} eligible levels per worker`);
  row('evaluations/s, Jiangsu only (4 levels)', fmt(jiangsuOnly.perSecond));
  row('evaluations/s, Pinghu only (3 levels)', fmt(pinghuOnly.perSecond));
  row('time per evaluation', `${fmt(1e6 / mixed.perSecond, 2)} µs`);
  out(`  target ≥ ${fmt(ELIGIBILITY_TARGET)}/s: ${mixed.perSecond >= ELIGIBILITY_TARGET ? 'PASS' : 'BELOW'}`);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Admin list
//
// 100,000 applications spread over Jiangsu's counties and Pinghu, every stage, status and level, inserted into a
// fresh embedded (memory) server; then the admin list as admins use it: a county, a city or the province, with
// a stage, status or level filter, first pages and pages deep into the list. Target p95 ≤ 100 ms.

const LIST_APPLICATIONS = 100_000;
const regionsFile = (() => {
  const parsed = parseRegionFile(parseYaml(readFileSync(`${ROOT}policies/regions.yaml`, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.issues.join('; '));
  return parsed.value;
})();
const LIST_TARGET_P95_MS = 100;

async function benchAdminList(): Promise<void> {
  heading(`2. Admin application list — ${fmt(LIST_APPLICATIONS)} applications, embedded database (memory backend)`);
  const mongo = await startEmbeddedMongo({ backend: 'memory' });
  const connection = await connectMongo(`${mongo.uri}bench_admin_list`);
  try {
    const repo = createMongoApplicationRepository(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const counties = regionsFile.regions.flatMap((p) => (p.children ?? []).flatMap((c) => (c.children ?? []).map((x) => x.code))).filter((c) => c.length === 6);
    const jiangsuStages = ['declaration', 'qualificationReview', 'trainingTest', 'comprehensiveReview', 'publicNotice'];
    const levels = ['junior', 'intermediate', 'senior', 'special'];
    const statuses = ['open', 'open', 'open', 'returned', 'rejected', 'withdrawn', 'certified'] as const;
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    status(`inserting ${fmt(LIST_APPLICATIONS)} applications`);
    const insertStart = performance.now();
    const IN_FLIGHT = 32;
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < LIST_APPLICATIONS; i = next++) {
          await repo.create(
            sampleApplication({
              id: `a${String(i).padStart(7, '0')}`,
              workerId: `w${i}`,
              userId: `u${i}`,
              regionCode: counties[i % counties.length]!,
              level: levels[i % 4]!,
              declared: {},
              stage: jiangsuStages[(i >> 2) % 5]!,
              status: statuses[i % 7]!,
              createdAt: new Date(t0 + i * 300_000).toISOString(),
            }),
          );
        }
      }),
    );
    row('inserted', `${fmt((performance.now() - insertStart) / 1000, 1)} s`, `${fmt(LIST_APPLICATIONS / ((performance.now() - insertStart) / 1000))} inserts/s, ${IN_FLIGHT} in flight`);

    const city = counties[0]!.slice(0, 4);
    const county = counties[1]!;
    const queries: { name: string; filter: ApplicationFilter; pages: number }[] = [
      { name: `city ${city}, first page`, filter: { regionPrefix: city }, pages: 1 },
      { name: `city ${city}, stage qualificationReview`, filter: { regionPrefix: city, stage: 'qualificationReview' }, pages: 1 },
      { name: `city ${city}, status open, 10 pages deep`, filter: { regionPrefix: city, status: 'open' }, pages: 10 },
      { name: 'province 32, level intermediate', filter: { regionPrefix: '32', level: 'intermediate' }, pages: 1 },
      { name: 'province 32, levels junior+intermediate, 5 pages', filter: { regionPrefix: '32', levels: ['junior', 'intermediate'] }, pages: 5 },
      { name: `county ${county}, stage trainingTest`, filter: { regionPrefix: county, stage: 'trainingTest' }, pages: 1 },
    ];
    status('warming up the list queries');
    for (const q of queries) for (let i = 0; i < 5; i++) await walk(repo, q.filter, q.pages);
    const all: number[] = [];
    for (const q of queries) {
      const times: number[] = [];
      for (let i = 0; i < 40; i++) times.push(...(await walk(repo, q.filter, q.pages)));
      all.push(...times);
      row(q.name, `p50 ${fmt(pct(times, 50), 1)} ms`, `p95 ${fmt(pct(times, 95), 1)} ms (${times.length} pages of 20)`);
    }
    row('all list requests', `p50 ${fmt(pct(all, 50), 1)} ms`, `p95 ${fmt(pct(all, 95), 1)} ms over ${fmt(all.length)} pages`);
    row(`target p95 ≤ ${LIST_TARGET_P95_MS} ms`, pct(all, 95) <= LIST_TARGET_P95_MS ? 'PASS' : 'BELOW');
    // Not an admin list, but the same collection: "进度" in chat reads a worker's own applications on every ask.
    const byWorker: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await repo.listByWorker(`w${(i * 7_919) % LIST_APPLICATIONS}`);
      byWorker.push(performance.now() - t);
    }
    row("one worker's applications (listByWorker)", `p50 ${fmt(pct(byWorker, 50), 1)} ms`, `p95 ${fmt(pct(byWorker, 95), 1)} ms over ${byWorker.length} workers`);
  } finally {
    await connection.close();
    await mongo.stop();
  }
}

/** Page through a filter; returns the time of each page in ms. */
async function walk(repo: ApplicationRepository, filter: ApplicationFilter, pages: number): Promise<number[]> {
  const times: number[] = [];
  let cursor: string | null = null;
  for (let p = 0; p < pages; p++) {
    const t = performance.now();
    const page: Page<Application> = await repo.list(filter, { limit: 20, cursor });
    times.push(performance.now() - t);
    cursor = page.next;
    if (!cursor) break;
  }
  return times;
}

// ---------------------------------------------------------------------------------------------------------------

/** BENCH_ONLY=eligibility | adminList runs one part; unset runs everything. */
const ONLY = process.env.BENCH_ONLY;

async function main(): Promise<void> {
  await runBench('bench:domain', async () => {
    if (!ONLY || ONLY === 'eligibility') benchEligibility();
    if (!ONLY || ONLY === 'adminList') await benchAdminList();
  });
}

await main();
