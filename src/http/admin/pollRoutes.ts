import type Router from '@koa/router';
import { z } from 'zod';
import type { PollAdmin } from '../../app/polls/pollAdmin.ts';
import { HttpError } from '../errors.ts';
import { codesCsv, codesHtml, PRINT_SCRIPT_CSP } from '../polls/codeSheet.ts';
import type { ServiceError } from '../../app/certification/runCommand.ts';
import { adminOf } from './auth.ts';
import { parse } from './parse.ts';
import { refusalFields } from './validate.ts';

const pollId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'poll ids are letters and digits');
const count = (max: number) => z.number().int().min(0).max(max);
const isoTime = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), 'closesAt is an ISO time, e.g. 2026-06-30T16:00:00Z');
const createBody = z.strictObject({
  subject: z.union([
    z.strictObject({ applicationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
    z.strictObject({ certificateNumber: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), year: z.number().int().min(2000).max(2100) }),
  ], { message: 'subject is {"applicationId": "..."} or {"certificateNumber": "...", "year": 2026}' }),
  groups: z.strictObject({ owner: count(5), member: count(10_000), employee: count(10_000) }).optional(),
  closesAt: isoTime,
  minGroupSize: z.number().int().min(3, 'minGroupSize is at least 3: smaller groups could be told apart').max(50).optional(),
  quorum: z.strictObject({ minShare: z.number().min(0).max(1).optional(), minAnswers: z.number().int().min(1).max(10_000).optional() }).optional(),
});
const listQuery = z.strictObject({
  status: z.enum(['open', 'closed'], { message: 'status is open or closed' }).optional(),
  applicationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'applicationId is letters, digits, _ and -').optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'cursor is not one this API returned').optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const suggestionQuery = z
  .strictObject({
    applicationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    certificateNumber: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    year: z.coerce.number().int().min(2000).max(2100).optional(),
  })
  .refine((q) => (q.applicationId !== undefined) !== (q.certificateNumber !== undefined && q.year !== undefined), { message: 'give applicationId, or certificateNumber and year' });
const codesQuery = z.strictObject({
  format: z.enum(['json', 'csv', 'html'], { message: 'format is json, csv or html' }).default('json'),
  /** The CSV's and the printable sheet's language; without it, the request's Accept-Language (en, else zh-CN). */
  lang: z.enum(['zh-CN', 'en'], { message: 'lang is zh-CN (the default) or en' }).optional(),
  /** format=html: the sheet opens the browser's print dialog once loaded (the console opens it in a tab of its own). */
  print: z.enum(['1'], { message: 'print is 1 (open the print dialog) or left out' }).optional(),
}).refine((q) => q.print === undefined || q.format === 'html', { message: 'print=1 goes with format=html, the printable sheet', path: ['print'] });

type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };
/** A refusal keeps its stable `code` (app/polls/refusals.ts) and `params`: the console words it from them. */
function value<T>(r: Outcome<T>): T {
  if (!r.ok) throw new HttpError(r.error.status, r.error.message, refusalFields(r.error));
  return r.value;
}

/** /admin/api/polls: satisfaction polls (docs/polls.md), behind the admin API's authentication. */
export function pollRoutes(router: Router, polls: PollAdmin): void {
  router.post('/polls', async (ctx) => {
    const body = parse(createBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = value(await polls.create(adminOf(ctx), body as Parameters<PollAdmin['create']>[1]));
  });
  router.get('/polls', async (ctx) => {
    const q = parse(listQuery, ctx.query);
    ctx.body = value(await polls.list(adminOf(ctx), q as Parameters<PollAdmin['list']>[1]));
  });
  // Before /polls/:id, which would take "suggestion" for an id.
  router.get('/polls/suggestion', async (ctx) => {
    const q = parse(suggestionQuery, ctx.query);
    const subject = q.applicationId ? { applicationId: q.applicationId } : { certificateNumber: q.certificateNumber!, year: q.year! };
    ctx.body = value(await polls.suggest(adminOf(ctx), subject));
  });
  router.get('/polls/:id', async (ctx) => {
    ctx.body = value(await polls.get(adminOf(ctx), parse(pollId, ctx.params.id)));
  });
  router.get('/polls/:id/codes', async (ctx) => {
    const id = parse(pollId, ctx.params.id);
    const { format, lang, print } = parse(codesQuery, ctx.query);
    const codes = value(await polls.codes(adminOf(ctx), id, format));
    const language = lang ?? (/^en\b/i.test(ctx.get('accept-language')) ? 'en' : 'zh-CN');
    // The codes open the poll: no cache keeps a copy.
    ctx.set('Cache-Control', 'private, no-store');
    if (format === 'json') ctx.body = { codes };
    else if (format === 'csv') {
      ctx.set('Content-Disposition', `attachment; filename="poll-${id}-codes.csv"`);
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = codesCsv(codes, polls.codesFileWords(language));
    } else {
      ctx.set('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; img-src data:${print ? `; script-src ${PRINT_SCRIPT_CSP}` : ''}`);
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = await codesHtml(id, codes, polls.codeSheetWords(language), { printOnLoad: print === '1' });
    }
  });
  router.post('/polls/:id/close', async (ctx) => {
    ctx.body = value(await polls.close(adminOf(ctx), parse(pollId, ctx.params.id)));
  });
  router.post('/polls/:id/extend', async (ctx) => {
    const body = parse(z.strictObject({ closesAt: isoTime }), ctx.request.body);
    ctx.body = value(await polls.extend(adminOf(ctx), parse(pollId, ctx.params.id), body.closesAt));
  });
  router.get('/polls/:id/results', async (ctx) => {
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = value(await polls.results(adminOf(ctx), parse(pollId, ctx.params.id)));
  });
}
