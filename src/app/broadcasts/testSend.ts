import type { AdminRecord } from '../ports/certification.ts';
import { scopedBroadcast } from './compose.ts';
import { audit, refuse, type BroadcastDeps, type Result } from './deps.ts';
import { noticeMessage } from './message.ts';

/** Binds the chat identity the admin's test sends go to (the admin's own account on a channel). */
export async function bindTestTarget(deps: BroadcastDeps, admin: AdminRecord, target: { channel: string; userId: string }): Promise<Result<{ channel: string; userId: string }>> {
  await deps.testTargets.set(admin.id, target);
  await audit(deps, admin, 'bindTestTarget', admin.id, 'done', { channel: target.channel });
  return { ok: true, value: target };
}

/** The notice as a recipient would get it, sent to the admin's own bound chat; nothing is counted on the broadcast. */
export async function testSend(deps: BroadcastDeps, admin: AdminRecord, id: string): Promise<Result<{ sent: boolean; channel?: string; reason?: string }>> {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok) return found;
  const target = await deps.testTargets.get(admin.id);
  if (!target) {
    return refuse(409, 'noTestTarget', 'you have no chat identity bound for test sends; bind one with PUT /admin/api/broadcasts/test-target {"channel": "telegram", "userId": "<your chat id>"} (the account you chat with the bot from)');
  }
  const b = found.value;
  const session = b.sessionId ? await deps.training.training.get(b.sessionId) : null;
  const reach = await deps.reach(target.channel, target.userId, 'broadcast');
  if (!reach.reachable) {
    await audit(deps, admin, 'testSend', id, 'refused', { reason: reach.reason });
    return { ok: true, value: { sent: false, channel: target.channel, reason: `unreachable:${reach.reason}` } };
  }
  const r = await deps.sender.send(target.channel, target.userId, [noticeMessage(deps, b, { name: admin.name }, session)]).catch((err: unknown) => ({ ok: false as const, permanent: false, reason: String(err) }));
  await audit(deps, admin, 'testSend', id, r.ok ? 'done' : 'refused', r.ok ? { channel: target.channel } : { reason: r.reason });
  return { ok: true, value: r.ok ? { sent: true, channel: target.channel } : { sent: false, channel: target.channel, reason: r.reason } };
}
