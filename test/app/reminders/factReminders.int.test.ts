/**
 * The reminder kinds caused by stored facts (and the exam, caused by an enrolment), each with a moved clock
 * against the real Mongo stores: it fires at its offset and once, waits out quiet hours, is skipped when muted
 * (年检 excepted: a deadline with consequences), goes into the digest over the daily cap (年检 excepted), is
 * cancelled when its cause goes away, and is skipped with the channel's reason when the worker cannot be reached.
 */
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReminderDeps } from '../../../src/app/reminders/deps.ts';
import { factChecks, factReminderSweep, idleConversationSweep, type FactReminderDeps } from '../../../src/app/reminders/factReminders.ts';
import type { RegionSettingsView } from '../../../src/app/reminders/regionSettings.ts';
import { reminderSweep } from '../../../src/app/reminders/sweep.ts';
import type { ReachAnswer } from '../../../src/app/ports/reach.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import type { TrainingDeps } from '../../../src/app/training/deps.ts';
import { examStillDue, scheduleSessionReminders } from '../../../src/app/training/sessionReminders.ts';
import { reminderSettings, type ReminderKind, type ReminderPolicy } from '../../../src/domain/policy/trainingSchema.ts';
import { addDays } from '../../../src/domain/certification/expiryNotice.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createMongoAnnualRecordRepository } from '../../../src/store/mongo/annualRecordRepository.ts';
import { createMongoCertificateRepository } from '../../../src/store/mongo/certificateRepository.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoReminderStore } from '../../../src/store/mongo/reminderStore.ts';
import { createMongoReminderSubjects } from '../../../src/store/mongo/reminderSubjects.ts';
import { createMongoTrainingRepository } from '../../../src/store/mongo/trainingRepository.ts';
import { sampleCertificateInput } from '../../support/certificationSamples.ts';
import { content } from '../../support/engineHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { TestClock } from '../../support/testClock.ts';

let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('fact_reminders'));
  createMongoReminderStore(connection);
  createMongoCertificateRepository(connection);
  createMongoAnnualRecordRepository(connection);
  createMongoTrainingRepository(connection);
  await Promise.all(Object.values(connection.models).map((m) => m.init()));
  await createMongoReminderSubjects(connection).init();
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});
// Every sweep reads every due reminder and every fact: each test starts from an empty database.
beforeEach(async () => {
  for (const c of await connection.db!.collections()) await c.deleteMany({});
});

/** 09:00 China time on 31 May 2026: every case below falls due then. */
const DUE = new Date('2026-05-31T01:00:00Z');
const MINUTE = 60_000;

function world() {
  const clock = new TestClock(new Date(DUE.getTime() - 10 * MINUTE));
  const sent: { userId: string; text: string }[] = [];
  const reachable = new Map<string, ReachAnswer>();
  const c = content();
  let override: ReminderPolicy | null = null;
  const regionSettings: RegionSettingsView = {
    effective: (code) => override ?? reminderSettings(c.policies.forRegion(code)),
    source: () => null,
    refresh: async () => {},
    regions: () => [],
  };
  const reminders = createMongoReminderStore(connection);
  const training = createMongoTrainingRepository(connection);
  const certificates = createMongoCertificateRepository(connection);
  const annual = createMongoAnnualRecordRepository(connection);
  const scheduler = { scheduleAt: async () => {} } as unknown as Scheduler;
  const logger = createLogger('silent');
  const facts: FactReminderDeps = { reminders, policies: c.policies, scheduler, clock, logger, translator: c.translator, regionSettings, subjects: createMongoReminderSubjects(connection), certificates, annual, training };
  const deps: ReminderDeps = {
    reminders,
    policies: c.policies,
    workers: { findById: async () => null },
    sender: { send: async (_ch, userId, messages) => (sent.push({ userId, text: messages.map((m) => m.text).join('\n') }), { ok: true }) },
    reach: async (_ch, userId) => reachable.get(userId) ?? { reachable: true, how: 'direct' },
    scheduler,
    translator: c.translator,
    clock,
    logger,
    regionSettings,
    checks: { ...factChecks(facts), examDate: examStillDue({ training }) },
  };
  const sweep = reminderSweep(deps);
  const factSweep = factReminderSweep(facts);
  const idleSweep = idleConversationSweep(facts);
  return {
    clock,
    sent,
    reachable,
    deps,
    facts,
    training,
    certificates,
    annual,
    sweep,
    /** Both fact sweeps, as their jobs would run them. */
    findFacts: async () => ({ ...(await factSweep()).scheduled, ...(await idleSweep()).scheduled }),
    settings: (change: (s: ReminderPolicy) => ReminderPolicy) => void (override = change(structuredClone(reminderSettings(c.policies.forRegion('320102'))))),
    at: (t: Date) => clock.advance(t.getTime() - clock.now().getTime()),
  };
}
type World = ReturnType<typeof world>;

