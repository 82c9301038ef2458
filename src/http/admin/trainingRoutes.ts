import type Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { ServiceError } from '../../app/certification/runCommand.ts';
import type { AdminRecord } from '../../app/ports/certification.ts';
import type { SummaryRow } from '../../app/ports/reminders.ts';
import type { TrainingAdmin } from '../../app/training/adminTraining.ts';
import type { ReminderSettingsAdmin } from '../../app/reminders/adminSettings.ts';
import type { RotationList } from '../../app/reminders/rotationList.ts';
import { reminderPolicySchema } from '../../domain/policy/trainingSchema.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import { ROLES } from '../../domain/worker/profile.ts';
import { HttpError } from '../errors.ts';
import { parse } from './parse.ts';
import { refusalFields } from './validate.ts';

/**
 * Training sessions and the reminders summary under /admin/api (the bearer check of routes.ts runs first).
 * Bodies and params checked by zod; refusals map to status codes like the rest of the admin API.
 */
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 letters, digits, _ or -');
const instant = z.iso.datetime({ offset: true, message: 'times are ISO 8601 with a zone, e.g. 2026-04-01T09:00:00+08:00' }).transform((s) => new Date(s));
const level = z.string().regex(/^[a-z][A-Za-z0-9]{0,30}$/, 'levels look like intermediate');
// Whether the stage is one of the session region's pipeline is the use case's check (it knows the policies).
const stage = z.string().regex(/^[a-z][A-Za-z0-9]{0,40}$/, 'stages are application stage ids, e.g. trainingTest');
const stages = z.array(stage).max(10, 'at most 10 stages');

const sessionFields = {
  title: z.string().trim().min(1, 'a session needs a title').max(200),
  kind: z.enum(['certification', 'continuing'], { message: 'kind is certification or continuing' }),
  levels: z.array(level).max(10).default([]),
  roles: z.array(z.enum(ROLES, { message: `roles are ${ROLES.join(', ')}` })).max(ROLES.length).default([]),
  stages: stages.default([]),
  regionCode: z.string().regex(/^\d{6}(\d{3})?$/, 'regionCode is a 6- or 9-digit region code'),
  startsAt: instant,
  endsAt: instant,
  hours: z.number().min(0.5, 'hours (学时) are 0.5-100').max(100, 'hours (学时) are 0.5-100'),
  capacity: z.number().int().min(1, 'capacity is 1-10000 seats').max(10_000, 'capacity is 1-10000 seats'),
  enrolBy: instant,
  place: z.string().trim().min(1, 'a session needs a place or an online link').max(300),
};
// Enrolment closes at the start unless the admin says otherwise (the console's 报名截止 says 不填则为开始时间).
const createBody = z.strictObject({ ...sessionFields, enrolBy: instant.optional() }).transform((b) => ({ ...b, enrolBy: b.enrolBy ?? b.startsAt }));
const editBody = z
  .strictObject({
    title: sessionFields.title.optional(),
    levels: z.array(level).max(10).optional(),
    roles: z.array(z.enum(ROLES, { message: `roles are ${ROLES.join(', ')}` })).max(ROLES.length).optional(),
    stages: stages.optional(),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    hours: sessionFields.hours.optional(),
    capacity: sessionFields.capacity.optional(),
    enrolBy: instant.optional(),
    place: sessionFields.place.optional(),
    expectedVersion: z.number().int().min(1).optional(),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'expectedVersion'), 'name at least one field to change');
