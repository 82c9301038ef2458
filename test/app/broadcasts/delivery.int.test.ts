/**
 * Broadcasts against the real Mongo stores, with a fake platform: segments (each filter, and the admin's scope),
 * the dry run agreeing with the fan-out, every skip reason, retries, pause/resume/cancel mid-way, expiry, quiet
 * hours and mute (and urgent past both), and the sends a dead run left in flight becoming "unknown".
 */
import { randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createBroadcast, type BroadcastInput } from '../../../src/app/broadcasts/compose.ts';
import { controlBroadcast, decideUnknown, recipients } from '../../../src/app/broadcasts/control.ts';
import { dryRun } from '../../../src/app/broadcasts/dryRun.ts';
import { sendBroadcast } from '../../../src/app/broadcasts/sendBroadcast.ts';
import { createRegionSettingsView } from '../../../src/app/reminders/regionSettings.ts';
import { fanOut, sendRun } from '../../../src/app/broadcasts/sendRun.ts';
import type { WorkerRecord } from '../../../src/app/ports/workerRepository.ts';
import type { Segment } from '../../../src/domain/broadcasts/segment.ts';
import { reminderSettings } from '../../../src/domain/policy/trainingSchema.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoReminderStore } from '../../../src/store/mongo/reminderStore.ts';
import { createMongoWorkerRepository } from '../../../src/store/mongo/workerRepository.ts';
import { testDbUri } from '../../support/db.ts';
import { content, makeIdNumber } from '../../support/engineHarness.ts';
import { sampleProfile } from '../../support/registrationScript.ts';
import { TestClock } from '../../support/testClock.ts';
import { admin, world } from './world.ts';

let connection: Connection;
const W: Record<string, WorkerRecord> = {};
let seq = 0;

async function addWorker(key: string, over: Record<string, unknown>, channel = 'sim') {
  seq++;
  const repo = createMongoWorkerRepository(connection, createPiiCipher(randomBytes(32)));
  const r = await repo.create(channel, `u-${key}`, sampleProfile(makeIdNumber('320102', '19850312', String(100 + seq)), over), new Date('2026-01-01T00:00:00Z'));
  if (r.status !== 'created') throw new Error(r.status);
  W[key] = r.worker;
}

