import type Router from '@koa/router';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { ConsoleService } from '../../app/console/consoleService.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import { fail, parse } from './validate.ts';

const time = z.iso.datetime({ offset: true, message: 'times are ISO 8601, e.g. 2026-03-01T00:00:00+08:00' }).transform((s) => new Date(s));
const auditQuery = z.strictObject({
  actor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'actor is an admin id').optional(),
  action: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/, 'action is an action name, e.g. advance').optional(),
  target: z.string().min(1).max(100).optional(),
  from: time.optional(),
  to: time.optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_=-]{1,200}$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  format: z.enum(['json', 'csv']).default('json'),
});

/** 审计日志: GET /audit — the trail of the caller's region and below, filtered and keyset paged, or as CSV (audited). */
export function registerAuditRoutes(router: Router, console: ConsoleService): void {
  router.get('/audit', async (ctx) => {
    const admin = ctx.state.admin as AdminRecord;
    const { format, cursor, limit, ...filter } = parse(auditQuery, ctx.query);
    if (filter.from && filter.to && filter.from >= filter.to) fail({ status: 400, code: 'invalidRange', message: 'from must be before to' });
    ctx.set('Cache-Control', 'private, no-store');
    if (format === 'json') {
      const r = await console.audit(admin, { ...filter, ...(cursor ? { cursor } : {}), limit });
      if (!r.ok) fail(r.error);
      ctx.body = r.value;
      return;
    }
    const r = await console.exportAudit(admin, filter);
    if (!r.ok) fail(r.error);
    ctx.set('Content-Disposition', 'attachment; filename="audit.csv"');
    ctx.type = 'text/csv; charset=utf-8';
    // A BOM so that Excel reads the Chinese as UTF-8.
    ctx.body = `\uFEFF${stringify(
      r.value.map((e) => [e.at, e.adminId, e.adminName, e.action, e.target, e.outcome, e.detail ? JSON.stringify(e.detail) : '']),
      { header: true, columns: ['at', 'adminId', 'adminName', 'action', 'target', 'outcome', 'detail'] },
    )}`;
  });
}
