/**
 * `npm run bench:reminders`: the two figures on the embedded database (memory backend).
 *
 * 1. 10,000 reminders falling due within the same minute, swept by two app instances (each with its own
 *    connection and agenda scheduler, both defining the sweep job): all sent within 60 s of the minute's end,
 *    lateness (sent minus send time) p99 ≤ 5 s, none sent twice.
 * 2. 500 workers enrolling at once in a session of 100 seats: exactly 100 enrolled, 400 waiting, in arrival order.
 *
 * Each reminder is for its own worker (so the daily cap does not hold any back) and quiet hours are switched off
 * (the bench runs at whatever hour it is run); everything else is the production path: scheduleReminders, the
 * keyed wake-up jobs, the sweep with its claim, reach check, cap counter and send.
 */
import type { Connection } from 'mongoose';
import { reminderPolicySchema } from '../src/domain/policy/trainingSchema.ts';
import type { PolicySet } from '../src/domain/policy/load.ts';
import type { ReminderDeps } from '../src/app/reminders/deps.ts';
import { scheduleReminders } from '../src/app/reminders/scheduleReminder.ts';
import { reminderSweepJob } from '../src/app/reminders/sweep.ts';
import { systemClock } from '../src/app/ports/clock.ts';
import type { Scheduler } from '../src/app/ports/scheduler.ts';
import { createLogger } from '../src/infra/logger.ts';
import { createAgendaScheduler } from '../src/scheduler/agenda/agendaScheduler.ts';
import { startEmbeddedMongo } from '../src/store/embedded/launcher.ts';
import { connectMongo } from '../src/store/mongo/connection.ts';
import { createMongoReminderStore } from '../src/store/mongo/reminderStore.ts';
import { createMongoTrainingRepository } from '../src/store/mongo/trainingRepository.ts';
import { content } from '../test/support/engineHarness.ts';
import { exitSoonAfterStop, fmt, heading, ms, out, pct, row, runBench, status } from './support/report.ts';

const REMINDERS = Number(process.env.BENCH_REMINDERS ?? 10_000);
// Scheduling 10,000 one by one (an upsert and a keyed wake-up each) takes a while on a loaded machine: start early.
const LEAD_MS = Number(process.env.BENCH_LEAD_SECONDS ?? 150) * 1000;

