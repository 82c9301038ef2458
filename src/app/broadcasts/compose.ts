import { randomBytes } from 'node:crypto';
import { emptyCounts, mayMove, type Broadcast, type InFlight, type NoticeText } from '../../domain/broadcasts/broadcast.ts';
import { placeholderProblems } from '../../domain/broadcasts/notice.ts';
import { scopeSegment, type Segment } from '../../domain/broadcasts/segment.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { BroadcastChanges } from '../ports/broadcasts.ts';
import { audit, refuse, type BroadcastDeps, type Result } from './deps.ts';
import { broadcastView, type BroadcastView } from './view.ts';

/** What an admin writes (checked by zod at the route); `null` in an edit clears an optional field. */
export interface BroadcastInput {
  text: NoticeText;
  segment: Segment;
  sessionId?: string | null;
  sendAt?: Date | null;
  expiresAt?: Date | null;
  urgent?: boolean;
  inFlight?: InFlight;
}

/** The checks across fields: placeholders, the segment inside the admin's region, the session, the times. */
async function settle(deps: BroadcastDeps, admin: AdminRecord, input: Partial<BroadcastInput>, base: Broadcast | null): Promise<Result<BroadcastChanges & { unset: string[] }>> {
  const out: BroadcastChanges & { unset: string[] } = { unset: [] };
  const sessionId = input.sessionId === undefined ? base?.sessionId : input.sessionId ?? undefined;
  const text = input.text ?? base?.text;
  if (text) {
    const problems = [...placeholderProblems(text['zh-CN'], !!sessionId), ...(text.en ? placeholderProblems(text.en, !!sessionId) : [])];
    if (problems.length) return refuse(400, 'invalid', `text: ${[...new Set(problems)].join('; ')}`);
    if (input.text) out.text = input.text;
  }
  if (input.segment) {
    const scoped = scopeSegment(input.segment, regionPrefix(admin.regionCode));
    if (!scoped.ok) return refuse(403, 'outOfScope', scoped.message);
    out.segment = scoped.segment;
  }
  if (input.sessionId !== undefined) {
    if (input.sessionId === null) out.unset.push('sessionId', 'sessionTitle');
    else {
      const session = await deps.training.training.get(input.sessionId);
      if (!session) return refuse(404, 'notFound', `no training session ${input.sessionId}`);
      if (!session.regionCode.startsWith(regionPrefix(admin.regionCode)) && !regionPrefix(admin.regionCode).startsWith(regionPrefix(session.regionCode))) {
        return refuse(403, 'outOfScope', `session ${session.id} belongs to region ${session.regionCode}, outside your region ${admin.regionCode}`);
      }
      if (session.status === 'cancelled') return refuse(422, 'sessionCancelled', `session ${session.id} is cancelled; link an open session`);
      out.sessionId = session.id;
      out.sessionTitle = session.title;
    }
  }
  for (const k of ['sendAt', 'expiresAt'] as const) {
    const v = input[k];
    if (v === null) out.unset.push(k);
    else if (v) out[k] = v;
  }
  const sendAt = input.sendAt === undefined ? base?.sendAt : input.sendAt ?? undefined;
  const expiresAt = input.expiresAt === undefined ? base?.expiresAt : input.expiresAt ?? undefined;
  const now = deps.clock.now();
  if (expiresAt && expiresAt.getTime() <= now.getTime()) return refuse(400, 'invalid', 'expiresAt must be in the future');
  if (expiresAt && sendAt && expiresAt.getTime() <= sendAt.getTime()) return refuse(400, 'invalid', 'expiresAt must be after sendAt');
  if (input.urgent !== undefined) out.urgent = input.urgent;
  if (input.inFlight !== undefined) out.inFlight = input.inFlight;
  return { ok: true, value: out };
}

export async function createBroadcast(deps: BroadcastDeps, admin: AdminRecord, input: BroadcastInput): Promise<Result<BroadcastView>> {
  const settled = await settle(deps, admin, input, null);
  if (!settled.ok) {
    await audit(deps, admin, 'create', '-', 'refused', { reason: settled.error.message });
    return settled;
  }
  const { unset: _u, ...v } = settled.value;
  const now = deps.clock.now();
  const b = await deps.broadcasts.create({
    id: `${now.getTime().toString(36)}${randomBytes(5).toString('hex')}`,
    status: 'draft',
    text: v.text!,
    segment: v.segment!,
    ...(v.sessionId ? { sessionId: v.sessionId, sessionTitle: v.sessionTitle! } : {}),
    ...(v.sendAt ? { sendAt: v.sendAt } : {}),
    ...(v.expiresAt ? { expiresAt: v.expiresAt } : {}),
    urgent: v.urgent ?? false,
    inFlight: v.inFlight ?? 'hold',
    createdBy: { id: admin.id, name: admin.name },
    needsApproval: false,
    total: 0,
    counts: emptyCounts(),
    skipped: {},
    failed: {},
    answers: { enrol: 0, waiting: 0, decline: 0 },
    createdAt: now,
    fannedOut: false,
  });
  await audit(deps, admin, 'create', b.id, 'done', { urgent: b.urgent, segment: b.segment });
  return { ok: true, value: broadcastView(b) };
}

/** The broadcast if the admin's region covers it (404 otherwise: another region's broadcasts are not listed either). */
export async function scopedBroadcast(deps: BroadcastDeps, admin: AdminRecord, id: string): Promise<Result<Broadcast>> {
  const b = await deps.broadcasts.get(id);
  if (!b || !b.segment.region.startsWith(regionPrefix(admin.regionCode))) return refuse(404, 'notFound', `no broadcast ${id} in your region`);
  return { ok: true, value: b };
}

/** The broadcast if it is in the admin's region and still a draft; a refusal (audited) otherwise. */
export async function scopedDraft(deps: BroadcastDeps, admin: AdminRecord, id: string, move: 'edit' | 'send'): Promise<Result<Broadcast>> {
  const found = await scopedBroadcast(deps, admin, id);
  if (!found.ok || mayMove(found.value.status, move)) return found;
  await audit(deps, admin, move, id, 'refused', { status: found.value.status });
  return refuse(409, 'notDraft', `broadcast ${id} is ${found.value.status}; only a draft can be ${move === 'edit' ? 'changed' : 'sent'}`);
}

export async function editBroadcast(deps: BroadcastDeps, admin: AdminRecord, id: string, input: Partial<BroadcastInput>): Promise<Result<BroadcastView>> {
  const found = await scopedDraft(deps, admin, id, 'edit');
  if (!found.ok) return found;
  const b = found.value;
  const settled = await settle(deps, admin, input, b);
  if (!settled.ok) return settled;
  const { unset, ...changes } = settled.value;
  const edited = await deps.broadcasts.edit(id, b.version, changes, unset);
  if (!edited) {
    await audit(deps, admin, 'edit', id, 'conflict');
    return refuse(409, 'conflict', `broadcast ${id} was changed meanwhile (or sending started); read it again`);
  }
  if (input.urgent !== undefined && input.urgent !== b.urgent) await audit(deps, admin, 'urgent', id, 'done', { urgent: input.urgent });
  await audit(deps, admin, 'edit', id, 'done', { fields: Object.keys(input) });
  return { ok: true, value: broadcastView(edited) };
}