beforeAll(async () => {
  connection = await connectMongo(testDbUri('broadcast_delivery'));
  createMongoWorkerRepository(connection, createPiiCipher(randomBytes(32)));
  world(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
  // Nanjing (3201): a secretary holding junior, a staff member applying for intermediate at trainingTest, an
  // instructor on Telegram enrolled in a session, a deputy with 30 学时 this year; Wuxi (3202): one secretary.
  await addWorker('sec', { name: '王一', role: 'secretary', region: '320102' });
  await addWorker('staff', { name: '李二', role: 'staff', region: '320105' });
  await addWorker('instr', { name: '赵三', role: 'instructor', region: '320106' }, 'telegram');
  await addWorker('deputy', { name: '钱四', role: 'deputySecretary', region: '320111' });
  await addWorker('suspended', { name: '孙五', role: 'secretary', region: '320102' });
  await addWorker('wuxi', { name: '周六', role: 'secretary', region: '320205' });
  const db = connection.db!;
  await db.collection('certificates').insertMany([
    { _id: 'c1' as never, workerId: W.sec!.id, level: 'junior', status: 'valid' },
    { _id: 'c2' as never, workerId: W.suspended!.id, level: 'junior', status: 'suspended' },
  ]);
  await db.collection('applications').insertMany([{ _id: 'a1' as never, workerId: W.staff!.id, level: 'intermediate', stage: 'trainingTest', status: 'open' }]);
  await db.collection('training_enrolments').insertMany([{ _id: 's1:x' as never, sessionId: 's1', workerId: W.instr!.id, state: 'enrolled' }]);
  await db.collection('training_hours').insertMany([{ _id: 'h1' as never, workerId: W.deputy!.id, sessionId: 's0', year: 2026, hours: 30 }]);
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

const NANJING = admin('nj', '320100');
const text = { 'zh-CN': '{name}同志：请参加培训。' };

async function draft(w: ReturnType<typeof world>, segment: Segment, over: Partial<BroadcastInput> = {}, by = NANJING) {
  const r = await createBroadcast(w.deps, by, { text, segment, ...over });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.id;
}

/** send, fan out, then run until nothing more is due now. */
async function sendAll(w: ReturnType<typeof world>, id: string) {
  const s = await sendBroadcast(w.deps, NANJING, id);
  if (!s.ok) throw new Error(s.error.message);
  await fanOut(w.deps, id);
  await sendRun(w.deps, id);
  return (await w.deps.broadcasts.get(id))!;
}

const names = (ids: string[]) => Object.entries(W).filter(([, w]) => ids.includes(w.id)).map(([k]) => k).sort();
async function audienceKeys(w: ReturnType<typeof world>, segment: Segment, by = NANJING) {
  const id = await draft(w, segment, {}, by);
  const d = await dryRun(w.deps, by, id);
  if (!d.ok) throw new Error(d.error.message);
  return { total: d.value.total, id };
}

describe('segments', () => {
  it('each filter picks exactly its workers, and the dry run counts what the fan-out then fixes', async () => {
    const w = world(connection);
    const cases: [Segment, string[]][] = [
      [{}, ['deputy', 'instr', 'sec', 'staff', 'suspended']],
      [{ region: '320102' }, ['sec', 'suspended']],
      [{ roles: ['secretary'] }, ['sec', 'suspended']],
      [{ levels: ['junior'] }, ['sec']],
      [{ certificateStatus: ['suspended'] }, ['suspended']],
      [{ certificateStatus: ['active'] }, ['sec']],
      [{ appliedLevels: ['intermediate'] }, ['staff']],
      [{ stages: ['trainingTest'] }, ['staff']],
      [{ session: { id: 's1', enrolled: true } }, ['instr']],
      [{ session: { id: 's1', enrolled: false } }, ['deputy', 'sec', 'staff', 'suspended']],
      [{ channels: ['telegram'] }, ['instr']],
      // 24 学时 needed by a deputy (policy default for the role): 30 credited, so not short; everybody else is.
      [{ hoursShort: true }, ['instr', 'sec', 'staff', 'suspended']],
      [{ roles: ['secretary'], levels: ['junior'] }, ['sec']],
    ];
    for (const [segment, expected] of cases) {
      const { total, id } = await audienceKeys(w, segment);
      await sendAll(w, id);
      const page = await w.deps.deliveries.list(id, {}, undefined, 100);
      expect({ segment, fanOut: names(page.items.map((d) => d.workerId)) }).toEqual({ segment, fanOut: expected });
      expect({ segment, dryRun: total }).toEqual({ segment, dryRun: expected.length });
      expect((await w.deps.broadcasts.get(id))!.total).toBe(expected.length);
    }
  });

  it('scope: an admin cannot reach workers outside their region', async () => {
    const w = world(connection);
    const wuxi = admin('wx', '320200');
    const refused = await createBroadcast(w.deps, wuxi, { text, segment: { region: '3201' } });
    expect(refused).toMatchObject({ ok: false, error: { status: 403 } });
    const { total } = await audienceKeys(w, {}, wuxi);
    expect(total).toBe(1);
    const nanjingDraft = await draft(w, {});
    expect(await dryRun(w.deps, wuxi, nanjingDraft)).toMatchObject({ ok: false, error: { status: 404 } });
  });

  it('refuses an unknown placeholder and a session placeholder without a session, naming them', async () => {
    const w = world(connection);
    const r = await createBroadcast(w.deps, NANJING, { text: { 'zh-CN': '{nmae} {session}' }, segment: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('{nmae}');
      expect(r.error.message).toContain('{session} needs a linked session');
    }
  });
});

describe('delivery', () => {
  it('the audience is fixed when sending starts: a fan-out run again after dying half-way adds only the missing deliveries, one per worker, and leaves out a worker registered after the start', async () => {
    const w = world(connection);
    const id = await draft(w, { region: '320102' });
    const s = await sendBroadcast(w.deps, NANJING, id);
    expect(s.ok).toBe(true);
    await fanOut(w.deps, id);
    const first = (await w.deps.deliveries.list(id, {}, undefined, 10)).items;
    expect(names(first.map((d) => d.workerId))).toEqual(['sec', 'suspended']);
    // The fan-out died after its first insert: one delivery written, the broadcast not marked fanned out.
    await connection.models.BroadcastDelivery!.deleteOne({ _id: first[1]!.id });
    await connection.models.Broadcast!.updateOne({ _id: id }, { $set: { fannedOut: false } });
    // A worker of the segment who registered after sending started.
    w.clock.advance(3_600_000);
    const repo = createMongoWorkerRepository(connection, createPiiCipher(randomBytes(32)));
    const late = await repo.create('sim', 'u-late', sampleProfile(makeIdNumber('320102', '19860101', '901'), { name: '郑迟', role: 'secretary', region: '320102' }), w.clock.now());
    expect(late.status).toBe('created');
    if (late.status !== 'created') return;
    // The other tests count this segment's workers: the late one leaves the shared database at the end.
    onTestFinished(() => connection.db!.collection('workers').deleteOne({ _id: new Types.ObjectId(late.worker.id) }).then(() => undefined));
    await fanOut(w.deps, id);
    // Running it once more changes nothing either.
    await connection.models.Broadcast!.updateOne({ _id: id }, { $set: { fannedOut: false } });
    await fanOut(w.deps, id);
    const again = (await w.deps.deliveries.list(id, {}, undefined, 10)).items;
    expect(names(again.map((d) => d.workerId))).toEqual(['sec', 'suspended']);
    expect(again).toHaveLength(2);
    expect(await w.deps.deliveries.count(id)).toBe(2);
    expect((await w.deps.broadcasts.get(id))!).toMatchObject({ total: 2, counts: { pending: 2 } });
    await sendRun(w.deps, id);
    expect((await w.deps.broadcasts.get(id))!).toMatchObject({ status: 'done', counts: { sent: 2, pending: 0 } });
    expect([...w.received.keys()].sort()).toEqual(['u-sec', 'u-suspended']);
    expect(w.received.get('u-sec')).toHaveLength(1);
  });

  it('records every skip reason with its detail (which mute, the channel’s refusal, the platform’s words), retries a transient error, records a permanent one', async () => {
    const w = world(connection);
    w.reach.set('u-sec', { reachable: false, reason: 'windowClosed' });
    w.reach.set('u-staff', { reachable: false, reason: 'blocked' });
    w.reach.set('u-instr', { reachable: false, reason: 'unsubscribed' });
    w.mutes.push({ workerId: W.deputy!.id, kind: 'all', until: null });
    w.behaviour.set('u-suspended', (n) => (n === 1 ? { ok: false, permanent: false, reason: 'ETIMEDOUT' } : { ok: true }));
    const id = await draft(w, {});
    let b = await sendAll(w, id);
    expect(b.status).toBe('sending');
    expect(b.counts).toMatchObject({ pending: 1, sent: 0, skipped: 4 });
    expect(b.skipped).toEqual({ unreachable: 1, blocked: 1, unsubscribed: 1, muted: 1 });
    const details = async (bid: string, status: 'skipped' | 'failed') => (await w.deps.deliveries.list(bid, { status }, undefined, 50)).items.map((d) => `${d.reason}/${d.detail ?? '-'}`).sort();
    // Each skipped recipient keeps what lies behind its reason: which mute, the channel's refusal.
    expect(await details(id, 'skipped')).toEqual(['blocked/blocked', 'muted/all', 'unreachable/windowClosed', 'unsubscribed/unsubscribed']);
    // The retry waits for its backoff on the app's clock.
    w.clock.advance(2_000);
    await sendRun(w.deps, id);
    b = (await w.deps.broadcasts.get(id))!;
    expect(b).toMatchObject({ status: 'done', counts: { pending: 0, sent: 1, skipped: 4 } });
    expect(w.received.get('u-suspended')![0]!.text).toBe('孙五同志：请参加培训。');

    const w2 = world(connection);
    w2.behaviour.set('u-sec', () => ({ ok: false, permanent: true, reason: 'Bad Request: chat not found' }));
    w2.behaviour.set('u-staff', () => ({ ok: false, permanent: true, reason: 'Forbidden: bot was blocked by the user' }));
    w2.behaviour.set('u-deputy', () => ({ ok: false, permanent: false, reason: 'ECONNRESET' }));
    const id2 = await draft(w2, { roles: ['secretary', 'staff', 'deputySecretary'] });
    await sendAll(w2, id2);
    for (let i = 0; i < 3; i++) {
      w2.clock.advance(300_000);
      await sendRun(w2.deps, id2);
    }
    const b2 = (await w2.deps.broadcasts.get(id2))!;
    expect(b2).toMatchObject({ status: 'done', counts: { sent: 1, failed: 2, skipped: 1 }, failed: { 'Bad_Request': 1, transient: 1 }, skipped: { blocked: 1 } });
    // A refusal by the platform keeps the platform's words.
    expect(await details(id2, 'skipped')).toEqual(['blocked/Forbidden: bot was blocked by the user']);
    expect(await details(id2, 'failed')).toEqual(['Bad_Request/Bad Request: chat not found', 'transient/ECONNRESET']);
  });

  it('expiry: nothing more goes out after expiresAt; the rest is skipped as expired', async () => {
    const w = world(connection);
    w.behaviour.set('u-sec', () => ({ ok: false, permanent: false, reason: 'ETIMEDOUT' }));
    const id = await draft(w, { roles: ['secretary'] }, { expiresAt: new Date(w.clock.now().getTime() + 3_600_000) });
    await sendAll(w, id);
    w.clock.advance(2 * 3_600_000);
    await sendRun(w.deps, id);
    const b = (await w.deps.broadcasts.get(id))!;
    expect(b).toMatchObject({ status: 'expired', counts: { sent: 1, skipped: 1, pending: 0 }, skipped: { expired: 1 } });
    expect(w.received.has('u-sec')).toBe(false);
  });

  it('pause stops the run before its next send; resume finishes it', async () => {
    const w = world(connection, { settings: { batchSize: 1, concurrency: 1 } });
    const id = await draft(w, {});
    w.onSend(async (n) => {
      if (n === 2) expect((await controlBroadcast(w.deps, NANJING, id, 'pause')).ok).toBe(true);
    });
    let b = await sendAll(w, id);
    expect(b).toMatchObject({ status: 'paused', counts: { sent: 2, pending: 3 } });
    w.onSend(null);
    expect((await controlBroadcast(w.deps, NANJING, id, 'resume')).ok).toBe(true);
    await sendRun(w.deps, id);
    b = (await w.deps.broadcasts.get(id))!;
    expect(b).toMatchObject({ status: 'done', counts: { sent: 5, pending: 0 } });
  });

  it('regression: cancelling mid-batch left the pending counter at -1 (the batch added its counts after the cancel recounted)', async () => {
    const w2 = world(connection, { settings: { batchSize: 1, concurrency: 1 } });
    const id2 = await draft(w2, {});
    w2.onSend(async (n) => {
      if (n === 1) expect((await controlBroadcast(w2.deps, NANJING, id2, 'cancel')).ok).toBe(true);
    });
    const b = await sendAll(w2, id2);
    expect(b).toMatchObject({ status: 'cancelled', counts: { sent: 1, skipped: 4, pending: 0 }, skipped: { cancelled: 4 } });
    expect(w2.received.size).toBe(1);
    expect(await controlBroadcast(w2.deps, NANJING, id2, 'resume')).toMatchObject({ ok: false, error: { status: 409 } });
  });

  it('quiet hours hold a notice until the morning and mute skips it, unless it is urgent', async () => {
    // 23:00 China time.
    const w = world(connection, { start: '2026-03-01T15:00:00Z' });
    w.mutes.push({ workerId: W.sec!.id, kind: 'all', until: null });
    const calm = await draft(w, { roles: ['secretary'] });
    let b = await sendAll(w, calm);
    expect(b).toMatchObject({ status: 'sending', counts: { sent: 0, skipped: 1, pending: 1 }, skipped: { muted: 1 } });
    // The one held says why, and when it goes (the recipients list shows both).
    const held = (await recipients(w.deps, NANJING, calm, { status: 'pending' }, undefined, 10)) as { ok: true; value: { items: { reason?: string; nextAt?: string }[] } };
    expect(held.value.items).toEqual([expect.objectContaining({ reason: 'quietHours', nextAt: expect.stringMatching(/^2026-03-02T0[0-2]:/) })]);
    const urgent = await draft(w, { roles: ['secretary'] }, { urgent: true });
    b = await sendAll(w, urgent);
    expect(b).toMatchObject({ status: 'done', counts: { sent: 2 } });
    expect(w.audits.some((a) => a.action === 'broadcast.create' && a.detail?.urgent === true)).toBe(true);
    // Morning: the held one goes out.
    w.clock.advance(10 * 3_600_000);
    await sendRun(w.deps, calm);
    expect((await w.deps.broadcasts.get(calm))!.counts).toMatchObject({ sent: 1, skipped: 1, pending: 0 });
  });

  it("regression: quiet hours a region set in the console did not hold its notices (the policy's were read); they do, as they hold its reminders", async () => {
    const policies = content().policies;
    const own = { ...reminderSettings(policies.forRegion('320102')), quietHours: { start: '09:00', end: '18:00', spreadMinutes: 30 } };
    const store = { all: async () => [{ region: '3201', settings: own, updatedAt: new Date('2026-02-01T00:00:00Z'), updatedBy: 'nj' }], get: async () => null, put: async () => {} };
    // 10:00 China time: outside the policy's quiet hours (22:00–08:00), inside Nanjing's own (09:00–18:00).
    const start = '2026-03-01T02:00:00Z';
    const w = world(connection, { start, regionSettings: createRegionSettingsView({ store, policies, clock: new TestClock(new Date(start)) }) });
    const id = await draft(w, { roles: ['secretary'] });
    expect(await sendAll(w, id)).toMatchObject({ status: 'sending', counts: { sent: 0, pending: 2 } });
    const held = (await recipients(w.deps, NANJING, id, { status: 'pending' }, undefined, 10)) as { ok: true; value: { items: { reason?: string; nextAt?: string }[] } };
    // 18:00 China time is 10:00Z, spread over the next 30 minutes.
    expect(held.value.items).toEqual([0, 1].map(() => expect.objectContaining({ reason: 'quietHours', nextAt: expect.stringMatching(/^2026-03-01T10:[0-2]\d:/) })));
    // Without the region's settings the same notice goes at once.
    const plain = world(connection, { start });
    expect(await sendAll(plain, await draft(plain, { roles: ['secretary'] }))).toMatchObject({ status: 'done', counts: { sent: 2 } });
  });

  it('a run that died leaves its in-flight sends unknown: held for the admin, or resent, by the broadcast setting', async () => {
    for (const inFlight of ['hold', 'resend'] as const) {
      const w = world(connection);
      const id = await draft(w, {}, { inFlight });
      expect((await sendBroadcast(w.deps, NANJING, id)).ok).toBe(true);
      await fanOut(w.deps, id);
      // A run of a process that died: it marked two deliveries sending and never finished them.
      const [d1, d2] = await w.deps.deliveries.duePending(id, w.clock.now(), 2);
      await w.deps.deliveries.markSending(d1!.id, 'dead-run', w.clock.now());
      await w.deps.deliveries.markSending(d2!.id, 'dead-run', w.clock.now());
      await sendRun(w.deps, id);
      let b = (await w.deps.broadcasts.get(id))!;
      if (inFlight === 'hold') {
        expect(b).toMatchObject({ status: 'done', counts: { sent: 3, unknown: 2, sending: 0 } });
        expect((await decideUnknown(w.deps, NANJING, id, 'resend')).ok).toBe(true);
        await sendRun(w.deps, id);
        b = (await w.deps.broadcasts.get(id))!;
      }
      expect(b).toMatchObject({ status: 'done', counts: { sent: 5, unknown: 0, sending: 0 } });
      expect(w.received.size).toBe(5);
    }
  });
});

describe('mute of notices alone and the daily cap shared with reminders', () => {
  it('a mute of notices ("退订 通知") skips a broadcast as muted; a mute of one reminder kind does not; urgent goes through', async () => {
    const w = world(connection);
    w.mutes.push({ workerId: W.sec!.id, kind: 'broadcast', until: null }, { workerId: W.staff!.id, kind: 'sessionStart', until: null });
    const b = await sendAll(w, await draft(w, { roles: ['secretary', 'staff'] }));
    expect(b).toMatchObject({ status: 'done', counts: { sent: 2, skipped: 1 }, skipped: { muted: 1 } });
    expect(w.received.has(W.sec!.userId)).toBe(false);
    expect(w.received.has(W.staff!.userId)).toBe(true);
    const urgent = await sendAll(w, await draft(w, { roles: ['secretary'] }, { urgent: true }));
    expect(urgent).toMatchObject({ status: 'done', counts: { sent: 2, skipped: 0 } });
  });

  it('a notice takes a slot of the reminders’ daily counter: over the cap it waits for the next morning; urgent ignores the cap', async () => {
    const reminders = createMongoReminderStore(connection);
    const w = world(connection, { takeDailySlot: (...a) => reminders.takeDailySlot(...a) });
    // 10:00 China time; the policy's cap is 3 a day. Two reminders already went to the secretary today.
    const day = '2026-03-01';
    expect(await reminders.takeDailySlot(W.sec!.id, day, 3)).toBe(true);
    expect(await reminders.takeDailySlot(W.sec!.id, day, 3)).toBe(true);
    const seg: Segment = { roles: ['secretary'], region: '320102' };
    const first = await sendAll(w, await draft(w, seg));
    expect(first).toMatchObject({ status: 'done', counts: { sent: 2 } });
    // The cap is reached now (2 reminders + this notice) for the secretary, not for the other one.
    const second = await sendAll(w, await draft(w, seg));
    expect(second).toMatchObject({ status: 'sending', counts: { sent: 1, pending: 1 } });
    const held = await w.deps.deliveries.duePending(second.id, new Date('2026-03-02T12:00:00Z'), 10);
    expect(held.map((d) => [d.workerId, d.reason])).toEqual([[W.sec!.id, 'dailyCap']]);
    // A reminder sent after it finds the day's slots used up as well: one counter for both.
    expect(await reminders.takeDailySlot(W.sec!.id, day, 3)).toBe(false);
    const urgent = await sendAll(w, await draft(w, seg, { urgent: true }));
    expect(urgent).toMatchObject({ status: 'done', counts: { sent: 2 } });
    // Next morning (after quiet hours): the held notice goes out.
    w.clock.advance(24 * 3_600_000);
    await sendRun(w.deps, second.id);
    expect((await w.deps.broadcasts.get(second.id))!).toMatchObject({ status: 'done', counts: { sent: 2, pending: 0 } });
  });
});

describe('unreachable with its reason', () => {
  it('a WeChat recipient outside the 48-hour window with no template is skipped as unreachable, the refusal kept as its detail', async () => {
    const w = world(connection);
    w.reach.set(W.sec!.userId, { reachable: false, reason: 'windowClosed' });
    w.reach.set(W.staff!.userId, { reachable: false, reason: 'unknownUser' });
    const drafted = await draft(w, { roles: ['secretary', 'staff'] });
    // The dry run says beforehand that two cannot be reached now and the third goes directly.
    const dry = await dryRun(w.deps, NANJING, drafted);
    expect(dry.ok && dry.value.byChannel).toEqual([{ channel: 'sim', recipients: 3, reachable: { window: 0, template: 0, subscribe: 0, direct: 1, none: 2 } }]);
    const id = (await sendAll(w, drafted)).id;
    expect((await w.deps.broadcasts.get(id))!).toMatchObject({ status: 'done', counts: { sent: 1, skipped: 2 }, skipped: { unreachable: 2 } });
    const page = await recipients(w.deps, NANJING, id, { status: 'skipped' }, undefined, 10);
    if (!page.ok) throw new Error('recipients refused');
    expect(page.value.items.map((r) => `${r.reason}:${r.detail}`).sort()).toEqual(['unreachable:unknownUser', 'unreachable:windowClosed']);
  });
});