async function benchReminders(uri: string): Promise<boolean> {
  heading(`1. ${fmt(REMINDERS)} reminders due within one minute, two app instances`);
  const logger = createLogger('warn');
  const c = content();
  const settings = reminderPolicySchema.parse({ quietHours: { start: '00:00', end: '00:00', spreadMinutes: 0 }, dailyCap: 3 });
  const policies = { forRegion: () => ({ reminders: settings }) } as unknown as PolicySet;
  const sends = new Map<string, number>();
  const lateness: number[] = [];
  let lastSentAt = 0;
  const instances: { connection: Connection; scheduler: Scheduler; deps: ReminderDeps }[] = [];
  for (let i = 0; i < 2; i++) {
    const connection = await connectMongo(uri);
    const reminders = createMongoReminderStore(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const scheduler = createAgendaScheduler({ db: connection.db!, logger, clock: systemClock, processEvery: '1 second' });
    const deps: ReminderDeps = {
      reminders,
      policies,
      workers: { findById: async () => null },
      sender: {
        send: async (_channel, userId) => {
          const now = Date.now();
          sends.set(userId, (sends.get(userId) ?? 0) + 1);
          lateness.push(now - sendAtOf.get(userId)!);
          lastSentAt = Math.max(lastSentAt, now);
          return { ok: true };
        },
      },
      reach: async () => ({ reachable: true, how: 'direct' }),
      scheduler,
      translator: c.translator,
      clock: systemClock,
      logger,
      checks: {},
    };
    scheduler.define(reminderSweepJob(deps));
    await scheduler.start();
    instances.push({ connection, scheduler, deps });
  }
  const sendAtOf = new Map<string, number>();
  const minuteStart = Math.ceil((Date.now() + LEAD_MS) / 60_000) * 60_000;
  status(`scheduling ${fmt(REMINDERS)} reminders due between ${new Date(minuteStart).toISOString()} and a minute later`);
  const t0 = performance.now();
  for (let i = 0; i < REMINDERS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, REMINDERS - i) }, async (_, j) => {
        const n = i + j;
        const dueAt = minuteStart + Math.floor((n / REMINDERS) * 60_000);
        await scheduleReminders(instances[n % 2]!.deps, {
          kind: 'sessionStart',
          subject: `bench-session-${n}`,
          occurrence: 'o',
          eventAt: new Date(dueAt + 2 * 3_600_000),
          direction: 'before',
          worker: { id: `w${n}`, channel: 'sim', userId: `u${n}`, regionCode: '320102' },
          params: { title: '培训', startsAt: '', place: '' },
        });
        sendAtOf.set(`u${n}`, dueAt);
      }),
    );
  }
  row('scheduling', ms(performance.now() - t0), `${fmt(REMINDERS / ((performance.now() - t0) / 1000))} per second`);
  if (Date.now() > minuteStart) out('warning: scheduling ran into the minute; lateness includes it');
  const deadline = minuteStart + 60_000 + 60_000;
  while (sends.size < REMINDERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const twice = [...sends.values()].filter((v) => v > 1).length;
  const afterMinute = (lastSentAt - (minuteStart + 60_000)) / 1000;
  row('sent', `${fmt(sends.size)} of ${fmt(REMINDERS)}`, sends.size === REMINDERS ? 'all' : 'MISSING SOME');
  row('sent twice', fmt(twice), twice === 0 ? 'none' : 'DUPLICATES');
  row('last sent after the minute ended', `${fmt(Math.max(0, afterMinute), 1)} s`, 'target ≤ 60 s');
  row('lateness (sent − send time)', `p50 ${ms(pct(lateness, 50))}`, `p99 ${ms(pct(lateness, 99))}, max ${ms(pct(lateness, 100))}; target p99 ≤ 5 s`);
  for (const i of instances) {
    await i.scheduler.stop(10_000);
    await i.connection.close();
  }
  return sends.size === REMINDERS && twice === 0 && pct(lateness, 99) <= 5000 && afterMinute <= 60;
}

async function benchEnrolment(uri: string): Promise<boolean> {
  heading('2. 500 workers enrolling at once in a session of 100 seats');
  const connection = await connectMongo(uri);
  try {
    const repo = createMongoTrainingRepository(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const now = new Date();
    const session = await repo.create({
      title: 'bench', kind: 'continuing', levels: [], roles: [], stages: [], regionCode: '320100', startsAt: new Date(now.getTime() + 86_400_000),
      endsAt: new Date(now.getTime() + 90_000_000), hours: 8, capacity: 100, enrolBy: new Date(now.getTime() + 80_000_000), place: 'x', createdBy: 'bench', createdAt: now,
    });
    const t0 = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 500 }, (_, i) => repo.enrol(session, { workerId: `w${i}`, channel: 'sim', userId: `u${i}` }, now)));
    const took = performance.now() - t0;
    const counts = await repo.counts(session.id);
    const seqs = (await repo.enrolmentsOfSession(session.id)).map((e) => e.seq);
    const ordered = new Set(seqs).size === seqs.length && seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);
    row('enrolled / waiting', `${counts.enrolled} / ${counts.waiting}`, counts.enrolled === 100 && counts.waiting === 400 ? 'exact' : 'WRONG');
    row('arrival numbers', ordered ? 'unique, one strict order' : 'REPEATED', `${outcomes.filter((o) => o.status === 'waiting').length} answered "waiting"`);
    row('500 enrolments', ms(took), `${fmt(500 / (took / 1000))} per second`);
    return counts.enrolled === 100 && counts.waiting === 400 && ordered;
  } finally {
    await connection.close();
  }
}

await runBench('bench:reminders', async () => {
  const mongo = await startEmbeddedMongo({ backend: 'memory' });
  let ok = false;
  try {
    const a = await benchReminders(`${mongo.uri}bench_reminders`);
    const b = await benchEnrolment(`${mongo.uri}bench_enrolment`);
    ok = a && b;
  } finally {
    await mongo.stop();
  }
  out();
  out(ok ? 'all targets met' : 'SOME TARGETS MISSED');
  if (!ok) process.exitCode = 1;
});
exitSoonAfterStop();
