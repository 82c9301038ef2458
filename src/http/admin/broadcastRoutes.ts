import type Router from '@koa/router';
import { z } from 'zod';
import type { Result } from '../../app/certification/runCommand.ts';
import { createBroadcast, editBroadcast, scopedBroadcast } from '../../app/broadcasts/compose.ts';
import { controlBroadcast, decideUnknown, recipients } from '../../app/broadcasts/control.ts';
import type { BroadcastDeps } from '../../app/broadcasts/deps.ts';
import { dryRun } from '../../app/broadcasts/dryRun.ts';
import { approveBroadcast, sendBroadcast } from '../../app/broadcasts/sendBroadcast.ts';
import { bindTestTarget, testSend } from '../../app/broadcasts/testSend.ts';
import { broadcastView } from '../../app/broadcasts/view.ts';
import { BROADCAST_STATUSES } from '../../domain/broadcasts/broadcast.ts';
import { DELIVERY_STATUSES } from '../../domain/broadcasts/delivery.ts';
import { BROADCAST_CHANNELS, segmentSchema } from '../../domain/broadcasts/segment.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import { adminOf } from './auth.ts';
import { fail, parse } from './validate.ts';

/** Broadcasts under /admin/api (docs/broadcasts.md): bodies and queries checked by zod, one use case per route. */
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ or -');
const instant = z.iso.datetime({ offset: true, message: 'times are ISO 8601 with a zone, e.g. 2026-04-01T09:00:00+08:00' }).transform((s) => new Date(s));
const noticeText = z.string().trim().min(1, 'the notice needs a text').max(2000, 'a notice is at most 2000 characters');
const fields = {
  text: z.strictObject({ 'zh-CN': noticeText, en: noticeText.optional() }, { message: 'text is {"zh-CN": "…", "en"?: "…"}' }),
  segment: segmentSchema,
  sessionId: id.nullable().optional(),
  sendAt: instant.nullable().optional(),
  expiresAt: instant.nullable().optional(),
  urgent: z.boolean().optional(),
  inFlight: z.enum(['resend', 'hold'], { message: 'inFlight is resend or hold' }).optional(),
};
const createBody = z.strictObject(fields);
const editBody = z.strictObject({ ...fields, text: fields.text.optional(), segment: segmentSchema.optional() }).refine((b) => Object.keys(b).length > 0, 'name at least one field to change');
const limit = z.coerce.number().int().min(1, 'limit is 1-100').max(100, 'limit is 1-100').default(20);
const listQuery = z.strictObject({ status: z.enum(BROADCAST_STATUSES).optional(), cursor: id.optional(), limit });
const recipientsQuery = z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), cursor: z.coerce.number().int().min(0).optional(), limit });
const unknownBody = z.strictObject({ action: z.enum(['resend', 'drop'], { message: 'action is resend or drop' }) });
const targetBody = z.strictObject({ channel: z.enum(BROADCAST_CHANNELS), userId: z.string().regex(/^[A-Za-z0-9_:.@-]{1,128}$/, 'userId is the chat id on that channel') });

function value<T>(r: Result<T>): T {
  if (!r.ok) fail(r.error);
  return r.value;
}

export function registerBroadcastRoutes(router: Router, deps: BroadcastDeps): void {
  router.get('/broadcasts/settings', (ctx) => {
    ctx.body = { approvalThreshold: deps.settings.approvalThreshold };
  });

  router.put('/broadcasts/test-target', async (ctx) => {
    ctx.body = value(await bindTestTarget(deps, adminOf(ctx), parse(targetBody, ctx.request.body)));
  });

  router.post('/broadcasts', async (ctx) => {
    const body = parse(createBody, ctx.request.body);
    ctx.body = value(await createBroadcast(deps, adminOf(ctx), body));
    ctx.status = 201;
  });

  router.get('/broadcasts', async (ctx) => {
    const q = parse(listQuery, ctx.query);
    const page = await deps.broadcasts.list(regionPrefix(adminOf(ctx).regionCode), q.status ? { status: q.status } : {}, q.cursor, q.limit);
    ctx.body = { items: page.items.map(broadcastView), nextCursor: page.nextCursor };
  });

  router.get('/broadcasts/:id', async (ctx) => {
    ctx.body = broadcastView(value(await scopedBroadcast(deps, adminOf(ctx), parse(id, ctx.params.id))));
  });

  router.patch('/broadcasts/:id', async (ctx) => {
    const body = parse(editBody, ctx.request.body);
    ctx.body = value(await editBroadcast(deps, adminOf(ctx), parse(id, ctx.params.id), body));
  });

  router.post('/broadcasts/:id/dry-run', async (ctx) => {
    ctx.body = value(await dryRun(deps, adminOf(ctx), parse(id, ctx.params.id)));
  });

  router.post('/broadcasts/:id/test-send', async (ctx) => {
    ctx.body = value(await testSend(deps, adminOf(ctx), parse(id, ctx.params.id)));
  });

  router.post('/broadcasts/:id/send', async (ctx) => {
    ctx.body = value(await sendBroadcast(deps, adminOf(ctx), parse(id, ctx.params.id)));
  });

  router.post('/broadcasts/:id/approve', async (ctx) => {
    ctx.body = value(await approveBroadcast(deps, adminOf(ctx), parse(id, ctx.params.id)));
  });

  for (const move of ['pause', 'resume', 'cancel'] as const) {
    router.post(`/broadcasts/:id/${move}`, async (ctx) => {
      ctx.body = value(await controlBroadcast(deps, adminOf(ctx), parse(id, ctx.params.id), move));
    });
  }

  router.post('/broadcasts/:id/unknown', async (ctx) => {
    const body = parse(unknownBody, ctx.request.body);
    ctx.body = value(await decideUnknown(deps, adminOf(ctx), parse(id, ctx.params.id), body.action));
  });

  router.get('/broadcasts/:id/recipients', async (ctx) => {
    const q = parse(recipientsQuery, ctx.query);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.body = value(await recipients(deps, adminOf(ctx), parse(id, ctx.params.id), q.status ? { status: q.status } : {}, q.cursor, q.limit));
  });
}