const attendanceBody = z.strictObject({ workerId: id });
const resultBody = z.strictObject({ workerId: id, score: z.number().min(0, 'score must be 0-100').max(100, 'score must be 0-100') });
const listQuery = z.strictObject({
  from: instant.optional(),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'cursor is not one this API returned').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
const regionParam = z.string().regex(/^\d{2,9}$/, 'region is a region code or prefix, e.g. 3201');
const summaryQuery = z
  .strictObject({ region: regionParam.optional(), from: instant.optional(), to: instant.optional() })
  .refine((q) => !q.from || !q.to || q.from.getTime() < q.to.getTime(), 'from must be before to');
const rotationQuery = z.strictObject({
  days: z.coerce.number().int().min(0).max(366).default(90),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'cursor is not one this API returned').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const settingsQuery = z.strictObject({ region: z.string().regex(/^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$/, 'region is a region code prefix of 2, 4, 6 or 9 digits, e.g. 3201').optional() });


type R<T> = { ok: true; value: T } | { ok: false; error: ServiceError };
function value<T>(r: R<T>): T {
  if (!r.ok) throw new HttpError(r.error.status, r.error.message, refusalFields(r.error));
  return r.value;
}

export interface TrainingRouteDeps {
  training: TrainingAdmin;
  reminderSummary(regionPrefix: string, range?: { from?: Date; to?: Date }): Promise<SummaryRow[]>;
  reminderSettings: ReminderSettingsAdmin;
  /** Workers of the admin's region near five years in post: the admin's side of the rotation reminder. */
  rotation: RotationList;
}

export function addTrainingRoutes(router: Router, deps: TrainingRouteDeps): void {
  const adminOf = (ctx: Context) => ctx.state.admin as AdminRecord;

  router.post('/training/sessions', async (ctx) => {
    const body = parse(createBody, ctx.request.body);
    ctx.body = value(await deps.training.create(adminOf(ctx), body));
    ctx.status = 201;
  });

  router.get('/training/sessions', async (ctx) => {
    const q = parse(listQuery, ctx.query);
    ctx.body = value(await deps.training.list(adminOf(ctx), { ...(q.from ? { from: q.from } : {}), ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit }));
  });

  router.get('/training/sessions/:id/enrolments', async (ctx) => {
    ctx.body = value(await deps.training.enrolments(adminOf(ctx), parse(id, ctx.params.id)));
  });

  router.get('/training/sessions/:id', async (ctx) => {
    ctx.body = value(await deps.training.get(adminOf(ctx), parse(id, ctx.params.id)));
  });

  router.patch('/training/sessions/:id', async (ctx) => {
    const { expectedVersion, ...changes } = parse(editBody, ctx.request.body);
    ctx.body = value(await deps.training.edit(adminOf(ctx), parse(id, ctx.params.id), changes, expectedVersion));
  });

  router.post('/training/sessions/:id/cancel', async (ctx) => {
    ctx.body = value(await deps.training.cancel(adminOf(ctx), parse(id, ctx.params.id)));
  });

  // The venue's screen polls this; a code is good for its 30-second window (and the one after, while typed).
  router.get('/training/sessions/:id/checkin-code', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const code = value(await deps.training.checkinCode(adminOf(ctx), parse(id, ctx.params.id)));
    // The QR code holds the chat message itself, so scanning it puts "签到 123456" in front of the worker.
    ctx.body = { ...code, qrSvg: await QRCode.toString(`签到 ${code.code}`, { type: 'svg', margin: 1 }) };
  });

  router.post('/training/sessions/:id/attendance', async (ctx) => {
    const body = parse(attendanceBody, ctx.request.body);
    ctx.body = value(await deps.training.markAttendance(adminOf(ctx), parse(id, ctx.params.id), body.workerId));
  });

  router.post('/training/sessions/:id/results', async (ctx) => {
    const body = parse(resultBody, ctx.request.body);
    ctx.body = value(await deps.training.recordResult(adminOf(ctx), parse(id, ctx.params.id), body.workerId, body.score));
  });

  // Scheduled, sent and skipped reminders per kind and reason, in the admin's region (or a part of it).
  router.get('/reminders/rotation', async (ctx) => {
    const q = parse(rotationQuery, ctx.query);
    ctx.body = value(await deps.rotation(adminOf(ctx), { days: q.days, ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit }));
  });

  router.get('/reminders/summary', async (ctx) => {
    const q = parse(summaryQuery, ctx.query);
    const own = regionPrefix(adminOf(ctx).regionCode);
    const prefix = q.region ?? own;
    if (!prefix.startsWith(own)) throw new HttpError(403, `region ${prefix} is outside your region ${adminOf(ctx).regionCode}`);
    const rows = await deps.reminderSummary(prefix, { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) });
    ctx.body = { region: prefix, ...(q.from ? { from: q.from.toISOString() } : {}), ...(q.to ? { to: q.to.toISOString() } : {}), rows };
  });

  // The region's reminder settings: on/off and offsets per kind, quiet hours, daily cap (the policy's by default).
  router.get('/reminders/settings', async (ctx) => {
    const q = parse(settingsQuery, ctx.query);
    ctx.body = value(await deps.reminderSettings.get(adminOf(ctx), q.region));
  });
  router.put('/reminders/settings', async (ctx) => {
    const q = parse(settingsQuery, ctx.query);
    const body = parse(reminderPolicySchema, ctx.request.body);
    ctx.body = value(await deps.reminderSettings.put(adminOf(ctx), q.region, body));
  });
}
