import { chinaDate } from '../../domain/dates/parseDate.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import { scopeOf } from '../admin/scope.ts';
import type { AdminRecord, AuditEntry } from '../ports/certification.ts';
import type { Result } from '../certification/runCommand.ts';
import type { ConsoleDeps } from './deps.ts';
import { namesOf } from './names.ts';

/** 报表: per region and level of the admin's scope, applications declared and certified in `year`, certificates in force. */
export async function countsReport(deps: ConsoleDeps, admin: AdminRecord, year?: number) {
  const today = chinaDate(deps.clock.now());
  const y = year ?? Number(today.slice(0, 4));
  // In force on the last day of the year, or today for the current year.
  const day = y === Number(today.slice(0, 4)) ? today : `${y}-12-31`;
  const names = namesOf(deps.policies, deps.regions);
  const rows = await deps.reads.countsForYear(scopeOf(admin), y, day);
  return { year: y, rows: rows.map((r) => ({ regionCode: r.regionCode, regionName: names.region(r.regionCode), level: r.level, levelName: names.level(r.level), declared: r.declared, certified: r.certified, active: r.active })) };
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

export type AuditItem = AuditEntry & { id: string; adminName: string };

const cursorOf = (e: { at: string; id: string }) => Buffer.from(`${e.at}|${e.id}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || !/^[0-9a-f]{24}$/.test(id) || Number.isNaN(Date.parse(at))) return null;
  return { at: new Date(at), id };
}

/**
 * The audit trail an admin may read: entries of admins whose region is theirs or below (a city admin sees the
 * city's and its counties' admins, not the province's). Newest first, keyset paged.
 */
export async function searchAudit(deps: ConsoleDeps, admin: AdminRecord, q: AuditQuery): Promise<Result<{ items: AuditItem[]; nextCursor?: string }>> {
  const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (before === null) return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
  const prefix = regionPrefix(admin.regionCode);
  const visible = await deps.reads.adminsInRegion(prefix);
  const byId = new Map(visible.map((a) => [a.id, a]));
  if (q.actor !== undefined && !byId.has(q.actor)) {
    return { ok: false, error: { status: 403, code: 'outOfScope', message: `admin ${q.actor} is not an admin of your region ${admin.regionCode} or below` } };
  }
  const rows = await deps.reads.searchAudit({ regionPrefix: prefix, ...(q.actor !== undefined ? { adminId: q.actor } : {}), ...(q.action ? { action: q.action } : {}), ...(q.target ? { target: q.target } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(before ? { before } : {}), limit: q.limit + 1 });
  const page = rows.slice(0, q.limit).map((e) => ({ ...e, adminName: byId.get(e.adminId)?.name ?? e.adminId }));
  return { ok: true, value: { items: page, ...(rows.length > q.limit ? { nextCursor: cursorOf(page.at(-1)!) } : {}) } };
}

/** The export is itself audited (it is a copy of the trail leaving the system), with its filter and row count. */
export async function exportAudit(deps: ConsoleDeps, admin: AdminRecord, q: Omit<AuditQuery, 'cursor' | 'limit'>, max: number): Promise<Result<AuditItem[]>> {
  const items: AuditItem[] = [];
  let cursor: string | undefined;
  do {
    const r = await searchAudit(deps, admin, { ...q, ...(cursor ? { cursor } : {}), limit: Math.min(1000, max - items.length) });
    if (!r.ok) return r;
    items.push(...r.value.items);
    cursor = r.value.nextCursor;
  } while (cursor && items.length < max);
  const filter = { ...q, ...(q.from ? { from: q.from.toISOString() } : {}), ...(q.to ? { to: q.to.toISOString() } : {}) };
  await deps.audit.append({ at: deps.clock.now().toISOString(), adminId: admin.id, action: 'exportAudit', target: 'audit', outcome: 'done', detail: { ...filter, rows: items.length } });
  return { ok: true, value: items };
}

/** Saved review-queue filters, each admin's own. */
export function savedFilters(deps: ConsoleDeps) {
  return {
    list: (admin: AdminRecord) => deps.savedFilters.list(admin.id),
    async create(admin: AdminRecord, input: { name: string; query: Record<string, string> }, id: string) {
      const filter = { id, adminId: admin.id, name: input.name, query: input.query, createdAt: deps.clock.now().toISOString() };
      await deps.savedFilters.create(filter);
      return filter;
    },
    async remove(admin: AdminRecord, id: string): Promise<Result<null>> {
      // Another admin's filter answers 404 like a missing one: its existence is not theirs to learn.
      return (await deps.savedFilters.remove(admin.id, id)) ? { ok: true, value: null } : { ok: false, error: { status: 404, code: 'notFound', message: `you have no saved filter ${id}` } };
    },
  };
}
