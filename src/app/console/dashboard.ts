import { mayAct } from '../../domain/certification/tier.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import { scopeOf } from '../admin/scope.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { ConsoleDeps } from './deps.ts';
import { namesOf } from './names.ts';

const DAY = 86_400_000;
/** Whole days in stage: 0-3, 4-7, 8-14, 15-30, more. */
const AGE_BUCKETS = [
  { bucket: '0-3d', under: 4 },
  { bucket: '4-7d', under: 8 },
  { bucket: '8-14d', under: 15 },
  { bucket: '15-30d', under: 31 },
] as const;
const OLDEST = 10;
const TREND_MONTHS = 12;

/** Levels (of any loaded policy) the admin's tier acts on, within the admin's own levels. */
export function actingLevels(deps: ConsoleDeps, admin: AdminRecord): string[] {
  const out = new Set<string>();
  for (const p of deps.policies.all()) {
    for (const l of p.levels) {
      if (admin.levels.length && !admin.levels.includes(l.id)) continue;
      if (mayAct(l, admin.regionCode, admin.regionCode).ok) out.add(l.id);
    }
  }
  return [...out];
}

function monthsBack(day: string, n: number): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - (n - 1);
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The 工作台: what is in the admin's region and levels, what waits for them and since when, certificates, 年检, trends. */
export async function dashboard(deps: ConsoleDeps, admin: AdminRecord) {
  const scope = scopeOf(admin);
  const names = namesOf(deps.policies, deps.regions);
  const now = deps.clock.now();
  const today = chinaDate(now);
  const year = Number(today.slice(0, 4));
  const noticeStages = [...new Set(deps.policies.all().flatMap((p) => p.pipeline.stages.filter((s) => s.kind === 'publicNotice').map((s) => s.id)))];
  const starts = AGE_BUCKETS.map((b) => new Date(now.getTime() - b.under * DAY + 1).toISOString());

  const [byStage, byLevel, byRegion, waiting, certs, annual, trends] = await Promise.all([
    deps.reads.applicationsBy(scope, 'stage'),
    deps.reads.applicationsBy(scope, 'level'),
    deps.reads.applicationsBy(scope, 'subRegion'),
    deps.reads.waiting({ ...scope, actingLevels: actingLevels(deps, admin), exceptStages: noticeStages }, starts, OLDEST),
    deps.reads.certificatesByStatus(scope),
    deps.reads.annual(scope, year, null),
    deps.reads.trends(scope, monthsBack(today, TREND_MONTHS)),
  ]);
  const holders = await deps.reads.workerNames(waiting.oldest.map((a) => a.workerId));

  return {
    scope: { regionCode: admin.regionCode, regionName: names.region(admin.regionCode) },
    applications: {
      byStage: byStage.map((c) => ({ stage: c.key, name: names.stage(c.key), count: c.count })).sort((a, b) => b.count - a.count),
      byLevel: byLevel.map((c) => ({ level: c.key, name: names.level(c.key), count: c.count })).sort((a, b) => b.count - a.count),
      byRegion: byRegion.map((c) => ({ regionCode: c.key, name: names.region(c.key), count: c.count })).sort((a, b) => a.regionCode.localeCompare(b.regionCode)),
    },
    waiting: {
      total: waiting.total,
      byAge: [...AGE_BUCKETS.map((b) => b.bucket), '>30d'].map((bucket, i) => ({ bucket, count: waiting.counts[i] ?? 0 })),
      oldest: waiting.oldest.map((a) => {
        const name = holders.get(a.workerId);
        return {
          applicationId: a.id,
          applicantName: name === undefined ? '—' : maskName(name),
          level: a.level,
          stage: a.stage,
          stageName: names.stage(a.stage),
          since: a.since,
          days: Math.max(0, Math.floor((now.getTime() - Date.parse(a.since)) / DAY)),
        };
      }),
    },
    certificates: { byStatus: certs.map((c) => ({ status: c.key, count: c.count })) },
    annual: { year, inspectionsDue: annual.due, inspectionsDone: annual.inspectionsDone, assessmentsDue: annual.due, assessmentsDone: annual.assessmentsDone },
    trends,
  };
}
