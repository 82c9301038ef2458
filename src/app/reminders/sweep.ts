import { z } from 'zod';
import { chinaDay, deliveryTime, isQuiet } from '../../domain/reminders/quietHours.ts';
import { CONSEQUENTIAL, isMuted, type Reminder } from '../../domain/reminders/reminder.ts';
import { reminderSettings } from '../../domain/policy/trainingSchema.ts';
import type { JobDefinition } from '../ports/scheduler.ts';
import { localeOf } from '../certification/workerLocale.ts';
import { REMINDER_SWEEP_JOB, type ReminderDeps } from './deps.ts';

const BATCH = 500;
const PARALLEL = 32;

export interface SweepTally {
  sent: number;
  skipped: number;
  cancelled: number;
  digested: number;
  postponed: number;
  lost: number;
}

/**
 * Sends every reminder due by now. For each: check its kind is on and its facts still hold, that it is not muted
 * (deadlines with consequences ignore mute), that quiet hours have not begun meanwhile, and that the channel can
 * reach the worker (else skipped with the channel's reason); then claim it (a unique record: of two instances
 * exactly one goes on), count it against the worker's daily cap (over the cap it goes into the next morning's
 * digest) and send. Digests that fell due are sent the same way.
 */
export function reminderSweep(deps: ReminderDeps) {
  return async (): Promise<SweepTally> => {
    const tally: SweepTally = { sent: 0, skipped: 0, cancelled: 0, digested: 0, postponed: 0, lost: 0 };
    const now = deps.clock.now();
    for (let round = 0; round < 100; round++) {
      const due = await deps.reminders.due(now, BATCH);
      if (due.length === 0) break;
      for (let i = 0; i < due.length; i += PARALLEL) {
        await Promise.all(due.slice(i, i + PARALLEL).map((r) => processOne(deps, r, now, tally).catch((err: unknown) => deps.logger.error({ err, key: r.key }, 'reminder failed; left for the next sweep'))));
      }
      if (due.length < BATCH) break;
    }
    for (const digest of await deps.reminders.takeDueDigests(now, BATCH)) {
      const locale = localeOf(await deps.workers.findById(digest.workerId).catch(() => null));
      const text = [deps.translator.t(locale, 'reminders:digest.head', { count: digest.items.length }), ...digest.items.map((i) => `• ${i.text}`)].join('\n');
      const r = await deps.sender.send(digest.channel, digest.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, permanent: false, reason: String(err) }));
      if (!r.ok) deps.logger.warn({ digest: digest.id, reason: r.reason }, 'could not send a reminder digest');
    }
    return tally;
  };
}

async function processOne(deps: ReminderDeps, r: Reminder, now: Date, tally: SweepTally): Promise<void> {
  const settings = reminderSettings(deps.policies.forRegion(r.regionCode));
  if (!settings.kinds[r.kind].enabled) return skip('disabled');
  const check = deps.checks[r.kind];
  if (check && !(await check(r))) {
    await deps.reminders.finish(r.key, 'cancelled', 'factsChanged', now);
    tally.cancelled++;
    return;
  }
  if (isMuted(await deps.reminders.mutes(r.workerId), r.kind, now)) return skip('muted');
  if (isQuiet(now, settings.quietHours)) {
    await deps.reminders.postpone(r.key, deliveryTime(now, settings.quietHours, r.key));
    tally.postponed++;
    return;
  }
  const reach = await deps.reach(r.channel, r.userId, 'reminder');
  if (!reach.reachable) return skip(`unreachable:${reach.reason}`);
  if (!(await deps.reminders.claim(r.key, now))) {
    tally.lost++;
    return;
  }
  const worker = await deps.workers.findById(r.workerId).catch(() => null);
  const locale = localeOf(worker);
  const text = deps.translator.t(locale, `reminders:${r.kind}.text`, r.params);
  const day = chinaDay(now);
  if (!CONSEQUENTIAL.has(r.kind) && !(await deps.reminders.takeDailySlot(r.workerId, day, settings.dailyCap))) {
    const tomorrow = new Date(now.getTime() + 86_400_000);
    const morning = deliveryTime(new Date(Date.parse(`${chinaDay(tomorrow)}T00:00:00+08:00`)), settings.quietHours, `digest|${r.workerId}`);
    await deps.reminders.addToDigest({ workerId: r.workerId, channel: r.channel, userId: r.userId }, day, { kind: r.kind, text }, morning);
    await deps.reminders.finish(r.key, 'digested', 'dailyCap', now);
    tally.digested++;
    return;
  }
  const sent = await deps.sender.send(r.channel, r.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, permanent: false, reason: String(err) }));
  if (sent.ok) {
    await deps.reminders.finish(r.key, 'sent', null, now);
    tally.sent++;
  } else {
    await deps.reminders.finish(r.key, 'skipped', `sendFailed:${sent.reason.slice(0, 80)}`, now);
    tally.skipped++;
  }

  async function skip(reason: string) {
    await deps.reminders.finish(r.key, 'skipped', reason, now);
    tally.skipped++;
  }
}

export function reminderSweepJob(deps: ReminderDeps): JobDefinition<Record<string, never>> {
  const sweep = reminderSweep(deps);
  return {
    name: REMINDER_SWEEP_JOB,
    data: z.object({}).strict(),
    handler: async () => void (await sweep()),
    options: { concurrency: 1, every: '1 minute', lockLifetimeMs: 10 * 60_000 },
  };
}
