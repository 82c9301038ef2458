import { mayMove, type Broadcast } from '../../domain/broadcasts/broadcast.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import type { DeliveryStatus } from '../../domain/broadcasts/delivery.ts';
import type { AdminRecord } from '../ports/certification.ts';
import { scopedBroadcast } from './compose.ts';
import { audit, BROADCAST_FANOUT_JOB, BROADCAST_SEND_JOB, refuse, type BroadcastDeps, type Result } from './deps.ts';
import { broadcastView, type BroadcastView } from './view.ts';
import { recount } from './sendRun.ts';

type Move = 'pause' | 'resume' | 'cancel';
const TO: Record<Move, Broadcast['status']> = { pause: 'paused', resume: 'sending', cancel: 'cancelled' };

/**
 * Pause, resume, cancel mid-way. Pausing stops the run at its next delivery (a send already in flight finishes);
 * resuming queues the run again; cancelling records every delivery still waiting as skipped/cancelled. A paused
 * broadcast that was scheduled and not yet started resumes as scheduled.
 */
export async function controlBroadcast(deps: BroadcastDeps, admin: AdminRecord, id: string, move: Move): Promise<Result<BroadcastView>> {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok) return found;
  const b = found.value;
  if (!mayMove(b.status, move)) {
    await audit(deps, admin, move, id, 'refused', { status: b.status });
    return refuse(409, 'badStatus', `broadcast ${id} is ${b.status}; it cannot be ${move === 'pause' ? 'paused' : move === 'resume' ? 'resumed' : 'cancelled'} now`);
  }
  const now = deps.clock.now();
  const to = move === 'resume' && !b.startedAt ? 'scheduled' : TO[move];
  const moved = await deps.broadcasts.move(id, [b.status], to, move === 'cancel' ? { finishedAt: now } : {});
  if (!moved) return refuse(409, 'conflict', `broadcast ${id} was changed meanwhile; read it again`);
  if (move === 'cancel') {
    await deps.scheduler.cancel(BROADCAST_SEND_JOB, id);
    if (b.startedAt) {
      await deps.deliveries.moveAll(id, 'pending', 'skipped', 'cancelled', now);
      await recount(deps, id);
    }
  }
  if (to === 'sending') await deps.scheduler.now(moved.fannedOut ? BROADCAST_SEND_JOB : BROADCAST_FANOUT_JOB, id, { broadcastId: id });
  if (to === 'scheduled' && moved.sendAt) await deps.scheduler.scheduleAt(BROADCAST_SEND_JOB, moved.sendAt, id, { broadcastId: id });
  await audit(deps, admin, move, id, 'done');
  return { ok: true, value: broadcastView((await deps.broadcasts.get(id)) ?? moved) };
}

/** The admin's decision on the sends that were in flight at a crash: send them again, or leave them (skipped/dropped). */
export async function decideUnknown(deps: BroadcastDeps, admin: AdminRecord, id: string, action: 'resend' | 'drop'): Promise<Result<BroadcastView>> {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok) return found;
  const b = found.value;
  if (b.counts.unknown === 0) return refuse(409, 'noUnknown', `broadcast ${id} has no sends of unknown outcome to decide`);
  if (action === 'resend' && !['sending', 'paused', 'done'].includes(b.status)) return refuse(409, 'badStatus', `broadcast ${id} is ${b.status}; sends cannot be resent now`);
  const now = deps.clock.now();
  const n = action === 'resend' ? await deps.deliveries.moveAll(id, 'unknown', 'pending', 'resentAfterCrash', now) : await deps.deliveries.moveAll(id, 'unknown', 'skipped', 'dropped', now);
  if (action === 'resend' && b.status === 'done') await deps.broadcasts.move(id, ['done'], 'sending');
  await recount(deps, id);
  const current = (await deps.broadcasts.get(id))!;
  if (action === 'resend' && current.status === 'sending') await deps.scheduler.now(BROADCAST_SEND_JOB, id, { broadcastId: id });
  await audit(deps, admin, `unknown.${action}`, id, 'done', { deliveries: n });
  return { ok: true, value: broadcastView(current) };
}

/** One page of a broadcast's recipients (names masked). */
export async function recipients(deps: BroadcastDeps, admin: AdminRecord, id: string, filter: { status?: DeliveryStatus }, cursor: number | undefined, limit: number) {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok) return found;
  const page = await deps.deliveries.list(id, filter, cursor, limit);
  return {
    ok: true as const,
    value: {
      items: page.items.map((d) => ({
        name: maskName(d.name),
        channel: d.channel,
        status: d.status,
        ...(d.reason ? { reason: d.reason } : {}),
        ...(d.detail ? { detail: d.detail } : {}),
        ...(d.answer ? { answer: d.answer } : {}),
        ...(d.at ? { at: d.at.toISOString() } : {}),
        ...(d.status === 'pending' ? { nextAt: d.nextAt.toISOString() } : {}),
      })),
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
    },
  };
}
