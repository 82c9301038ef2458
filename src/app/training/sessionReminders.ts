import type { Enrolment, TrainingSession } from '../../domain/training/types.ts';
import type { WorkerRecord } from '../ports/workerRepository.ts';
import type { StillDue } from '../reminders/deps.ts';
import { scheduleReminders } from '../reminders/scheduleReminder.ts';
import type { TrainingDeps } from './deps.ts';

const fmt = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** The day-before and two-hours-before reminders of one enrolled worker; the occurrence is the start time, so a moved session gets new keys. */
export async function scheduleSessionReminders(deps: TrainingDeps, session: TrainingSession, worker: Pick<WorkerRecord, 'id' | 'regionCode'>, enrolment: Pick<Enrolment, 'channel' | 'userId'>): Promise<void> {
  await scheduleReminders(
    { ...deps, reminders: deps.reminders },
    {
      kind: 'sessionStart',
      subject: session.id,
      occurrence: session.startsAt.toISOString(),
      eventAt: session.startsAt,
      direction: 'before',
      worker: { id: worker.id, channel: enrolment.channel, userId: enrolment.userId, regionCode: worker.regionCode },
      params: { title: session.title, startsAt: fmt(session.startsAt), place: session.place },
    },
  );
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

export { fmt as chinaTime };
