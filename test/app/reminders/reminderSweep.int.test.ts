/**
 * Reminders with a moved clock, against the real Mongo store: each fires at its offset, waits out quiet hours,
 * respects mute (consequential deadlines excepted) and the daily cap (the rest go into a digest), is cancelled when
 * its cause goes away, is skipped with a reason when the channel cannot reach the worker, and two sweeping
 * instances never send one reminder twice.
 */
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReminderDeps } from '../../../src/app/reminders/deps.ts';
import { scheduleReminders, type ReminderRequest } from '../../../src/app/reminders/scheduleReminder.ts';
import { reminderSweep } from '../../../src/app/reminders/sweep.ts';
import { returnedApplicationReminders, returnedStillDue } from '../../../src/app/reminders/returnedApplication.ts';
import type { Application } from '../../../src/domain/certification/types.ts';
import { sampleApplication } from '../../support/certificationSamples.ts';
import type { ReachAnswer } from '../../../src/app/ports/reach.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoReminderStore } from '../../../src/store/mongo/reminderStore.ts';
import { TestClock } from '../../support/testClock.ts';
import { testDbUri, withDatabase } from '../../support/db.ts';
import { content } from '../../support/engineHarness.ts';

let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('reminder_sweep'));
  createMongoReminderStore(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

let n = 0;

function world(start: string) {
  const clock = new TestClock(new Date(start));
  const sent: { userId: string; text: string }[] = [];
  const reachable = new Map<string, ReachAnswer>();
  const facts = new Map<string, boolean>();
  const wakeUps: Date[] = [];
  const scheduler = { scheduleAt: async (_name: string, when: Date) => void wakeUps.push(when) } as unknown as Scheduler;
  const c = content();
  const deps: ReminderDeps = {
    reminders: createMongoReminderStore(connection),
    policies: c.policies,
    workers: { findById: async () => null },
    sender: { send: async (_ch, userId, messages) => (sent.push({ userId, text: messages.map((m) => m.text).join('\n') }), { ok: true }) },
    reach: async (_ch, userId) => reachable.get(userId) ?? { reachable: true, how: 'direct' },
    scheduler,
    translator: c.translator,
    clock,
    logger: createLogger('silent'),
    checks: { sessionStart: async (r) => facts.get(r.subject) ?? true },
  };
  const tag = `t${++n}`;
  const worker = (i: number) => ({ id: `${tag}-w${i}`, channel: 'sim', userId: `${tag}-u${i}`, regionCode: '320102' });
  const session = (subject: string, startsAt: string, w = worker(1)): ReminderRequest => ({
    kind: 'sessionStart',
    subject: `${tag}-${subject}`,
    occurrence: startsAt,
    eventAt: new Date(startsAt),
    direction: 'before',
    worker: w,
    params: { title: `课程${subject}`, startsAt, place: '党校' },
  });
  const sweep = reminderSweep(deps);
  return { clock, sent, reachable, facts, deps, sweep, session, worker, tag, wakeUps, at: (iso: string) => clock.advance(new Date(iso).getTime() - clock.now().getTime()) };
}

describe('reminders with a moved clock', () => {
  it('a session reminder fires the day before and two hours before, not earlier, once each', async () => {
    const w = world('2026-04-01T00:00:00Z');
    // Starts 10:00 China time on 10 April: due 10:00 on the 9th and 08:00 on the 10th.
    const keys = await scheduleReminders(w.deps, w.session('a', '2026-04-10T02:00:00Z'));
    expect(keys).toHaveLength(2);
    expect(w.wakeUps.map((d) => d.toISOString()).sort()).toEqual(['2026-04-09T02:00:00.000Z', '2026-04-10T00:00:00.000Z']);
    w.at('2026-04-09T01:59:59Z');
    expect((await w.sweep()).sent).toBe(0);
    w.at('2026-04-09T02:00:00Z');
    expect((await w.sweep()).sent).toBe(1);
    expect(w.sent[0]!.text).toContain('课程a');
    expect((await w.sweep()).sent).toBe(0);
    w.at('2026-04-10T00:00:00Z');
    expect((await w.sweep()).sent).toBe(1);
    expect(w.sent).toHaveLength(2);
  });

  it('scheduling the same reminder again replaces it; a moved session gets new reminders and the old ones cancelled', async () => {
    const w = world('2026-04-01T00:00:00Z');
    const req = w.session('b', '2026-04-10T02:00:00Z');
    await scheduleReminders(w.deps, req);
    await scheduleReminders(w.deps, req);
    expect(await connection.db!.collection('reminders').countDocuments({ subject: req.subject })).toBe(2);
    expect(await w.deps.reminders.cancel('sessionStart', req.subject)).toBe(2);
    await scheduleReminders(w.deps, w.session('b', '2026-04-12T02:00:00Z'));
    w.at('2026-04-10T03:00:00Z');
    expect((await w.sweep()).sent).toBe(0);
    w.at('2026-04-11T02:00:00Z');
    expect((await w.sweep()).sent).toBe(1);
  });

  it('a reminder due in quiet hours waits for the morning, spread over the first half hour', async () => {
    const w = world('2026-04-01T00:00:00Z');
    // Starts at 00:00 China time: the two-hours-before reminder falls at 22:00, inside 22:00-08:00.
    const [, late] = await scheduleReminders(w.deps, w.session('c', '2026-04-10T16:00:00Z'));
    const r = await w.deps.reminders.get(late!);
    expect(r!.dueAt.toISOString()).toBe('2026-04-10T14:00:00.000Z');
    // 08:00 China time is 00:00Z; the spread stays within 30 minutes.
    expect(r!.sendAt.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-04-11T00:00:00Z'));
    expect(r!.sendAt.getTime()).toBeLessThan(Date.parse('2026-04-11T00:30:00Z'));
    // 22:00 China time: quiet. The day-before reminder (due at midnight, moved to 08:00 on the 10th) was left
    // waiting until now, and quiet hours have begun again: it waits for the morning too.
    w.at('2026-04-10T14:00:00Z');
    expect(await w.sweep()).toMatchObject({ sent: 0, postponed: 1 });
    w.at('2026-04-11T00:30:00Z');
    expect((await w.sweep()).sent).toBe(2);
  });

  it('a muted kind is skipped with the reason; a consequential deadline reaches the worker even when all is muted', async () => {
    const w = world('2026-04-01T00:00:00Z');
    const worker = w.worker(1);
    await w.deps.reminders.mute({ workerId: worker.id, kind: 'all', until: null });
    const [key] = await scheduleReminders(w.deps, w.session('d', '2026-04-03T02:00:00Z', worker));
    await scheduleReminders(w.deps, { kind: 'returnedApplication', subject: `${w.tag}-app`, occurrence: '2026-03-31', eventAt: new Date('2026-03-31T02:00:00Z'), direction: 'after', worker, params: { level: '中级', note: '补充材料' } });
    w.at('2026-04-03T02:00:00Z');
    const tally = await w.sweep();
    expect(tally.sent).toBe(1);
    expect(w.sent[0]!.text).toContain('退回');
    expect(await w.deps.reminders.get(key!)).toMatchObject({ status: 'skipped', reason: 'muted' });
    // 恢复提醒: the next one goes out.
    await w.deps.reminders.unmuteAll(worker.id);
    await scheduleReminders(w.deps, w.session('d2', '2026-04-05T02:00:00Z', worker));
    w.at('2026-04-04T02:00:00Z');
    expect((await w.sweep()).sent).toBe(1);
  });

  it('over the daily cap the rest go into one digest the next morning', async () => {
    const w = world('2026-04-01T00:00:00Z');
    const worker = w.worker(1);
    for (const s of ['e1', 'e2', 'e3', 'e4', 'e5']) await scheduleReminders(w.deps, w.session(s, '2026-04-03T02:00:00Z', worker));
    w.at('2026-04-02T02:00:00Z');
    const tally = await w.sweep();
    expect(tally).toMatchObject({ sent: 3, digested: 2 });
    expect(w.sent).toHaveLength(3);
    w.at('2026-04-03T00:31:00Z');
    await w.sweep();
    const digest = w.sent[w.sent.length - 1]!;
    expect(digest.text).toContain('今天还有 2 条提醒');
  });

  it('is cancelled when its cause went away, and skipped with the channel reason when the worker cannot be reached', async () => {
    const w = world('2026-04-01T00:00:00Z');
    const gone = w.session('f', '2026-04-03T02:00:00Z', w.worker(1));
    const [goneKey] = await scheduleReminders(w.deps, gone);
    w.facts.set(gone.subject, false);
    const unreachable = w.worker(2);
    w.reachable.set(unreachable.userId, { reachable: false, reason: 'windowClosed' });
    const [farKey] = await scheduleReminders(w.deps, w.session('g', '2026-04-03T02:00:00Z', unreachable));
    w.at('2026-04-02T02:00:00Z');
    expect(await w.sweep()).toMatchObject({ sent: 0, cancelled: 1, skipped: 1 });
    expect(await w.deps.reminders.get(goneKey!)).toMatchObject({ status: 'cancelled', reason: 'factsChanged' });
    expect(await w.deps.reminders.get(farKey!)).toMatchObject({ status: 'skipped', reason: 'unreachable:windowClosed' });
    const rows = await w.deps.reminders.summary('3201');
    expect(rows).toContainEqual(expect.objectContaining({ kind: 'sessionStart', status: 'skipped', reason: 'unreachable:windowClosed' }));
  });

  it('two instances sweeping at once send each reminder exactly once', async () => {
    const a = world('2026-04-01T00:00:00Z');
    const b = world('2026-04-01T00:00:00Z');
    for (let i = 0; i < 60; i++) await scheduleReminders(a.deps, a.session(`h${i}`, '2026-04-03T02:00:00Z', a.worker(i)));
    a.at('2026-04-02T02:00:00Z');
    b.at('2026-04-02T02:00:00Z');
    const [ta, tb] = await Promise.all([a.sweep(), b.sweep()]);
    expect(ta.sent + tb.sent).toBe(60);
    const users = [...a.sent, ...b.sent].map((s) => s.userId);
    expect(new Set(users).size).toBe(60);
    expect(users).toHaveLength(60);
  });

  it('a reminder scheduled by an instance that then stopped is sent by one started after it, once', async () => {
    // Nothing lives in the process: the reminder is a record, so a new instance (its own connection and stores) sends it.
    const before = world('2026-04-01T00:00:00Z');
    const [key] = await scheduleReminders(before.deps, before.session('restart', '2026-04-03T02:00:00Z'));
    const second = await connectMongo(withDatabase(inject('mongoUri'), connection.db!.databaseName));
    try {
      const after = world('2026-04-01T00:00:00Z');
      after.deps.reminders = createMongoReminderStore(second);
      after.at('2026-04-02T02:00:00Z');
      await after.sweep();
      expect(after.sent.filter((m) => m.text.includes('课程restart'))).toHaveLength(1);
      expect(await after.deps.reminders.get(key!)).toMatchObject({ status: 'sent' });
      await after.sweep();
      expect(after.sent.filter((m) => m.text.includes('课程restart'))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('a returned application is reminded 3 and 7 days after the return, and not once resubmitted', async () => {
    // Reminders left scheduled by the tests above would fall due too: start from none.
    await connection.db!.collection('reminders').deleteMany({});
    const w = world('2026-04-01T00:00:00Z');
    const apps = new Map<string, Application>();
    w.deps.checks.returnedApplication = returnedStillDue({ get: async (id) => apps.get(id) ?? null });
    const follow = returnedApplicationReminders(w.deps);
    const base = sampleApplication({ id: `${w.tag}-app`, workerId: `${w.tag}-w`, userId: `${w.tag}-u`, channel: 'sim' });
    const returned: Application = {
      ...base,
      status: 'returned',
      history: [...base.history, { at: '2026-04-01T00:00:00.000Z', actor: { kind: 'admin', id: 'a', name: 'a' }, action: 'return', fromStage: base.stage, toStage: base.stage, fromStatus: 'open', toStatus: 'returned', note: '补充证明' }],
    };
    apps.set(returned.id, returned);
    await follow(returned);
    w.at('2026-04-03T23:59:00Z');
    expect((await w.sweep()).sent).toBe(0);
    w.at('2026-04-04T00:30:00Z');
    expect((await w.sweep()).sent).toBe(1);
    expect(w.sent[0]!.text).toContain('补充证明');
    // Resubmitted: the 7-day reminder is cancelled (by the hook, and by the check if the hook had been missed).
    const resubmitted: Application = { ...returned, status: 'open' };
    apps.set(returned.id, resubmitted);
    await follow(resubmitted);
    w.at('2026-04-08T01:00:00Z');
    expect((await w.sweep()).sent).toBe(0);
    expect(await connection.db!.collection('reminders').countDocuments({ subject: returned.id, status: 'cancelled' })).toBe(1);
  });

  it('a returned application left unresubmitted is reminded again 7 days after the return, even with every kind muted', async () => {
    await connection.db!.collection('reminders').deleteMany({});
    const w = world('2026-04-01T00:00:00Z');
    const base = sampleApplication({ id: `${w.tag}-app`, workerId: `${w.tag}-w`, userId: `${w.tag}-u`, channel: 'sim' });
    const returned: Application = {
      ...base,
      status: 'returned',
      history: [...base.history, { at: '2026-04-01T00:00:00.000Z', actor: { kind: 'admin', id: 'a', name: 'a' }, action: 'return', fromStage: base.stage, toStage: base.stage, fromStatus: 'open', toStatus: 'returned', note: '补充任职证明' }],
    };
    w.deps.checks.returnedApplication = returnedStillDue({ get: async (id) => (id === returned.id ? returned : null) });
    await w.deps.reminders.mute({ workerId: returned.workerId, kind: 'all', until: null });
    await returnedApplicationReminders(w.deps)(returned);
    w.at('2026-04-04T00:30:00Z');
    expect((await w.sweep()).sent).toBe(1);
    w.at('2026-04-07T23:59:00Z');
    expect((await w.sweep()).sent).toBe(0);
    w.at('2026-04-08T00:30:00Z');
    expect((await w.sweep()).sent).toBe(1);
    expect(w.sent.map((m) => m.userId)).toEqual([returned.userId, returned.userId]);
    expect(w.sent[1]!.text).toContain('补充任职证明');
  });
});
