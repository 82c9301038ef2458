import type Router from '@koa/router';
import { z } from 'zod';
import type { ConsoleService } from '../../app/console/consoleService.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import { fail, parse } from './validate.ts';

const day = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'days are YYYY-MM-DD (China time)');
const funnelQuery = z.strictObject({
  flow: z.string().regex(/^[a-z][A-Za-z0-9_-]{0,40}$/, 'flow is a flow id, e.g. registration').optional(),
  version: z.coerce.number().int().min(1).optional(),
  from: day,
  to: day,
  lang: z.enum(['zh-CN', 'en'], { message: 'lang is zh-CN (the default) or en' }).default('zh-CN'),
});
const countsQuery = z.strictObject({ year: z.coerce.number({ message: 'year is a number, e.g. 2026' }).int().min(2000, 'year must be 2000-2100').max(2100, 'year must be 2000-2100').optional() });

/** 工作台 and 报表 reads: GET /dashboard, /funnels, /reports/counts; and the filters' pickers, GET /catalog. */
export function registerDashboardRoutes(router: Router, console: ConsoleService): void {
  const adminOf = (ctx: { state: { admin?: unknown } }) => ctx.state.admin as AdminRecord;

  router.get('/catalog', (ctx) => {
    ctx.body = console.catalog(adminOf(ctx));
  });

  router.get('/dashboard', async (ctx) => {
    ctx.body = await console.dashboard(adminOf(ctx));
  });

  router.get('/funnels', async (ctx) => {
    const r = await console.funnels(parse(funnelQuery, ctx.query));
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.get('/reports/counts', async (ctx) => {
    const q = parse(countsQuery, ctx.query);
    ctx.body = await console.countsReport(adminOf(ctx), q.year);
  });
}
