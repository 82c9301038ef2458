import { z } from 'zod';
import { checkinOpen, enrolRefusal, waitingList, type EnrolmentCandidate } from '../../domain/training/enrolment.ts';
import { isOnlinePlace } from '../../domain/training/online.ts';
import type { Enrolment } from '../../domain/training/types.ts';
import { hoursRequired, hoursStanding } from '../../domain/training/hours.ts';
import { trainingSettings } from '../../domain/policy/trainingSchema.ts';
import { REMINDER_KINDS } from '../../domain/policy/trainingSchema.ts';
import type { MuteKind } from '../../domain/reminders/reminder.ts';
import { chinaDate, parseDate } from '../../domain/dates/parseDate.ts';
import type { AnswerValue } from '../../engine/types.ts';
import type { ActionHandler } from '../actions/types.ts';
import { offerNext } from './adminTraining.ts';
import { creditAttendance } from './attendance.ts';
import { checkinCodeValid } from './checkinCode.ts';
import { enrolmentChanged, type TrainingDeps } from './deps.ts';
import { cancelSessionReminders, chinaTime, scheduleSessionReminders } from './sessionReminders.ts';

type Locale = 'zh-CN' | 'en';
const loc = (l: string): Locale => (l === 'en' ? 'en' : 'zh-CN');

/** What enrolment reads of a worker: region, role, the levels they hold or applied for, and where those applications stand. */
async function candidateOf(deps: TrainingDeps, worker: { id: string; regionCode: string; role: EnrolmentCandidate['role'] }): Promise<EnrolmentCandidate> {
  const apps = (await deps.applications.listByWorker(worker.id)).filter((a) => a.status === 'open' || a.status === 'returned');
  const certs = (await deps.certificates.listByWorker(worker.id)).map((c) => c.level);
  return {
    regionCode: worker.regionCode,
    role: worker.role,
    levels: [...new Set([...apps.map((a) => a.level), ...certs])],
    applications: apps.map((a) => ({ level: a.level, stage: a.stage })),
  };
}

/** The stages a session asks for, by their names in the worker's region's policy (ids where it has none). */
function stageNames(deps: TrainingDeps, regionCode: string, stages: readonly string[], locale: Locale): string {
  const pipeline = deps.policies.forRegion(regionCode)?.pipeline.stages ?? [];
  return stages.map((id) => pipeline.find((s) => s.id === id)?.name[locale] ?? id).join(locale === 'en' ? ', ' : '、');
}

/**
 * How the worker stands in a session, in words: enrolled, their place on the waiting list, or the seat held for
 * them and until when. Null when they have no live enrolment. Without it the list showed a full session's "余 0 席"
 * to the very worker a seat was being held for.
 */
export async function whereTheyStand(deps: TrainingDeps, e: Enrolment | undefined, now: Date, t: (k: string, p?: Record<string, unknown>) => string, prefix: 'mark' | 'states'): Promise<string | null> {
  if (!e) return null;
  if (e.state === 'enrolled') return t(`training:${prefix}.enrolled`);
  if (e.state === 'offered' && e.offeredUntil && e.offeredUntil.getTime() > now.getTime()) return t(`training:${prefix}.offeredUntil`, { until: chinaTime(e.offeredUntil) });
  if (e.state === 'waiting') {
    const position = waitingList(await deps.training.enrolmentsOfSession(e.sessionId)).findIndex((w) => w.workerId === e.workerId) + 1;
    return t(`training:${prefix}.waitingAt`, { position });
  }
  return null;
}

/** `training.list` (培训): the sessions this worker may enrol in now, as choice options, each saying where they stand in it. */
export function listSessions(deps: TrainingDeps): ActionHandler {
  return async (_args, ctx): Promise<AnswerValue> => {
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(loc(ctx.locale), k, p);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false, count: 0 };
    const candidate = await candidateOf(deps, worker);
    const open = (await deps.training.listUpcoming(ctx.now)).filter((s) => enrolRefusal(s, candidate, ctx.now) === null);
    const mine = new Map((await deps.training.enrolmentsOfWorker(worker.id)).map((e) => [e.sessionId, e]));
    const options = [];
    for (const s of open.slice(0, 9)) {
      const counts = await deps.training.counts(s.id);
      const left = Math.max(0, s.capacity - counts.enrolled - counts.offered);
      const label = t('training:option', { title: s.title, startsAt: chinaTime(s.startsAt), place: s.place, hours: s.hours, left });
      const mark = await whereTheyStand(deps, mine.get(s.id), ctx.now, t, 'mark');
      options.push({ value: s.id, name: s.title, label: mark ? `${label}${mark}` : label });
    }
    return { registered: true, count: options.length, options };
  };
}

const sessionArg = z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

