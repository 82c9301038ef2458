import { checkinOpen, sessionInRegion } from '../../domain/training/enrolment.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import type { TrainingSession } from '../../domain/training/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { SessionChanges } from '../ports/training.ts';
import { runCommand, type Result } from '../certification/runCommand.ts';
import { workerLocale } from '../certification/workerLocale.ts';
import { creditAttendance } from './attendance.ts';
import { currentCheckinCode } from './checkinCode.ts';
import type { TrainingDeps } from './deps.ts';
import { cancelSessionReminders, chinaTime, scheduleSessionReminders } from './sessionReminders.ts';

/** What an admin gives for a new session; the rest (id, status, version, who and when) the store fills in. */
export type SessionInput = Omit<TrainingSession, 'id' | 'status' | 'createdBy' | 'createdAt' | 'version'>;

const notFound = (id: string) => ({ ok: false as const, error: { status: 404 as const, code: 'notFound', message: `no training session ${id}` } });
const outOfRegion = (admin: AdminRecord, s: { regionCode: string }) => ({
  ok: false as const,
  error: { status: 403 as const, code: 'outOfScope', message: `session region ${s.regionCode} is outside your region ${admin.regionCode}` },
});
/** The keyset of the console's session list: the last session's start and id, opaque to the client. */
const sessionCursor = (s: TrainingSession) => Buffer.from(`${s.startsAt.toISOString()}|${s.id}`, 'utf8').toString('base64url');
function sessionCursorValue(cursor: string): { startsAt: Date; id: string } | null {
  const m = /^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z)\|([a-f0-9]{16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { startsAt: new Date(m[1]!), id: m[2]! } : null;
}

const invalid = (message: string) => ({ ok: false as const, error: { status: 400 as const, code: 'invalid', message } });

/**
 * A session's stages must be stages of the pipeline that governs its region (where no policy governs it yet, of any
 * loaded policy), so a typo does not close a session to everyone.
 */
function checkStages(deps: TrainingDeps, regionCode: string, stages: readonly string[]): string | null {
  if (stages.length === 0) return null;
  const policy = deps.policies.forRegion(regionCode);
  const known = [...new Set((policy ? [policy] : deps.policies.all()).flatMap((p) => p.pipeline.stages.map((st) => st.id)))];
  const unknown = stages.filter((st) => !known.includes(st));
  if (unknown.length === 0) return null;
  return `stages ${unknown.join(', ')} are not stages of ${policy ? `policy ${policy.id}, which governs region ${regionCode}` : 'any policy'}; use ${known.join(', ')}`;
}

function checkTimes(s: Pick<SessionInput, 'startsAt' | 'endsAt' | 'enrolBy'>): string | null {
  if (s.endsAt.getTime() <= s.startsAt.getTime()) return 'endsAt must be after startsAt';
  if (s.enrolBy.getTime() > s.startsAt.getTime()) return 'enrolBy must be at or before startsAt';
  return null;
}

/** The admin side of training sessions: create, read, edit, cancel, check-in code, attendance by hand, exam results. */
export function createTrainingAdmin(deps: TrainingDeps) {
  async function audit(admin: AdminRecord, action: string, target: string, outcome: 'done' | 'refused', detail?: Record<string, unknown>) {
    await deps.audit.append({ at: deps.clock.now().toISOString(), adminId: admin.id, action, target, outcome, ...(detail ? { detail } : {}) });
  }

  async function view(session: TrainingSession) {
    const counts = await deps.training.counts(session.id);
    return { ...session, startsAt: session.startsAt.toISOString(), endsAt: session.endsAt.toISOString(), enrolBy: session.enrolBy.toISOString(), createdAt: session.createdAt.toISOString(), ...counts };
  }

  async function scoped(admin: AdminRecord, id: string): Promise<Result<TrainingSession>> {
    const s = await deps.training.get(id);
    if (!s) return notFound(id);
    if (!sessionInRegion(admin.regionCode, s.regionCode)) return outOfRegion(admin, s);
    return { ok: true, value: s };
  }

  /** Tells everyone holding or waiting for a seat; a failed push is logged, the change stands. */
  async function tellEnrolled(session: TrainingSession, key: string) {
    for (const e of await deps.training.enrolmentsOfSession(session.id)) {
      if (e.state !== 'enrolled' && e.state !== 'waiting' && e.state !== 'offered') continue;
      const locale = await workerLocale(deps, e.workerId);
      const text = deps.translator.t(locale, key, { title: session.title, startsAt: chinaTime(session.startsAt), place: session.place });
      const r = await deps.sender.send(e.channel, e.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, reason: String(err) }));
      if (!r.ok) deps.logger.warn({ session: session.id, worker: e.workerId, reason: r.reason }, 'could not tell an enrolled worker about a session change');
    }
  }

  return {
    async create(admin: AdminRecord, input: SessionInput): Promise<Result<{ id: string }>> {
      if (!sessionInRegion(admin.regionCode, input.regionCode)) return outOfRegion(admin, input);
      const bad = checkTimes(input) ?? checkStages(deps, input.regionCode, input.stages);
      if (bad) return invalid(bad);
      const s = await deps.training.create({ ...input, createdBy: admin.id, createdAt: deps.clock.now() });
      await audit(admin, 'training.create', `training:${s.id}`, 'done', { title: s.title, capacity: s.capacity, levels: s.levels, roles: s.roles, stages: s.stages });
      return { ok: true, value: { id: s.id } };
    },

    async get(admin: AdminRecord, id: string) {
      const s = await scoped(admin, id);
      return s.ok ? { ok: true as const, value: await view(s.value) } : s;
    },

    async edit(admin: AdminRecord, id: string, changes: SessionChanges, expectedVersion: number | undefined) {
      const s = await scoped(admin, id);
      if (!s.ok) return s;
      if (s.value.status === 'cancelled') return { ok: false as const, error: { status: 422 as const, code: 'cancelled', message: 'a cancelled session cannot be edited' } };
      const merged = { ...s.value, ...changes };
      const bad = checkTimes(merged) ?? checkStages(deps, merged.regionCode, changes.stages ?? []);
      if (bad) return invalid(bad);
      const counts = await deps.training.counts(id);
      if (changes.capacity !== undefined && changes.capacity < counts.enrolled + counts.offered) {
        return { ok: false as const, error: { status: 422 as const, code: 'capacityBelowEnrolled', message: `${counts.enrolled + counts.offered} seats are taken; capacity cannot go below that` } };
      }
      const version = expectedVersion ?? s.value.version;
      const updated = await deps.training.update(id, version, changes);
      if (!updated) return { ok: false as const, error: { status: 409 as const, code: 'conflict', message: `session ${id} is not at version ${version}: reload and try again` } };
      await audit(admin, 'training.edit', `training:${id}`, 'done', { changes: Object.keys(changes) });
      const moved = (k: 'startsAt' | 'endsAt') => changes[k] !== undefined && changes[k].getTime() !== s.value[k].getTime();
      if (moved('startsAt') || moved('endsAt')) {
        await cancelSessionReminders(deps, id);
        for (const e of await deps.training.enrolmentsOfSession(id)) {
          if (e.state !== 'enrolled') continue;
          const worker = await deps.workers.findById(e.workerId);
          if (worker) await scheduleSessionReminders(deps, updated, worker, e);
        }
      }
      // Seats added: serve the waiting list at once.
      for (let i = 0; i < (changes.capacity ?? 0) - s.value.capacity; i++) await offerNext(deps, id);
      await tellEnrolled(updated, 'training:notice.changed');
      return { ok: true as const, value: await view(updated) };
    },

    async cancel(admin: AdminRecord, id: string) {
      const s = await scoped(admin, id);
      if (!s.ok) return s;
      const cancelled = await deps.training.cancel(id);
      if (!cancelled) return { ok: false as const, error: { status: 422 as const, code: 'cancelled', message: 'the session is already cancelled' } };
      await cancelSessionReminders(deps, id);
      await audit(admin, 'training.cancel', `training:${id}`, 'done');
      await tellEnrolled(cancelled, 'training:notice.cancelled');
      return { ok: true as const, value: await view(cancelled) };
    },

    async checkinCode(admin: AdminRecord, id: string) {
      const s = await scoped(admin, id);
      if (!s.ok) return s;
      const now = deps.clock.now();
      const c = currentCheckinCode(deps.checkinSecret, id, now);
      // The venue's screen shows how many have checked in today, so the count goes up as people arrive.
      const today = chinaDate(now);
      const checkedIn = (await deps.training.attendanceOf(id)).filter((a) => a.day === today).length;
      // `open` is the chat's own rule, so the screen can say when the code it shows is not yet (or no longer) taken.
      return { ok: true as const, value: { code: c.code, validUntil: c.validUntil.toISOString(), now: now.toISOString(), checkedIn, open: checkinOpen(s.value, now) } };
    },

    /**
     * Sessions of the admin's region starting after `from` (default: from 30 days ago), cancelled ones included,
     * earliest first, a page at a time (`nextCursor` while there are more).
     */
    async list(admin: AdminRecord, q: { from?: Date; cursor?: string; limit: number }) {
      const after = q.cursor === undefined ? undefined : sessionCursorValue(q.cursor);
      if (after === null) return { ok: false as const, error: { status: 400 as const, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
      const from = q.from ?? new Date(deps.clock.now().getTime() - 30 * 86_400_000);
      const rows = await deps.training.listInRegion({ regionPrefix: regionPrefix(admin.regionCode), from, ...(after ? { after } : {}), limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      return { ok: true as const, value: { items: await Promise.all(page.map(view)), ...(rows.length > q.limit ? { nextCursor: sessionCursor(page[page.length - 1]!) } : {}) } };
    },

    /** Who holds, waits for or gave up a seat, in arrival order, with the days they attended and their exam score. */
    async enrolments(admin: AdminRecord, id: string) {
      const s = await scoped(admin, id);
      if (!s.ok) return s;
      const all = (await deps.training.enrolmentsOfSession(id)).sort((a, b) => a.seq - b.seq);
      const names = new Map((await deps.workers.summaries(all.map((e) => e.workerId))).map((w) => [w.id, w.name]));
      const days = new Map<string, string[]>();
      for (const a of await deps.training.attendanceOf(id)) days.set(a.workerId, [...(days.get(a.workerId) ?? []), a.day].sort());
      const items = all.map((e) => ({ workerId: e.workerId, name: names.get(e.workerId) ?? null, state: e.state, seq: e.seq, offeredUntil: e.offeredUntil?.toISOString() ?? null, score: e.score, attended: days.get(e.workerId) ?? [] }));
      return { ok: true as const, value: { items } };
    },

    /** Attendance marked by an admin (the worker's phone died): audited, credits the hours like a check-in. */
    async markAttendance(admin: AdminRecord, id: string, workerId: string) {
      const s = await scoped(admin, id);
      if (!s.ok) return s;
      const e = await deps.training.enrolment(id, workerId);
      if (!e || e.state !== 'enrolled') {
        await audit(admin, 'training.attendance', `training:${id}`, 'refused', { workerId, reason: 'notEnrolled' });
        return { ok: false as const, error: { status: 422 as const, code: 'notEnrolled', message: `worker ${workerId} is not enrolled in session ${id}` } };
      }
      const r = await creditAttendance(deps, s.value, workerId, admin.id);
      await audit(admin, 'training.attendance', `training:${id}`, 'done', { workerId, ...r });
      return { ok: true as const, value: r };
    },

    /** An attendee's exam result: kept on the enrolment and recorded on their open application at its 培训测试 stage. */
    async recordResult(admin: AdminRecord, id: string, workerId: string, score: number) {
      const s = await scoped(admin, id);
      if (!s.ok) return s;
      const e = await deps.training.enrolment(id, workerId);
      if (!e || e.state !== 'enrolled') return { ok: false as const, error: { status: 422 as const, code: 'notEnrolled', message: `worker ${workerId} is not enrolled in session ${id}` } };
      await deps.training.setScore(id, workerId, score);
      let application: string | null = null;
      for (const app of await deps.applications.listByWorker(workerId)) {
        if (app.status !== 'open') continue;
        if (s.value.levels.length > 0 && !s.value.levels.includes(app.level)) continue;
        const policy = deps.policies.get(app.policyId);
        if (policy?.pipeline.stages.find((st) => st.id === app.stage)?.kind !== 'trainingTest') continue;
        const done = await runCommand(deps, app.id, { type: 'recordScore', score }, { kind: 'system', id: `training:${id}` });
        if (done.ok) application = app.id;
        else deps.logger.warn({ application: app.id, code: done.error.code }, 'the training result could not be recorded on the application');
      }
      await audit(admin, 'training.result', `training:${id}`, 'done', { workerId, score, application });
      return { ok: true as const, value: { score, application } };
    },

    today: () => chinaDate(deps.clock.now()),
  };
}

/** One free seat to the first in line, told on their channel; returns whether someone was offered it. */
export async function offerNext(deps: TrainingDeps, sessionId: string): Promise<boolean> {
  const session = await deps.training.get(sessionId);
  if (!session || session.status !== 'open') return false;
  const policy = deps.policies.forRegion(session.regionCode);
  const hours = policy?.training?.offerHours ?? 24;
  const now = deps.clock.now();
  const until = new Date(now.getTime() + hours * 3_600_000);
  const offered = await deps.training.freeSeat(sessionId, now, until);
  if (!offered) return false;
  const locale = await workerLocale(deps, offered.workerId);
  const text = deps.translator.t(locale, 'training:notice.offered', { title: session.title, startsAt: chinaTime(session.startsAt), until: chinaTime(until) });
  const r = await deps.sender.send(offered.channel, offered.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, reason: String(err) }));
  if (!r.ok) deps.logger.warn({ session: sessionId, worker: offered.workerId, reason: r.reason }, 'could not tell a worker about the seat offered');
  return true;
}

export type TrainingAdmin = ReturnType<typeof createTrainingAdmin>;
