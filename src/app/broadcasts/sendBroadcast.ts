import { mayMove, nextAfterSend, type Broadcast } from '../../domain/broadcasts/broadcast.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import type { AdminRecord } from '../ports/certification.ts';
import { audienceOf } from './audience.ts';
import { scopedBroadcast, scopedDraft } from './compose.ts';
import { audit, BROADCAST_FANOUT_JOB, BROADCAST_SEND_JOB, refuse, type BroadcastDeps, type Result } from './deps.ts';
import { broadcastView, type BroadcastView } from './view.ts';

async function countAudience(deps: BroadcastDeps, b: Broadcast): Promise<number> {
  let n = 0;
  for await (const _ of audienceOf(deps, b.segment)) n++;
  return n;
}

/** Starts a broadcast that is due: status sending, the start time fixing the audience, the fan-out job queued. */
export async function startSending(deps: BroadcastDeps, b: Broadcast, from: readonly Broadcast['status'][], set: Partial<Broadcast> = {}): Promise<Broadcast | null> {
  const now = deps.clock.now();
  const moved = await deps.broadcasts.move(b.id, from, 'sending', { ...set, startedAt: now });
  if (moved) await deps.scheduler.now(BROADCAST_FANOUT_JOB, b.id, { broadcastId: b.id });
  return moved;
}

/** Where a sent or approved broadcast goes now: waiting for approval, scheduled (its job at sendAt), or sending. */
async function proceed(deps: BroadcastDeps, b: Broadcast, from: readonly Broadcast['status'][], set: Partial<Broadcast>): Promise<Broadcast | null> {
  const next = nextAfterSend({ ...b, ...set }, deps.clock.now());
  if (next === 'sending') return startSending(deps, b, from, set);
  const moved = await deps.broadcasts.move(b.id, from, next, set);
  if (moved && next === 'scheduled') await deps.scheduler.scheduleAt(BROADCAST_SEND_JOB, moved.sendAt!, b.id, { broadcastId: b.id });
  return moved;
}

/** `send`: counts the audience to know whether a second admin must approve, then moves on. */
export async function sendBroadcast(deps: BroadcastDeps, admin: AdminRecord, id: string): Promise<Result<BroadcastView>> {
  const found = await scopedDraft(deps, admin, id, 'send');
  if (!found.ok) return found;
  const b = found.value;
  if (b.expiresAt && b.expiresAt.getTime() <= deps.clock.now().getTime()) return refuse(422, 'expired', `broadcast ${id} expired at ${b.expiresAt.toISOString()}; set a later expiresAt first`);
  const recipients = await countAudience(deps, b);
  const needsApproval = recipients > deps.settings.approvalThreshold;
  const moved = await proceed(deps, b, ['draft'], { needsApproval });
  if (!moved) return refuse(409, 'conflict', `broadcast ${id} was changed meanwhile; read it again`);
  await audit(deps, admin, 'send', id, 'done', { recipients, needsApproval, status: moved.status, urgent: b.urgent });
  return { ok: true, value: broadcastView(moved) };
}

/** `approve`: another admin whose region covers the broadcast's (same tier or higher); never its creator. */
export async function approveBroadcast(deps: BroadcastDeps, admin: AdminRecord, id: string): Promise<Result<BroadcastView>> {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok) return found;
  const b = found.value;
  if (b.createdBy.id === admin.id) {
    await audit(deps, admin, 'approve', id, 'refused', { reason: 'creator' });
    return refuse(403, 'ownBroadcast', 'a broadcast is approved by a second admin, not by the one who wrote it');
  }
  const creatorPrefix = await deps.training.admins.get(b.createdBy.id).then((a) => (a ? regionPrefix(a.regionCode) : b.segment.region));
  if (!creatorPrefix.startsWith(regionPrefix(admin.regionCode))) {
    await audit(deps, admin, 'approve', id, 'refused', { reason: 'lowerTier' });
    return refuse(403, 'lowerTier', 'an approver works at the same tier as the writer or higher');
  }
  if (!mayMove(b.status, 'approve')) return refuse(409, 'notAwaitingApproval', `broadcast ${id} is ${b.status}, not awaiting approval`);
  const moved = await proceed(deps, b, ['awaitingApproval'], { approvedBy: { id: admin.id, name: admin.name } });
  if (!moved) return refuse(409, 'conflict', `broadcast ${id} was changed meanwhile; read it again`);
  await audit(deps, admin, 'approve', id, 'done', { status: moved.status });
  return { ok: true, value: broadcastView(moved) };
}
