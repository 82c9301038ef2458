import { deliveryTime } from '../../domain/reminders/quietHours.ts';
import { reminderKey, type ReminderKind } from '../../domain/reminders/reminder.ts';
import { REMINDER_SWEEP_JOB, type ReminderDeps } from './deps.ts';
import { settingsOf } from './regionSettings.ts';

/**
 * Wake-up seconds already asked of each scheduler, still ahead: ten thousand reminders in one minute ask for 60
 * wake-ups, not ten thousand (each one an agenda write). A second already past is asked again (its job ran).
 */
const askedWakeUps = new WeakMap<object, Set<number>>();

function needsWakeUp(scheduler: object, second: number, now: number): boolean {
  let asked = askedWakeUps.get(scheduler);
  if (!asked) askedWakeUps.set(scheduler, (asked = new Set()));
  if (asked.size > 10_000) for (const s of asked) if (s <= now) asked.delete(s);
  if (second > now && asked.has(second)) return false;
  asked.add(second);
  return true;
}

export interface ReminderRequest {
  kind: ReminderKind;
  subject: string;
  occurrence: string;
  /** The event the offsets count from. */
  eventAt: Date;
  /** Offsets count back from the event ('before': a session start) or forward from it ('after': a returned application). */
  direction: 'before' | 'after';
  worker: { id: string; channel: string; userId: string; regionCode: string };
  /** The subject is shared by many workers (a session): each worker's reminder gets its own key. */
  perWorker?: boolean;
  params: Record<string, string | number>;
}

/**
 * Schedules one reminder per offset of the kind's region setting (replacing any with the same key), leaving out
 * offsets already past; each send time is moved out of the quiet hours. Returns the keys scheduled.
 */
export async function scheduleReminders(deps: Pick<ReminderDeps, 'reminders' | 'policies' | 'scheduler' | 'clock' | 'logger' | 'regionSettings'>, req: ReminderRequest): Promise<string[]> {
  const settings = settingsOf(deps, req.worker.regionCode);
  const kind = settings.kinds[req.kind];
  if (!kind.enabled) return [];
  const now = deps.clock.now();
  const keys: string[] = [];
  for (const offset of kind.offsetsHours) {
    const dueAt = new Date(req.eventAt.getTime() + (req.direction === 'before' ? -1 : 1) * offset * 3_600_000);
    if (dueAt.getTime() <= now.getTime()) continue;
    const key = reminderKey(req.kind, req.subject, req.occurrence, offset, req.perWorker ? req.worker.id : undefined);
    const sendAt = deliveryTime(dueAt, settings.quietHours, key);
    await deps.reminders.schedule({
      key,
      kind: req.kind,
      subject: req.subject,
      occurrence: req.occurrence,
      offsetHours: offset,
      workerId: req.worker.id,
      channel: req.worker.channel,
      userId: req.worker.userId,
      dueAt,
      sendAt,
      regionCode: req.worker.regionCode,
      params: req.params,
    });
    // A wake-up at the send time, keyed by the second: a thousand reminders due in one second share one job.
    // The minute sweep catches any whose wake-up was lost.
    const second = Math.ceil(sendAt.getTime() / 1000) * 1000;
    if (needsWakeUp(deps.scheduler, second, now.getTime()))
      await deps.scheduler.scheduleAt(REMINDER_SWEEP_JOB, new Date(second), `at-${second}`).catch((err: unknown) => deps.logger.warn({ err, key }, 'could not schedule the reminder wake-up; the minute sweep will send it'));
    keys.push(key);
  }
  return keys;
}
