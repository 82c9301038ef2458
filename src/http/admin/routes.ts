import Router from '@koa/router';
import { z } from 'zod';
import { REVEALABLE, type AdminService } from '../../app/certification/adminService.ts';
import type { AccountService } from '../../app/admin/accounts.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import { accountRoutes, LOGIN_ROUTE } from './accountRoutes.ts';
import { adminOf, authMiddleware } from './auth.ts';
import { reportCsv, reportXlsx } from './reportFile.ts';
import { fail, parse } from './validate.ts';
import type { ConsoleService } from '../../app/console/consoleService.ts';
import type { PollAdmin } from '../../app/polls/pollAdmin.ts';
import { registerAuditRoutes } from './auditRoutes.ts';
import { registerCertificateRoutes } from './certificateRoutes.ts';
import { registerDashboardRoutes } from './dashboardRoutes.ts';
import { pollRoutes } from './pollRoutes.ts';
import { registerSavedFilterRoutes } from './savedFilterRoutes.ts';
import { addTrainingRoutes, type TrainingRouteDeps } from './trainingRoutes.ts';
import { registerBroadcastRoutes } from './broadcastRoutes.ts';
import type { BroadcastDeps } from '../../app/broadcasts/deps.ts';

/**
 * The admin API (/admin/api): bearer tokens or the console's session (src/http/admin/auth.ts), every body and
 * query checked by zod, one service call per route. Failures map to status codes: 400 bad input, 401 bad token or session, 403 out of scope (another region or level, or an
 * act on a level another tier manages), 404 unknown id, 409 someone else changed it first, 422 a rule of the
 * pipeline refused it. Nothing changes on any of these.
 */
const PREFIX = '/admin/api';
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ or -');
const level = z.string().regex(/^[a-z][A-Za-z0-9]{0,30}$/, 'levels look like intermediate');
const version = z.number({ message: 'expectedVersion must be the version you read (a number)' }).int().min(1);

const listQuery = z.strictObject({
  stage: z.string().regex(/^[a-z][A-Za-z0-9]{0,40}$/).optional(),
  status: z.enum(['open', 'returned', 'rejected', 'withdrawn', 'certified']).optional(),
  level: level.optional(),
  region: z.string().regex(/^\d{2,9}$/, 'region is a region code or prefix, e.g. 3201').optional(),
  name: z.string().trim().min(1, "name is the applicant's full name; leave it out to list everyone").max(40, "name is the applicant's full name (at most 40 characters)").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(/^[A-Za-z0-9_=-]{1,200}$/).optional(),
});

const commandBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('advance'), note: z.string().max(500).optional(), expectedVersion: version }),
  z.strictObject({ action: z.literal('return'), note: z.string({ error: 'a return needs a note the worker will see' }).min(1, 'a return needs a note the worker will see').max(500), expectedVersion: version }),
  z.strictObject({ action: z.literal('reject'), note: z.string({ error: 'a rejection needs a reason the worker will see' }).min(1, 'a rejection needs a reason the worker will see').max(500), expectedVersion: version }),
]);
const scoreBody = z.strictObject({ score: z.number().min(0, 'score must be 0-100').max(100, 'score must be 0-100'), expectedVersion: version });
const satisfactionBody = z.strictObject({
  rate: z.number().min(0, 'rate is a fraction 0-1 (0.85 = 85 %)').max(1, 'rate is a fraction 0-1 (0.85 = 85 %)'),
  expectedVersion: version,
});
const objectionBody = z.strictObject({ text: z.string().min(1).max(1000), expectedVersion: version });
const decisionBody = z.strictObject({ upheld: z.boolean(), note: z.string().max(500).optional(), expectedVersion: version });
const revealBody = z.strictObject({
  fields: z
    .array(z.enum(REVEALABLE, { message: `fields are ${REVEALABLE.join(' and/or ')}` }))
    .min(1, `name the fields to reveal: ${REVEALABLE.join(' and/or ')}`)
    .max(REVEALABLE.length)
    .refine((f) => new Set(f).size === f.length, 'name each field once'),
});
const year = z.number().int().min(2000).max(2100);
const inspectionBody = z.strictObject({ year, passed: z.boolean(), note: z.string().max(500).optional() });
const assessmentBody = z.strictObject({ year, grade: z.enum(['excellent', 'competent', 'basicallyCompetent', 'incompetent']), note: z.string().max(500).optional() });
const grade = z.enum(['excellent', 'competent', 'basicallyCompetent', 'incompetent']);
const correctionReason = z.string().trim().min(1, 'a correction needs a reason (it goes to the audit trail and the record)').max(500);
const yearParam = z.coerce.number({ message: 'the year in the path is a number, e.g. 2025' }).int().min(2000, 'year must be 2000-2100').max(2100, 'year must be 2000-2100');
const inspectionCorrectionBody = z.strictObject({ passed: z.boolean(), reason: correctionReason });
const assessmentCorrectionBody = z.strictObject({ grade, reason: correctionReason });
const reportQuery = z
  .strictObject({
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
    lang: z.enum(['zh-CN', 'en'], { message: 'lang is zh-CN (the default) or en' }).default('zh-CN'),
    /** The console's preview: the first rows of each list, with the whole report's figures. */
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .refine((q) => q.limit === undefined || q.format === 'json', { message: 'limit is for the json preview; a csv or xlsx file holds every row', path: ['limit'] });

export function adminRouter(deps: { accounts: AccountService; service: AdminService; console?: ConsoleService; polls?: PollAdmin; training?: TrainingRouteDeps; broadcasts?: BroadcastDeps; demo?: { moveClock(admin: AdminRecord, ms: number): Promise<{ now: Date }> } }): Router {
  const router = new Router({ prefix: PREFIX });

  router.use(authMiddleware(deps.accounts, PREFIX, (method, path) => method === LOGIN_ROUTE.method && path === LOGIN_ROUTE.path));
  accountRoutes(router, deps.accounts);

  // The console's reads (issue 11), behind the same authentication. Optional only for the README table test,
  // which lists the routes of a router built without them until the README documents them.
  if (deps.console) registerDashboardRoutes(router, deps.console);
  if (deps.console) registerCertificateRoutes(router, deps.console);
  if (deps.console) registerAuditRoutes(router, deps.console);
  if (deps.console) registerSavedFilterRoutes(router, deps.console);

  router.get('/me', (ctx) => {
    ctx.body = deps.accounts.view(adminOf(ctx));
  });

  router.get('/applications', async (ctx) => {
    const q = parse(listQuery, ctx.query);
    const r = await deps.service.listApplications(adminOf(ctx), q);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.get('/applications/:id', async (ctx) => {
    const r = await deps.service.getApplication(adminOf(ctx), parse(id, ctx.params.id));
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  // The picture itself, for the reviewer's screen. Never cached by the browser or a proxy: it is personal data.
  router.get('/applications/:id/evidence/:index', async (ctx) => {
    const index = parse(z.coerce.number({ message: 'the photo index is a number, 0 for the first' }).int().min(0, 'the photo index is 0 or more').max(99), ctx.params.index);
    const r = await deps.service.evidence(adminOf(ctx), parse(id, ctx.params.id), index);
    if (!r.ok) fail(r.error);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Evidence-SHA256', r.value.sha256);
    ctx.type = r.value.contentType;
    ctx.body = r.value.bytes;
  });

  // Plaintext personal numbers: audited by the service, never cached, never logged (the request log masks).
  router.post('/applications/:id/reveal', async (ctx) => {
    const body = parse(revealBody, ctx.request.body);
    const r = await deps.service.reveal(adminOf(ctx), parse(id, ctx.params.id), body.fields);
    if (!r.ok) fail(r.error);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = r.value;
  });

  router.post('/applications/:id/transitions', async (ctx) => {
    const body = parse(commandBody, ctx.request.body);
    const command = body.action === 'advance' ? { type: 'advance' as const, ...(body.note ? { note: body.note } : {}) } : { type: body.action, note: body.note };
    const r = await deps.service.command(adminOf(ctx), parse(id, ctx.params.id), command, body.expectedVersion);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/applications/:id/score', async (ctx) => {
    const body = parse(scoreBody, ctx.request.body);
    const r = await deps.service.command(adminOf(ctx), parse(id, ctx.params.id), { type: 'recordScore', score: body.score }, body.expectedVersion);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/applications/:id/satisfaction', async (ctx) => {
    const body = parse(satisfactionBody, ctx.request.body);
    const r = await deps.service.command(adminOf(ctx), parse(id, ctx.params.id), { type: 'recordSatisfaction', rate: body.rate }, body.expectedVersion);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/applications/:id/objections', async (ctx) => {
    const body = parse(objectionBody, ctx.request.body);
    const r = await deps.service.recordObjection(adminOf(ctx), parse(id, ctx.params.id), body.text, body.expectedVersion);
    if (!r.ok) fail(r.error);
    ctx.status = 201;
    ctx.body = r.value;
  });

  router.post('/applications/:id/objections/:objectionId/decision', async (ctx) => {
    const body = parse(decisionBody, ctx.request.body);
    const command = { type: 'decideObjection' as const, id: parse(id, ctx.params.objectionId), upheld: body.upheld, ...(body.note ? { note: body.note } : {}) };
    const r = await deps.service.command(adminOf(ctx), parse(id, ctx.params.id), command, body.expectedVersion);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/certificates/:number/inspections', async (ctx) => {
    const body = parse(inspectionBody, ctx.request.body);
    const r = await deps.service.recordInspection(adminOf(ctx), parse(id, ctx.params.number), body);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/certificates/:number/assessments', async (ctx) => {
    const body = parse(assessmentBody, ctx.request.body);
    const r = await deps.service.recordAssessment(adminOf(ctx), parse(id, ctx.params.number), body);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/certificates/:number/inspections/:year/correction', async (ctx) => {
    const body = parse(inspectionCorrectionBody, ctx.request.body);
    const r = await deps.service.correctInspection(adminOf(ctx), parse(id, ctx.params.number), parse(yearParam, ctx.params.year), body);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.post('/certificates/:number/assessments/:year/correction', async (ctx) => {
    const body = parse(assessmentCorrectionBody, ctx.request.body);
    const r = await deps.service.correctAssessment(adminOf(ctx), parse(id, ctx.params.number), parse(yearParam, ctx.params.year), body);
    if (!r.ok) fail(r.error);
    ctx.body = r.value;
  });

  router.get('/reports/allowance', async (ctx) => {
    const q = parse(reportQuery, ctx.query);
    const r = await deps.service.allowanceReport(adminOf(ctx), q);
    if (!r.ok) fail(r.error);
    const { sheets, ...report } = r.value;
    // Names are personal data (in full for the paying committee): no cache keeps a copy.
    ctx.set('Cache-Control', 'private, no-store');
    if (q.format === 'json') {
      ctx.body = report;
      return;
    }
    ctx.set('Content-Disposition', `attachment; filename="allowance-${report.year}.${q.format}"`);
    if (q.format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = reportCsv(sheets);
    } else {
      ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      ctx.body = await reportXlsx(sheets);
    }
  });

  if (deps.polls) pollRoutes(router, deps.polls);

  if (deps.training) addTrainingRoutes(router, deps.training);
  if (deps.broadcasts) registerBroadcastRoutes(router, deps.broadcasts);

  // Demo mode (DEMO_MODE) only: move the app's clock forward; every job falling due runs before the answer.
  // Without demo mode the route does not exist (404). Any admin may, at any tier: demo data only.
  if (deps.demo) {
    const demo = deps.demo;
    const demoClockBody = z
      .strictObject({ advanceDays: z.number().positive().max(3660).optional(), advanceHours: z.number().positive().max(87_840).optional() })
      .refine((b) => (b.advanceDays === undefined) !== (b.advanceHours === undefined), 'give one of advanceDays or advanceHours, a positive number');
    router.post('/demo/clock', async (ctx) => {
      const body = parse(demoClockBody, ctx.request.body);
      const ms = Math.round(body.advanceDays !== undefined ? body.advanceDays * 86_400_000 : body.advanceHours! * 3_600_000);
      const { now } = await demo.moveClock(adminOf(ctx), ms);
      ctx.body = { now: now.toISOString() };
    });
  }

  return router;
}
