import { randomUUID } from 'node:crypto';
import type { CertificateStatus } from '../../domain/certification/types.ts';
import type { AdminRecord } from '../ports/certification.ts';
import { catalog } from './catalog.ts';
import { certificateDetail, recentCertificates, searchCertificates } from './certificates.ts';
import { dashboard } from './dashboard.ts';
import type { ConsoleDeps } from './deps.ts';
import { funnels } from './funnels.ts';
import { recent } from './recent.ts';
import type { Lang } from './names.ts';
import { countsReport, exportAudit, savedFilters, searchAudit, type AuditQuery } from './reports.ts';

/** The console's read API, scoped to the calling admin; the routes in src/http/admin/*Routes.ts call one each. */
export function createConsoleService(deps: ConsoleDeps, opts: { aggregatesTtlMs?: number } = {}) {
  const filters = savedFilters(deps);
  const ttl = opts.aggregatesTtlMs ?? 30_000;
  const dashboards = recent<Awaited<ReturnType<typeof dashboard>>>(ttl);
  const counts = recent<Awaited<ReturnType<typeof countsReport>>>(ttl);
  // Funnels are whole-system (no scope): one result per flow, version, range and language for every admin. A miss
  // writes this instance's pending counts first, so a result is at most the TTL behind the turns, like the
  // dashboard's (each read of a 30-day range sums a few hundred counter documents).
  const funnelResults = recent<Awaited<ReturnType<typeof funnels>>>(ttl);
  // Everything the aggregates depend on about the admin: region, levels (and the tier, which the region gives).
  const scopeKey = (admin: AdminRecord) => `${admin.regionCode}|${admin.levels.join(',')}`;
  return {
    catalog: (admin: AdminRecord) => catalog(deps, admin),
    dashboard: (admin: AdminRecord) => dashboards(scopeKey(admin), () => dashboard(deps, admin)),
    funnels: (q: { flow?: string; version?: number; from: string; to: string; lang: Lang }) => funnelResults(JSON.stringify([q.flow ?? null, q.version ?? null, q.from, q.to, q.lang]), () => funnels(deps, q)),
    countsReport: (admin: AdminRecord, year?: number) => counts(`${scopeKey(admin)}|${year ?? ''}`, () => countsReport(deps, admin, year)),
    searchCertificates: (admin: AdminRecord, q: { q?: string; status?: CertificateStatus; cursor?: string; limit: number }) => searchCertificates(deps, admin, q),
    recentCertificates: (admin: AdminRecord, q: { cursor?: string; limit: number }) => recentCertificates(deps, admin, q),
    certificate: (admin: AdminRecord, number: string) => certificateDetail(deps, admin, number),
    audit: (admin: AdminRecord, q: AuditQuery) => searchAudit(deps, admin, q),
    exportAudit: (admin: AdminRecord, q: Omit<AuditQuery, 'cursor' | 'limit'>) => exportAudit(deps, admin, q, 10_000),
    savedFilters: (admin: AdminRecord) => filters.list(admin),
    saveFilter: (admin: AdminRecord, input: { name: string; query: Record<string, string> }) => filters.create(admin, input, randomUUID().replace(/-/g, '').slice(0, 16)),
    deleteFilter: (admin: AdminRecord, id: string) => filters.remove(admin, id),
  };
}

export type ConsoleService = ReturnType<typeof createConsoleService>;
