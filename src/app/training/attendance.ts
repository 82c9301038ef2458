import { chinaDate } from '../../domain/dates/parseDate.ts';
import type { TrainingSession } from '../../domain/training/types.ts';
import type { TrainingDeps } from './deps.ts';

/**
 * One attendance per worker, session and China day; the session's 学时 are credited on the first one (a 2-day
 * class credits its hours once). Idempotent: a second check-in the same day changes nothing.
 */
export async function creditAttendance(deps: Pick<TrainingDeps, 'training' | 'clock' | 'reminders'>, session: TrainingSession, workerId: string, by: string): Promise<{ recorded: boolean; credited: boolean }> {
  const now = deps.clock.now();
  const day = chinaDate(now);
  const recorded = await deps.training.recordAttendance(session.id, workerId, day, by, now);
  const credited = await deps.training.credit({ workerId, sessionId: session.id, year: Number(day.slice(0, 4)), hours: session.hours, at: now, by });
  // Credited hours clear the "new secretary untrained" and "hours short" reminders.
  if (credited) {
    await deps.reminders.cancelFor('newSecretaryUntrained', workerId, workerId);
    await deps.reminders.cancelFor('hoursShort', workerId, workerId);
  }
  return { recorded, credited };
}
