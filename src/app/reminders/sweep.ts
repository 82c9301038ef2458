import { z } from 'zod';
import { chinaDay, deliveryTime, isQuiet } from '../../domain/reminders/quietHours.ts';
import { CONSEQUENTIAL, isMuted, type Reminder } from '../../domain/reminders/reminder.ts';
import type { JobDefinition } from '../ports/scheduler.ts';
import { localeOf } from '../certification/workerLocale.ts';
import { REMINDER_SWEEP_JOB, type ReminderDeps } from './deps.ts';
import { settingsOf } from './regionSettings.ts';

const BATCH = 500;
const CHUNK = 100;

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
    await deps.regionSettings?.refresh().catch((err: unknown) => deps.logger.warn({ err }, 'could not read the region reminder settings; using the last ones read'));
    for (let round = 0; round < 100; round++) {
      const due = await deps.reminders.due(now, BATCH);
      if (due.length === 0) break;
      for (let i = 0; i < due.length; i += CHUNK) {
        await processChunk(deps, due.slice(i, i + CHUNK), now, tally).catch((err: unknown) => deps.logger.error({ err }, 'reminders failed; left for the next sweep'));
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

/**
 * One chunk of due reminders, with the reads and writes that can be shared done once for the chunk (the mutes,
 * the claims, the final statuses) so that ten thousand due in a minute cost a few hundred round trips, not
 * sixty thousand. The order of the checks is the same for each reminder as described above.
 */
async function processChunk(deps: ReminderDeps, chunk: Reminder[], now: Date, tally: SweepTally): Promise<void> {
  const finished: { key: string; status: 'sent' | 'skipped' | 'cancelled' | 'digested'; reason: string | null }[] = [];
  const mutes = await deps.reminders.mutesOf(chunk.map((r) => r.workerId));
  const candidates = (
    await Promise.all(
      chunk.map(async (r) => {
        const settings = settingsOf(deps, r.regionCode);
        if (!settings.kinds[r.kind].enabled) return void finished.push({ key: r.key, status: 'skipped', reason: 'disabled' });
        const check = deps.checks[r.kind];
        if (check && !(await check(r))) return void finished.push({ key: r.key, status: 'cancelled', reason: 'factsChanged' });
        if (isMuted(mutes.filter((m) => m.workerId === r.workerId), r.kind, now)) return void finished.push({ key: r.key, status: 'skipped', reason: 'muted' });
        if (isQuiet(now, settings.quietHours)) {
          await deps.reminders.postpone(r.key, deliveryTime(now, settings.quietHours, r.key));
          tally.postponed++;
          return;
        }
        const reach = await deps.reach(r.channel, r.userId, 'reminder');
        if (!reach.reachable) return void finished.push({ key: r.key, status: 'skipped', reason: `unreachable:${reach.reason}` });
        return { r, settings };
      }),
    )
  ).filter((c) => c !== undefined);
  const won = await deps.reminders.claimMany(candidates.map((c) => c.r.key), now);
  tally.lost += candidates.length - won.size;
  const winners = candidates.filter((c) => won.has(c.r.key));
  const day = chinaDay(now);
  // The daily cap for the whole chunk in a few round trips (one per reminder was the bench's bottleneck).
  const capped = winners.filter((c) => !CONSEQUENTIAL.has(c.r.kind));
  const slots = await deps.reminders.takeDailySlots(capped.map((c) => ({ workerId: c.r.workerId, cap: c.settings.dailyCap })), day);
  const overCap = new Set(capped.filter((_, i) => !slots[i]).map((c) => c.r.key));
  await Promise.all(
    winners.map(async ({ r, settings }) => {
      const worker = await deps.workers.findById(r.workerId).catch(() => null);
      const text = deps.translator.t(localeOf(worker), `reminders:${r.kind}.text`, r.params);
      if (overCap.has(r.key)) {
        const tomorrow = new Date(now.getTime() + 86_400_000);
        const morning = deliveryTime(new Date(Date.parse(`${chinaDay(tomorrow)}T00:00:00+08:00`)), settings.quietHours, `digest|${r.workerId}`);
        await deps.reminders.addToDigest({ workerId: r.workerId, channel: r.channel, userId: r.userId }, day, { kind: r.kind, text }, morning);
        return void finished.push({ key: r.key, status: 'digested', reason: 'dailyCap' });
      }
      const sent = await deps.sender.send(r.channel, r.userId, [{ text }]).catch((err: unknown) => ({ ok: false as const, permanent: false, reason: String(err) }));
      finished.push(sent.ok ? { key: r.key, status: 'sent', reason: null } : { key: r.key, status: 'skipped', reason: `sendFailed:${sent.reason.slice(0, 80)}` });
    }),
  );
  await deps.reminders.finishMany(finished, now);
  for (const f of finished) tally[f.status === 'sent' ? 'sent' : f.status === 'cancelled' ? 'cancelled' : f.status === 'digested' ? 'digested' : 'skipped']++;
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
