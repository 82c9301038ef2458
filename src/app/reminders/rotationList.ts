import { addDays } from '../../domain/certification/expiryNotice.ts';
import { dayNumber, splitYmd } from '../../domain/dates/parseDate.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import { addYears } from '../../domain/reminders/factDates.ts';
import { reminderKey, type Reminder } from '../../domain/reminders/reminder.ts';
import { ROLES } from '../../domain/worker/profile.ts';
import type { Role } from '../../domain/training/types.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { Clock } from '../ports/clock.ts';
import type { ReminderStore } from '../ports/reminders.ts';
import type { ReminderSubjects } from '../ports/reminderSubjects.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';
import type { Result } from '../certification/runCommand.ts';
import type { RegionSettingsView } from './regionSettings.ts';

export interface RotationRow {
  workerId: string;
  name: string | null;
  role: Role;
  regionCode: string;
  /** The day they took up the post, and the day they will have held it five years. */
  since: string;
  fiveYears: string;
  /** Days until `fiveYears` (negative: already past). */
  daysLeft: number;
  /** The worker's own rotation reminder for this post: its state, or null when none is scheduled yet. */
  reminder: { status: Reminder['status']; sendAt: string; sentAt: string | null } | null;
}

const POSTS = ROLES.filter((r) => r !== 'other');
const ymdDay = (date: string) => {
  const d = splitYmd(date)!;
  return dayNumber(d.year, d.month, d.day);
};
const cursorOf = (r: RotationRow) => Buffer.from(`${r.since}|${r.workerId}`, 'utf8').toString('base64url');
function cursorValue(cursor: string): { workStart: string; id: string } | null {
  const m = /^(\d{4}-\d{2}-\d{2})\|([a-f0-9]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { workStart: m[1]!, id: m[2]! } : null;
}

/**
 * The admin's side of the rotation reminder (the issue: "to the worker and their admin"). Admins have no chat
 * identity, so the console lists the workers of their region who reach five years in the same post within `days`
 * (or have passed it), longest in post first, with the state of the worker's own reminder.
 */
export function rotationList(deps: { subjects: ReminderSubjects; workers: Pick<WorkerRepository, 'findById'>; reminders: Pick<ReminderStore, 'get'>; regionSettings: RegionSettingsView; clock: Clock }) {
  return async (admin: AdminRecord, q: { days: number; cursor?: string; limit: number }): Promise<Result<{ items: RotationRow[]; nextCursor?: string }>> => {
    const after = q.cursor === undefined ? undefined : cursorValue(q.cursor);
    if (after === null) return { ok: false, error: { status: 400, code: 'invalidCursor', message: 'cursor is not one this API returned; start again without it' } };
    const today = chinaDate(deps.clock.now());
    const startedBy = addYears(addDays(today, q.days), -5);
    const page = await deps.subjects.workersInPostSince({ regionPrefix: regionPrefix(admin.regionCode), roles: POSTS, startedBy, ...(after ? { after } : {}), limit: q.limit + 1 });
    const items = await Promise.all(
      page.slice(0, q.limit).map(async (w): Promise<RotationRow> => {
        const fiveYears = addYears(w.workStart, 5);
        const offsets = deps.regionSettings.effective(w.regionCode).kinds.rotation.offsetsHours;
        const reminders = (await Promise.all(offsets.map((h) => deps.reminders.get(reminderKey('rotation', w.id, `${w.role}:${w.workStart}`, h))))).filter((r) => r !== null);
        const latest = reminders.sort((a, b) => b.sendAt.getTime() - a.sendAt.getTime())[0];
        return {
          workerId: w.id,
          name: (await deps.workers.findById(w.id))?.name ?? null,
          role: w.role,
          regionCode: w.regionCode,
          since: w.workStart,
          fiveYears,
          daysLeft: ymdDay(fiveYears) - ymdDay(today),
          reminder: latest ? { status: latest.status, sendAt: latest.sendAt.toISOString(), sentAt: latest.sentAt?.toISOString() ?? null } : null,
        };
      }),
    );
    return { ok: true, value: { items, ...(page.length > q.limit ? { nextCursor: cursorOf(items[items.length - 1]!) } : {}) } };
  };
}

export type RotationList = ReturnType<typeof rotationList>;