/** `training.enrol`: a seat, a place on the waiting list, or an offered seat taken up. */
export function enrol(deps: TrainingDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(loc(ctx.locale), k, p);
    const parsed = sessionArg.safeParse(args);
    if (!parsed.success) return { status: 'invalid', text: t('training:enrol.unknown') };
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered', text: t('training:needsRegistration') };
    const session = await deps.training.get(parsed.data.sessionId);
    if (!session) return { status: 'invalid', text: t('training:enrol.unknown') };
    const refusal = enrolRefusal(session, await candidateOf(deps, worker), ctx.now);
    if (refusal) return { status: 'refused', reason: refusal, text: t(`training:enrol.refused.${refusal}`, { stages: stageNames(deps, worker.regionCode, session.stages, loc(ctx.locale)) }) };
    const r = await deps.training.enrol(session, { workerId: worker.id, channel: ctx.channel, userId: ctx.userId }, ctx.now);
    if (r.status === 'enrolled' || r.status === 'accepted') await scheduleSessionReminders(deps, session, worker, r.enrolment);
    if (r.status === 'enrolled' || r.status === 'accepted' || r.status === 'waiting') await enrolmentChanged(deps, session.id, worker.id);
    const state = r.status === 'closed' ? '' : ((await whereTheyStand(deps, r.enrolment, ctx.now, t, 'states')) ?? t(`training:states.${r.enrolment.state}`));
    const params = { title: session.title, startsAt: chinaTime(session.startsAt), place: session.place, state };
    // Already holding the seat: "已报名 (已报名)" said nothing; the time and place are what they came back for.
    const key = r.status === 'already' && r.enrolment.state === 'enrolled' ? 'alreadyEnrolled' : r.status === 'enrolled' && isOnlinePlace(session.place) ? 'enrolledOnline' : r.status;
    return { status: r.status, text: t(`training:enrol.${key}`, params) };
  };
}

/** `training.cancel`: gives up a seat (offered at once to the first in line) or a place on the waiting list. */
export function cancelEnrolment(deps: TrainingDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const t = (k: string) => deps.translator.t(loc(ctx.locale), k);
    const parsed = sessionArg.safeParse(args);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!parsed.success || !worker) return { status: 'invalid', text: t('training:cancel.none') };
    const before = await deps.training.withdraw(parsed.data.sessionId, worker.id);
    if (!before) return { status: 'none', text: t('training:cancel.none') };
    await cancelSessionReminders(deps, parsed.data.sessionId, worker.id);
    await enrolmentChanged(deps, parsed.data.sessionId, worker.id);
    if (before.state === 'enrolled' || before.state === 'offered') await offerNext(deps, parsed.data.sessionId);
    return { status: 'done', text: t('training:cancel.done') };
  };
}

/** `training.myEnrolments`: the worker's live enrolments as options (for cancelling). */
export function myEnrolments(deps: TrainingDeps): ActionHandler {
  return async (_args, ctx): Promise<AnswerValue> => {
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false, count: 0 };
    const options = [];
    for (const e of await deps.training.enrolmentsOfWorker(worker.id)) {
      if (e.state !== 'enrolled' && e.state !== 'waiting' && e.state !== 'offered') continue;
      const s = await deps.training.get(e.sessionId);
      if (!s || s.status !== 'open') continue;
      options.push({ value: s.id, name: s.title, label: `${s.title}（${chinaTime(s.startsAt)}）` });
    }
    return { registered: true, count: options.length, options };
  };
}

/** `training.mine` (我的培训): enrolments, this year's 学时 against what the role and levels require, what is missing. */
export function myTraining(deps: TrainingDeps): ActionHandler {
  return async (_args, ctx): Promise<AnswerValue> => {
    const locale = loc(ctx.locale);
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(locale, k, p);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { registered: false };
    const policy = deps.policies.forRegion(worker.regionCode);
    const held = (await deps.certificates.listByWorker(worker.id)).map((c) => c.level);
    const year = Number(chinaDate(ctx.now).slice(0, 4));
    const standing = hoursStanding(await deps.training.credits(worker.id), year, hoursRequired(trainingSettings(policy ?? {}), worker.role, held));
    const lines = [t('training:mine.hours', { ...standing })];
    if (standing.missing > 0) lines.push(t('training:mine.missing', { missing: standing.missing }));
    for (const e of await deps.training.enrolmentsOfWorker(worker.id)) {
      if (e.state === 'cancelled' || e.state === 'expired') continue;
      const s = await deps.training.get(e.sessionId);
      if (!s) continue;
      const state = s.status === 'cancelled' ? t('training:states.sessionCancelled') : ((await whereTheyStand(deps, e, ctx.now, t, 'states')) ?? t(`training:states.${e.state}`));
      lines.push(t('training:mine.line', { title: s.title, startsAt: chinaTime(s.startsAt), state }));
    }
    return { registered: true, text: lines.join('\n') };
  };
}

