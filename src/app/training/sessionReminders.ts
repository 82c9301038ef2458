import type { Enrolment, TrainingSession } from '../../domain/training/types.ts';
import type { WorkerRecord } from '../ports/workerRepository.ts';
import type { StillDue } from '../reminders/deps.ts';
import { scheduleReminders } from '../reminders/scheduleReminder.ts';
import type { TrainingDeps } from './deps.ts';

const fmt = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/**
 * The day-before and two-hours-before reminders of one enrolled worker, keyed by the worker too (every seat holder
 * gets their own); the occurrence is the start time, so a moved session gets new keys. A certification session also gets the exam reminder: training is classes followed
 * by the written exam (docs/domain.md), so the exam is taken to be at the session's end (decision: sessions carry no
 * separate exam time); its occurrence is the end time.
 */
export async function scheduleSessionReminders(deps: TrainingDeps, session: TrainingSession, worker: Pick<WorkerRecord, 'id' | 'regionCode'>, enrolment: Pick<Enrolment, 'channel' | 'userId'>): Promise<void> {
  const who = { id: worker.id, channel: enrolment.channel, userId: enrolment.userId, regionCode: worker.regionCode };
  await scheduleReminders(deps, {
    kind: 'sessionStart',
    subject: session.id,
    occurrence: session.startsAt.toISOString(),
    eventAt: session.startsAt,
    direction: 'before',
    worker: who,
    perWorker: true,
    params: { title: session.title, startsAt: fmt(session.startsAt), place: session.place },
  });
  if (session.kind !== 'certification') return;
  await scheduleReminders(deps, {
    kind: 'examDate',
    subject: session.id,
    occurrence: session.endsAt.toISOString(),
    eventAt: session.endsAt,
    direction: 'before',
    worker: who,
    perWorker: true,
    params: { title: session.title, examAt: fmt(session.endsAt), place: session.place },
  });
}

/** Every reminder of one worker's seat in a session (a withdrawal), or of everyone's (a cancelled session: no workerId). */
export async function cancelSessionReminders(deps: Pick<TrainingDeps, 'reminders'>, sessionId: string, workerId?: string): Promise<void> {
  for (const kind of ['sessionStart', 'examDate'] as const) {
    if (workerId === undefined) await deps.reminders.cancel(kind, sessionId);
    else await deps.reminders.cancelFor(kind, sessionId, workerId);
  }
}

/** At firing time: the session is still on at that time and the worker still holds a seat. */
export function sessionStartStillDue(deps: Pick<TrainingDeps, 'training'>): StillDue {
  return async (r) => {
    const session = await deps.training.get(r.subject);
    if (!session || session.status !== 'open' || session.startsAt.toISOString() !== r.occurrence) return false;
    const e = await deps.training.enrolment(r.subject, r.workerId);
    return e?.state === 'enrolled';
  };
}

/** At firing time: the session is still on, its exam (end) at that time, and the worker still holds a seat. */
export function examStillDue(deps: Pick<TrainingDeps, 'training'>): StillDue {
  return async (r) => {
    const session = await deps.training.get(r.subject);
    if (!session || session.status !== 'open' || session.kind !== 'certification' || session.endsAt.toISOString() !== r.occurrence) return false;
    const e = await deps.training.enrolment(r.subject, r.workerId);
    return e?.state === 'enrolled';
  };
}

export { fmt as chinaTime };

/**
 * Schedules again the reminders of everyone holding a seat in these sessions (those whose reminders an earlier
 * version lost by keying them without the worker); keys already there are replaced, not doubled. Returns how many
 * seats were covered.
 */
export async function restoreSessionReminders(deps: TrainingDeps, sessionIds: readonly string[]): Promise<number> {
  let seats = 0;
  for (const id of sessionIds) {
    const session = await deps.training.get(id);
    if (!session || session.status !== 'open') continue;
    for (const e of await deps.training.enrolmentsOfSession(id)) {
      if (e.state !== 'enrolled') continue;
      const worker = await deps.workers.findById(e.workerId);
      if (!worker) continue;
      await scheduleSessionReminders(deps, session, worker, e);
      seats++;
    }
  }
  return seats;
}