let seq = 0;
async function addWorker(role: string, workStart: string) {
  const _id = new Types.ObjectId();
  const userId = `u${++seq}`;
  await connection.db!.collection('workers').insertOne({ _id, channel: 'sim', userId, accountKey: `sim:${userId}`, regionCode: '320102', role, workStart, name: '张三' });
  return { id: String(_id), userId };
}

interface Case {
  kind: ReminderKind;
  /** Creates the fact; returns the worker reminded and how to take the cause away. */
  arrange(w: World): Promise<{ workerId: string; userId: string; subject: string; removeCause(): Promise<void> }>;
  /** A word of the message. */
  says: string;
  consequential?: boolean;
}

const CASES: Case[] = [
  {
    kind: 'examDate',
    says: '结业考试',
    async arrange(w) {
      const worker = await addWorker('staff', '2020-01-01');
      const endsAt = new Date(DUE.getTime() + 24 * 3_600_000);
      const session = await w.training.create({ title: '初级培训班', kind: 'certification', levels: [], roles: [], stages: [], regionCode: '320100', startsAt: new Date(endsAt.getTime() - 8 * 3_600_000), endsAt, hours: 8, capacity: 10, enrolBy: new Date(DUE.getTime() - MINUTE), place: '党校', createdBy: 'a', createdAt: w.clock.now() });
      const r = await w.training.enrol(session, { workerId: worker.id, channel: 'sim', userId: worker.userId }, w.clock.now());
      if (r.status !== 'enrolled') throw new Error(r.status);
      await scheduleSessionReminders({ ...w.facts, reminders: w.deps.reminders } as unknown as TrainingDeps, session, { id: worker.id, regionCode: '320102' }, r.enrolment);
      return { workerId: worker.id, userId: worker.userId, subject: session.id, removeCause: async () => void (await w.training.cancel(session.id)) };
    },
  },
  {
    kind: 'inspectionDue',
    says: '年检',
    consequential: true,
    async arrange(w) {
      const worker = await addWorker('staff', '2020-01-01');
      const number = `N${++seq}`;
      // Issued 30 June 2025: the first 年检 is due on 30 June 2026, reminded a month before.
      await w.certificates.issue(sampleCertificateInput({ applicationId: `app-${number}`, workerId: worker.id, issuedOn: '2025-06-30', validUntil: '2028-06-29' }), 2025, () => number);
      const by = { kind: 'admin' as const, id: 'a', name: 'a' };
      return { workerId: worker.id, userId: worker.userId, subject: number, removeCause: async () => void (await w.annual.recordInspection(worker.id, number, 2026, { passed: true, recordedAt: w.clock.now().toISOString(), by })) };
    },
  },
  {
    kind: 'certificateExpiring',
    says: '有效期至 2026-06-30',
    async arrange(w) {
      const worker = await addWorker('staff', '2020-01-01');
      const number = `N${++seq}`;
      await w.certificates.issue(sampleCertificateInput({ applicationId: `app-${number}`, workerId: worker.id, issuedOn: '2023-07-01', validUntil: '2026-06-30' }), 2023, () => number);
      const by = { kind: 'admin' as const, id: 'a', name: 'a' };
      return { workerId: worker.id, userId: worker.userId, subject: number, removeCause: async () => void (await w.certificates.setStatus(number, 'revoked', 'left party work', by, w.clock.now())) };
    },
  },
  {
    kind: 'newSecretaryUntrained',
    says: '支部书记',
    async arrange(w) {
      // Took office 1 March 2026: the 91-day reminder is due on 31 May.
      const worker = await addWorker('secretary', addDays('2026-05-31', -91));
      const credit = { workerId: worker.id, sessionId: 's1', year: 2026, hours: 8, at: w.clock.now(), by: 'checkin' };
      return { workerId: worker.id, userId: worker.userId, subject: worker.id, removeCause: async () => void (await w.training.credit(credit)) };
    },
  },
  {
    kind: 'rotation',
    says: '满五年',
    async arrange() {
      const worker = await addWorker('deputySecretary', addDays('2026-05-31', -1765));
      // A new post: the old one's five years no longer run.
      const newPost = async () => void (await connection.db!.collection('workers').updateOne({ _id: new Types.ObjectId(worker.id) }, { $set: { role: 'secretary', workStart: '2026-05-01' } }));
      return { workerId: worker.id, userId: worker.userId, subject: worker.id, removeCause: newPost };
    },
  },
  {
    kind: 'hoursShort',
    says: '还差',
    async arrange(w) {
      const worker = await addWorker('staff', '2020-01-01');
      const credit = { workerId: worker.id, sessionId: 's2', year: 2026, hours: 100, at: w.clock.now(), by: 'checkin' };
      return { workerId: worker.id, userId: worker.userId, subject: worker.id, removeCause: async () => void (await w.training.credit(credit)) };
    },
  },
  {
    kind: 'abandonedConversation',
    says: '还没有办完',
    async arrange() {
      const worker = await addWorker('staff', '2020-01-01');
      const key = `sim:${worker.userId}`;
      // Left inside the declaration flow four hours before 09:00.
      await connection.db!.collection('conversations').insertOne({ _id: key as never, channel: 'sim', userId: worker.userId, flowId: 'declaration', stepId: 'level', locale: 'zh-CN', updatedAt: new Date(DUE.getTime() - 4 * 3_600_000), version: 1 });
      const wrote = async () => void (await connection.db!.collection('conversations').updateOne({ _id: key as never }, { $set: { updatedAt: new Date(DUE.getTime() - 5 * MINUTE) } }));
      return { workerId: worker.id, userId: worker.userId, subject: key, removeCause: wrote };
    },
  },
];

