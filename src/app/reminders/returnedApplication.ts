import type { Application } from '../../domain/certification/types.ts';
import type { PolicySet } from '../../domain/policy/load.ts';
import type { StillDue } from './deps.ts';
import type { ReminderDeps } from './deps.ts';
import { scheduleReminders } from './scheduleReminder.ts';

/** The return this reminder is about: its time is the occurrence, so a second return gets reminders of its own. */
const lastReturn = (app: Application) => app.history.findLast((e) => e.action === 'return');

/**
 * A returned application is reminded 3 and 7 days after the return (region setting) until resubmitted; any other
 * change (resubmitted, withdrawn, rejected) cancels the reminders. A consequential kind: it ignores mute.
 */
export function returnedApplicationReminders(deps: Pick<ReminderDeps, 'reminders' | 'scheduler' | 'clock' | 'logger'> & { policies: PolicySet }) {
  return async (app: Application): Promise<void> => {
    if (app.status !== 'returned') {
      await deps.reminders.cancel('returnedApplication', app.id);
      return;
    }
    const ret = lastReturn(app);
    if (!ret) return;
    const level = deps.policies.get(app.policyId)?.levels.find((l) => l.id === app.level)?.name['zh-CN'] ?? app.level;
    await scheduleReminders(deps, {
      kind: 'returnedApplication',
      subject: app.id,
      occurrence: ret.at,
      eventAt: new Date(ret.at),
      direction: 'after',
      worker: { id: app.workerId, channel: app.channel, userId: app.userId, regionCode: app.regionCode },
      params: { level, note: ret.note ?? '' },
    });
  };
}

/** At firing time: still returned, by the same return. */
export function returnedStillDue(applications: { get(id: string): Promise<Application | null> }): StillDue {
  return async (r) => {
    const app = await applications.get(r.subject);
    return app?.status === 'returned' && lastReturn(app)?.at === r.occurrence;
  };
}
