import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { emptyCounts, type Broadcast } from '../../domain/broadcasts/broadcast.ts';
import { deliveryIdOf, retryDelayMs, skipReasonOfFailure, transition, type SkipReason } from '../../domain/broadcasts/delivery.ts';
import { chinaDay, deliveryTime, isQuiet } from '../../domain/reminders/quietHours.ts';
import type { TrainingSession } from '../../domain/training/types.ts';
import type { CounterIncs, DeliveryRecord } from '../ports/broadcasts.ts';
import type { DeliveryResult } from '../ports/sender.ts';
import type { ReachRefusal } from '../ports/reach.ts';
import type { JobDefinition } from '../ports/scheduler.ts';
import { settingsOf } from '../reminders/regionSettings.ts';
import { audienceOf } from './audience.ts';
import { BROADCAST_FANOUT_JOB, BROADCAST_SEND_JOB, type BroadcastDeps } from './deps.ts';
import { noticeMessage } from './message.ts';
import { startSending } from './sendBroadcast.ts';

const FANOUT_CHUNK = 2000;
const jobData = z.strictObject({ broadcastId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
type JobData = z.infer<typeof jobData>;

/** Counts every delivery again and writes the counters (after a crash the `$inc`s may lag behind). */
export async function recount(deps: Pick<BroadcastDeps, 'broadcasts' | 'deliveries'>, id: string): Promise<void> {
  const t = await deps.deliveries.tally(id);
  await deps.broadcasts.setCounters(id, t);
}

const skipOfRefusal = (r: ReachRefusal): SkipReason => (r === 'blocked' ? 'blocked' : r === 'unsubscribed' ? 'unsubscribed' : 'unreachable');
/** A failure's reason as a short key of the `failed` tally (field names cannot hold dots or dollars). */
/** The platform's own words of a refusal, kept on the recipient for the admin (one line, bounded). */
const platformWords = (reason: string) => reason.replace(/\s+/g, ' ').trim().slice(0, 200);
const failureKey = (reason: string) => reason.split(/[:\n]/)[0]!.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'error';

/**
 * Fixes the audience: one delivery per recipient, inserted in bulk in worker-id order. Resumable: run again
 * after a crash it inserts only the ones missing (the id is broadcast + worker) and, because workers registered
 * after the start are left out, arrives at the same audience. Then the sending run is queued.
 */
export async function fanOut(deps: BroadcastDeps, id: string): Promise<void> {
  const b = await deps.broadcasts.get(id);
  if (!b || !b.startedAt || !['sending', 'paused'].includes(b.status)) return;
  if (!b.fannedOut) {
    let seq = 0;
    let chunk: Parameters<BroadcastDeps['deliveries']['insertMany']>[0] = [];
    // Inserts overlap the reading of the next workers (a few in flight): the fan-out of 100,000 is bound by them.
    const inFlight = new Set<Promise<unknown>>();
    const flush = async () => {
      const p = deps.deliveries.insertMany(chunk);
      chunk = [];
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
      if (inFlight.size >= 3) await Promise.race(inFlight);
    };
    for await (const r of audienceOf(deps, b.segment, b.startedAt)) {
      chunk.push({ id: deliveryIdOf(b.id, r.workerId), broadcastId: b.id, workerId: r.workerId, seq: seq++, channel: r.channel, userId: r.userId, name: r.name, ...(r.locale ? { locale: r.locale } : {}), regionCode: r.regionCode, nextAt: b.startedAt, offersChoices: !!b.sessionId });
      if (chunk.length >= FANOUT_CHUNK) await flush();
    }
    if (chunk.length) await flush();
    await Promise.all(inFlight);
    // The audience is what the stream gave (a resumed fan-out streams it all again); nothing was sent yet, since
    // no run starts before the fan-out is marked done.
    const total = seq;
    await deps.broadcasts.setCounters(b.id, { counts: { ...emptyCounts(), pending: total }, skipped: {}, failed: {}, answers: { enrol: 0, waiting: 0, decline: 0 } });
    await deps.broadcasts.markFannedOut(b.id, total);
    deps.logger.info({ broadcast: b.id, total }, 'broadcast audience fixed');
  }
  const now = await deps.broadcasts.get(id);
  if (now?.status === 'sending') await deps.scheduler.now(BROADCAST_SEND_JOB, id, { broadcastId: id });
}

interface Outcome {
  incs: CounterIncs;
  /** A delivery's move out of pending: counted per batch. */
  moved(to: string, reason: string | null, key?: 'skipped' | 'failed'): void;
}
function outcome(): Outcome {
  const incs: CounterIncs = {};
  const add = (k: string, n: number) => (incs[k] = (incs[k] ?? 0) + n);
  return {
    incs,
    moved(to, reason, key) {
      add('counts.pending', -1);
      add(`counts.${to}`, 1);
      if (key && reason) add(`${key}.${reason}`, 1);
    },
  };
}

interface Skips {
  reason: SkipReason;
  detail?: string;
  ids: string[];
}

/**
 * Before sending: mute, quiet hours, reach, then the daily cap. Returns true when the delivery may be sent now.
 * The cap is the reminders' own counter (one per worker and China day): a notice takes a slot as a reminder
 * does, and over the cap it waits for the next morning (a reminder goes into the morning's digest instead). A
 * retry of a notice does not take a second slot; an urgent notice takes none and ignores the cap.
 */
async function mayGo(deps: BroadcastDeps, b: Broadcast, d: DeliveryRecord, mutedBy: string | undefined, skips: Map<string, Skips>): Promise<boolean> {
  const now = deps.clock.now();
  const skip = (reason: SkipReason, detail?: string) => {
    const key = `${reason}|${detail ?? ''}`;
    const s = skips.get(key) ?? { reason, ...(detail ? { detail } : {}), ids: [] };
    s.ids.push(d.id);
    skips.set(key, s);
    return false;
  };
  if (mutedBy) return skip('muted', mutedBy);
  const settings = settingsOf(deps, d.regionCode);
  if (!b.urgent && isQuiet(now, settings.quietHours)) {
    // The reason says to the admin why it still waits (the recipients list shows it with its time).
    await deps.deliveries.finish(d.id, 'pending', 'pending', 'quietHours', now, { nextAt: deliveryTime(now, settings.quietHours, d.id) });
    return false;
  }
  const reach = await deps.reach(d.channel, d.userId, 'broadcast').catch(() => ({ reachable: false as const, reason: 'noChannel' as const }));
  // The refusal itself (windowClosed, unknownUser, quotaExhausted...) goes with the delivery as its detail.
  if (!reach.reachable) return skip(skipOfRefusal(reach.reason), reach.reason);
  if (!b.urgent && d.attempts === 0 && !(await deps.reminders.takeDailySlot(d.workerId, chinaDay(now), settings.dailyCap))) {
    const tomorrow = new Date(Date.parse(`${chinaDay(new Date(now.getTime() + 86_400_000))}T00:00:00+08:00`));
    await deps.deliveries.finish(d.id, 'pending', 'pending', 'dailyCap', now, { nextAt: deliveryTime(tomorrow, settings.quietHours, d.id) });
    return false;
  }
  return true;
}

/** A refused platform call for one delivery in `sending`: skipped (blocked), failed, or pending again later. */
async function settleFailure(deps: BroadcastDeps, d: DeliveryRecord, r: { permanent: boolean; reason: string }, out: Outcome): Promise<void> {
  const at = deps.clock.now();
  const skip = skipReasonOfFailure(r.reason);
  if (skip && r.permanent) {
    if (await deps.deliveries.finish(d.id, 'sending', 'skipped', skip, at, { detail: platformWords(r.reason) })) out.moved('skipped', skip, 'skipped');
    return;
  }
  const next = transition('sending', { type: 'fail', reason: failureKey(r.reason), permanent: r.permanent }, d.attempts, deps.settings.maxAttempts);
  if (!next.ok) return;
  if (next.to === 'pending') {
    await deps.deliveries.finish(d.id, 'sending', 'pending', next.reason, at, { nextAt: new Date(at.getTime() + retryDelayMs(d.attempts)), attemptsInc: 1 });
    return;
  }
  const key = r.permanent ? next.reason! : 'transient';
  if (await deps.deliveries.finish(d.id, 'sending', 'failed', key, at, { attemptsInc: 1, detail: platformWords(r.reason) })) out.moved('failed', key, 'failed');
}

/**
 * One batch: the checks, then waves of at most `concurrency` deliveries, each wave marked `sending` in one write
 * right before its platform calls and its sent ones marked `sent` in one write after them. So at any moment at
 * most `concurrency` deliveries are in `sending`: the ones whose outcome a crash leaves unknown.
 */
async function deliverBatch(deps: BroadcastDeps, b: Broadcast, batch: DeliveryRecord[], session: TrainingSession | null, muted: Map<string, string>, runId: string, out: Outcome): Promise<void> {
  const skips = new Map<string, Skips>();
  const go: DeliveryRecord[] = [];
  await Promise.all(
    batch.map(async (d) => {
      if (await mayGo(deps, b, d, muted.get(d.workerId), skips)) go.push(d);
    }),
  );
  for (const { reason, detail, ids } of skips.values()) {
    const n = await deps.deliveries.finishMany(ids, 'pending', 'skipped', reason, deps.clock.now(), detail);
    for (let i = 0; i < n; i++) out.moved('skipped', reason, 'skipped');
  }
  go.sort((x, y) => x.seq - y.seq);
  for (let i = 0; i < go.length; i += deps.settings.concurrency) {
    const wave = go.slice(i, i + deps.settings.concurrency);
    const held = new Set(await deps.deliveries.markSendingMany(wave.map((d) => d.id), runId, deps.clock.now()));
    const mine = wave.filter((d) => held.has(d.id));
    const results = await Promise.all(
      mine.map((d) =>
        deps.sender.send(d.channel, d.userId, [noticeMessage(deps, b, d, session)]).catch((err: unknown): DeliveryResult => ({ ok: false, permanent: false, reason: err instanceof Error ? err.message : String(err) })),
      ),
    );
    const sentNow = mine.filter((_, k) => results[k]!.ok);
    const sent = sentNow.map((d) => d.id);
    const at = deps.clock.now();
    const n = await deps.deliveries.finishMany(sent, 'sending', 'sent', null, at);
    for (let k = 0; k < n; k++) out.moved('sent', null);
    // After the record that the replies read: a number typed from now on inside a flow is taken the long way.
    if (b.sessionId) await deps.conversations.noticeSent(sentNow, at);
    await Promise.all(mine.map(async (d, k) => {
      const r = results[k]!;
      if (!r.ok) await settleFailure(deps, d, r, out);
    }));
  }
}

/**
 * One sending run of a broadcast: takes the broadcast's lease (one run at a time across instances); deliveries a
 * dead run left in `sending` become unknown (then resent or held by `inFlight`); then batches of due pending
 * deliveries go out, at most `concurrency` platform calls at once, until the run has used half its lease (it then
 * queues itself again), the broadcast is paused, cancelled or expired, or nothing is due (it wakes at the next
 * retry, or marks the broadcast done).
 */
export async function sendRun(deps: BroadcastDeps, id: string): Promise<void> {
  let b = await deps.broadcasts.get(id);
  if (!b) return;
  if (b.status === 'scheduled') {
    if (b.sendAt && b.sendAt.getTime() > deps.clock.now().getTime()) return void (await deps.scheduler.scheduleAt(BROADCAST_SEND_JOB, b.sendAt, id, { broadcastId: id }));
    await startSending(deps, b, ['scheduled']);
    return;
  }
  if (b.status !== 'sending') return;
  if (!b.fannedOut) return void (await deps.scheduler.now(BROADCAST_FANOUT_JOB, id, { broadcastId: id }));
  const runId = randomBytes(8).toString('hex');
  const lease = await deps.broadcasts.takeLease(id, runId, deps.settings.leaseMs);
  if (!lease.taken) return;
  let again: Date | null = null;
  try {
    const now0 = deps.clock.now();
    const orphans = await deps.deliveries.moveAll(id, 'sending', 'unknown', 'inFlightAtCrash', now0, runId);
    if (orphans > 0) {
      deps.logger.warn({ broadcast: id, orphans, inFlight: b.inFlight }, 'sends in flight when a run died: outcome unknown');
      if (b.inFlight === 'resend') await deps.deliveries.moveAll(id, 'unknown', 'pending', 'resentAfterCrash', now0);
    }
    if (orphans > 0 || lease.previousRun) await recount(deps, id);
    const session = b.sessionId ? await deps.training.training.get(b.sessionId) : null;
    // Quiet hours and the daily cap are the recipient's region's, as set in the console (read at most every 30 s).
    await deps.regionSettings?.refresh().catch((err: unknown) => deps.logger.warn({ err }, 'could not read the region reminder settings; using the last ones read'));
    const stopAt = Date.now() + deps.settings.leaseMs / 2;
    for (;;) {
      b = await deps.broadcasts.get(id);
      if (!b || b.status !== 'sending') break;
      const now = deps.clock.now();
      if (b.expiresAt && b.expiresAt.getTime() <= now.getTime()) {
        await deps.deliveries.moveAll(id, 'pending', 'skipped', 'expired', now);
        await deps.broadcasts.move(id, ['sending'], 'expired', { finishedAt: now });
        break;
      }
      const batch = await deps.deliveries.duePending(id, now, deps.settings.batchSize);
      if (batch.length === 0) {
        const next = await deps.deliveries.nextPendingAt(id);
        if (next) again = next;
        else await deps.broadcasts.move(id, ['sending'], 'done', { finishedAt: now });
        break;
      }
      const mutes = b.urgent ? [] : await deps.reminders.mutesOf(batch.map((d) => d.workerId));
      const out = outcome();
      const current = b;
      // A broadcast is not a reminder kind: a mute of everything ("退订 全部") or of notices ("退订 通知") silences it.
      // Which mute it was (everything or notices alone) is the skipped recipient's detail.
      const muted = new Map(mutes.filter((m) => (m.kind === 'all' || m.kind === 'broadcast') && (m.until === null || m.until.getTime() > now.getTime())).map((m) => [m.workerId, m.kind]));
      await deliverBatch(deps, current, batch, session, muted, runId, out);
      await deps.broadcasts.inc(id, out.incs);
      await deps.broadcasts.takeLease(id, runId, deps.settings.leaseMs);
      if (Date.now() >= stopAt) {
        again = deps.clock.now();
        break;
      }
    }
    // A pause, cancel or decision made during the run counted the deliveries while this run's last batch was
    // still adding its own `$inc`s: count once more so the counters end right.
    await recount(deps, id);
  } finally {
    await deps.broadcasts.releaseLease(id, runId);
  }
  if (again) await deps.scheduler.scheduleAt(BROADCAST_SEND_JOB, again, id, { broadcastId: id });
}

export function broadcastJobs(deps: BroadcastDeps): JobDefinition<JobData>[] {
  const lockLifetimeMs = deps.settings.leaseMs;
  return [
    { name: BROADCAST_FANOUT_JOB, data: jobData, handler: (d) => fanOut(deps, d.broadcastId), options: { concurrency: 2, lockLifetimeMs: 10 * 60_000 } },
    { name: BROADCAST_SEND_JOB, data: jobData, handler: (d) => sendRun(deps, d.broadcastId), options: { concurrency: 4, lockLifetimeMs } },
  ];
}