/** hoursShort counts from 1 October (the last quarter), the others from 31 May: the same tests at another date. */
const dueOf = (c: Case) => (c.kind === 'hoursShort' ? new Date('2026-10-01T01:00:00Z') : DUE);

async function arranged(c: Case, before: (w: World) => void = () => {}) {
  const w = world();
  before(w);
  const due = dueOf(c);
  w.at(new Date(due.getTime() - 10 * MINUTE));
  const fact = await c.arrange(w);
  const found = await w.findFacts();
  const mine = (await connection.db!.collection('reminders').find({ kind: c.kind, subject: fact.subject, status: 'scheduled' }).sort({ dueAt: 1 }).toArray())[0];
  return { w, due, fact, found, key: mine?._id as unknown as string | undefined };
}

describe.each(CASES)('$kind with a moved clock', (c) => {
  it('fires at its offset, not a second earlier, and once, however often the facts are swept', async () => {
    const { w, due, fact, key } = await arranged(c);
    expect(key, 'scheduled by the sweep').toBeDefined();
    expect((await w.deps.reminders.get(key!))!.dueAt.toISOString()).toBe(due.toISOString());
    await w.findFacts();
    expect(await connection.db!.collection('reminders').countDocuments({ _id: key as never })).toBe(1);
    w.at(new Date(due.getTime() - 1000));
    expect((await w.sweep()).sent).toBe(0);
    w.at(due);
    expect((await w.sweep()).sent).toBe(1);
    expect(w.sent.map((s) => s.userId)).toEqual([fact.userId]);
    expect(w.sent[0]!.text).toContain(c.says);
    await w.findFacts();
    expect((await w.sweep()).sent).toBe(0);
    expect(await w.deps.reminders.get(key!)).toMatchObject({ status: 'sent' });
  });

  it('due inside the quiet hours, it waits for their end', async () => {
    // Quiet hours around the due time (09:00 China time): 08:00-10:00.
    const { w, due, key } = await arranged(c, (w) => w.settings((s) => ({ ...s, quietHours: { start: '08:00', end: '10:00', spreadMinutes: 30 } })));
    const r = await w.deps.reminders.get(key!);
    expect(r!.sendAt.getTime()).toBeGreaterThanOrEqual(due.getTime() + 3_600_000);
    w.at(due);
    expect((await w.sweep()).sent).toBe(0);
    w.at(new Date(due.getTime() + 90 * MINUTE));
    expect((await w.sweep()).sent).toBe(1);
  });

  it(c.consequential ? 'muted, it still reaches the worker (a deadline with consequences)' : 'muted, it is skipped with the reason', async () => {
    const { w, due, fact, key } = await arranged(c);
    await w.deps.reminders.mute({ workerId: fact.workerId, kind: 'all', until: null });
    w.at(due);
    await w.sweep();
    expect(await w.deps.reminders.get(key!)).toMatchObject(c.consequential ? { status: 'sent' } : { status: 'skipped', reason: 'muted' });
  });

  it(c.consequential ? 'over the daily cap, it is sent all the same' : 'over the daily cap, it goes into the next morning\'s digest', async () => {
    const { w, due, fact, key } = await arranged(c);
    w.settings((s) => ({ ...s, dailyCap: 1 }));
    // Another reminder already went out to this worker today.
    expect(await w.deps.reminders.takeDailySlot(fact.workerId, due.toISOString().slice(0, 10), 1)).toBe(true);
    w.at(due);
    await w.sweep();
    expect(await w.deps.reminders.get(key!)).toMatchObject(c.consequential ? { status: 'sent' } : { status: 'digested', reason: 'dailyCap' });
  });

  it('is cancelled when its cause went away before it fell due', async () => {
    const { w, due, fact, key } = await arranged(c);
    await fact.removeCause();
    w.at(due);
    expect((await w.sweep()).sent).toBe(0);
    expect(await w.deps.reminders.get(key!)).toMatchObject({ status: 'cancelled', reason: 'factsChanged' });
    expect(w.sent).toEqual([]);
  });

  it('is skipped with the channel\'s reason when the worker cannot be reached', async () => {
    const { w, due, fact, key } = await arranged(c);
    w.reachable.set(fact.userId, { reachable: false, reason: 'blocked' });
    w.at(due);
    await w.sweep();
    expect(await w.deps.reminders.get(key!)).toMatchObject({ status: 'skipped', reason: 'unreachable:blocked' });
    const rows = await w.deps.reminders.summary('3201');
    expect(rows).toContainEqual({ kind: c.kind, status: 'skipped', reason: 'unreachable:blocked', count: 1 });
  });
});