/** `training.checkin` (签到 <code>): the code on the venue's screen, for one of the worker's sessions running today. */
export function checkIn(deps: TrainingDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(loc(ctx.locale), k, p);
    // Typed at the code question, "签到 123456" carries the command word too.
    const code = typeof args.code === 'string' ? args.code.replace(/^\s*(签到|check\s*in)/i, '').replace(/\s+/g, '') : '';
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered', text: t('training:needsRegistration') };
    if (!/^\d{6}$/.test(code)) return { status: 'invalid', text: t('training:checkin.format') };
    let classToday = false;
    for (const e of await deps.training.enrolmentsOfWorker(worker.id)) {
      const s = await deps.training.get(e.sessionId);
      if (!s || s.status !== 'open') continue;
      if (e.state === 'enrolled' && checkinOpen(s, ctx.now)) classToday = true;
      // The code names its session: a refusal then says why (no seat, not the day), not "wrong code".
      if (!checkinCodeValid(deps.checkinSecret, s.id, code, ctx.now)) continue;
      if (e.state !== 'enrolled') return { status: 'noSeat', text: t('training:checkin.noSeat', { title: s.title, state: t(`training:states.${e.state}`) }) };
      if (!checkinOpen(s, ctx.now)) return { status: 'notToday', text: t('training:checkin.notToday', { title: s.title, startsAt: chinaTime(s.startsAt), endsAt: chinaTime(s.endsAt) }) };
      const r = await creditAttendance(deps, s, worker.id, 'checkin');
      return { status: r.recorded ? 'done' : 'already', text: t(r.recorded ? 'training:checkin.done' : 'training:checkin.already', { title: s.title, hours: s.hours }) };
    }
    // With no class of theirs today "wrong code, type it again" sends the worker hunting for a code that cannot work.
    if (!classToday) return { status: 'nothingToday', text: t('training:checkin.nothingToday') };
    return { status: 'wrongCode', text: t('training:checkin.wrong') };
  };
}

const muteArgs = z.object({ kind: z.string().max(40), until: z.string().max(20).optional() });

/**
 * Words a worker may use for a kind in `退订 <kind>`; `all` / 全部 mutes every kind (deadlines still reach them);
 * 通知 / notices mutes the admins' broadcasts alone (urgent ones still reach them).
 */
const KIND_WORDS: Record<string, MuteKind> = {
  通知: 'broadcast', 广播: 'broadcast', notices: 'broadcast', notice: 'broadcast', broadcasts: 'broadcast',
  全部: 'all', 所有: 'all', all: 'all', 培训: 'sessionStart', training: 'sessionStart', 考试: 'examDate', exam: 'examDate',
  退回: 'returnedApplication', returned: 'returnedApplication', 证书: 'certificateExpiring', certificate: 'certificateExpiring',
  学时: 'hoursShort', hours: 'hoursShort', 轮岗: 'rotation', rotation: 'rotation', 续办: 'abandonedConversation', nudge: 'abandonedConversation',
};

/** `reminders.mute` (退订 <kind> [until YYYY-MM-DD]). */
export function muteReminders(deps: TrainingDeps): ActionHandler {
  return async (args, ctx): Promise<AnswerValue> => {
    const t = (k: string, p?: Record<string, unknown>) => deps.translator.t(loc(ctx.locale), k, p);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered', text: t('training:needsRegistration') };
    const parsed = muteArgs.safeParse(args);
    const [word = 'all', untilRaw] = parsed.success ? parsed.data.kind.trim().split(/\s+/) : [];
    // The example's date is a month ahead: a fixed one would have passed by the time someone copies it.
    const example = chinaDate(new Date(ctx.now.getTime() + 30 * 86_400_000));
    const kind = KIND_WORDS[word.toLowerCase()] ?? (REMINDER_KINDS as readonly string[]).find((k) => k === word);
    if (!kind) return { status: 'unknownKind', text: t('reminders:mute.unknownKind', { word, example }) };
    let until: Date | null = null;
    if (untilRaw) {
      const d = parseDate(untilRaw, { today: chinaDate(ctx.now), min: chinaDate(ctx.now) });
      if (!d.ok) return { status: 'badDate', text: t('reminders:mute.badDate', { example }) };
      until = new Date(`${d.value}T23:59:59+08:00`);
    }
    await deps.reminders.mute({ workerId: worker.id, kind: kind as MuteKind, until });
    return { status: 'done', text: t(until ? 'reminders:mute.doneUntil' : 'reminders:mute.done', { kind: t(`reminders:kinds.${kind}`), until: untilRaw ?? '' }) };
  };
}

/** `reminders.unmute` (恢复提醒). */
export function unmuteReminders(deps: TrainingDeps): ActionHandler {
  return async (_args, ctx): Promise<AnswerValue> => {
    const t = (k: string) => deps.translator.t(loc(ctx.locale), k);
    const worker = await deps.workers.findByAccount(ctx.channel, ctx.userId);
    if (!worker) return { status: 'notRegistered', text: t('training:needsRegistration') };
    await deps.reminders.unmuteAll(worker.id);
    return { status: 'done', text: t('reminders:unmute.done') };
  };
}