describe('newSecretaryUntrained, the second offset', () => {
  it('five months (152 days) after taking office the untrained secretary is reminded again, at 09:00 China time', async () => {
    const w = world();
    const secretary = await addWorker('secretary', addDays('2026-05-31', -152));
    await w.findFacts();
    const [r] = await connection.db!.collection('reminders').find({ kind: 'newSecretaryUntrained', subject: secretary.id, status: 'scheduled' }).toArray();
    expect(r?.dueAt.toISOString()).toBe(DUE.toISOString());
    expect(r?.offsetHours).toBe(24 * 152);
    w.at(DUE);
    expect((await w.sweep()).sent).toBe(1);
    expect(w.sent[0]).toMatchObject({ userId: secretary.userId, text: expect.stringContaining('支部书记') });
  });
});

describe('fact reminders: what is not reminded', () => {
  it('a secretary trained since taking office, a worker with the hours, a revoked certificate and a conversation outside a flow get none', async () => {
    const w = world();
    w.at(new Date('2026-10-01T00:50:00Z'));
    const trained = await addWorker('secretary', addDays('2026-10-01', -91));
    await w.training.credit({ workerId: trained.id, sessionId: 's', year: 2026, hours: 100, at: new Date('2026-08-01T00:00:00Z'), by: 'checkin' });
    await w.certificates.issue(sampleCertificateInput({ applicationId: 'app-rev', workerId: trained.id, issuedOn: '2023-11-01', validUntil: '2026-10-31', status: 'revoked' }), 2023, () => 'REV1');
    await connection.db!.collection('conversations').insertOne({ _id: 'sim:idle' as never, channel: 'sim', userId: 'idle', flowId: null, stepId: null, locale: 'zh-CN', updatedAt: new Date('2026-09-30T20:50:00Z'), version: 1 });
    const found = await w.findFacts();
    expect(found).toEqual({});
  });

  it('a kind switched off in the region is not scheduled', async () => {
    const w = world();
    w.settings((s) => ({ ...s, kinds: { ...s.kinds, rotation: { enabled: false, offsetsHours: [24 * 1765] } } }));
    await addWorker('deputySecretary', addDays('2026-05-31', -1765));
    expect(await w.findFacts()).toEqual({});
  });
});
