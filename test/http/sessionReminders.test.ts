/**
 * A session's reminders over the whole app on a moved clock: every worker holding a seat gets the start (and, for a
 * certification session, the exam) reminder; one withdrawal cancels only that worker's; a moved session moves
 * everyone's; a cancelled session cancels all. Reminders an earlier version keyed without the worker are moved to
 * the worker's key at start, and the seat holders who had lost theirs get them again, without doubles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingDeps } from '../../src/app/training/deps.ts';
import { restoreSessionReminders } from '../../src/app/training/sessionReminders.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createPiiCipher } from '../../src/infra/piiCipher.ts';
import { rekeyLegacySessionReminders } from '../../src/store/mongo/legacySessionReminders.ts';
import { createMongoReminderStore } from '../../src/store/mongo/reminderStore.ts';
import { createMongoTrainingRepository } from '../../src/store/mongo/trainingRepository.ts';
import { createMongoWorkerRepository } from '../../src/store/mongo/workerRepository.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { content } from '../support/engineHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  t = await startAdminApiApp('session_reminders');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const say = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');
const pushes = async (userId: string): Promise<string> => {
  const res = await fetch(`${t.app.url}/sim/api/pushes?userId=${encodeURIComponent(userId)}`);
  return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text).join('\n');
};
const count = (text: string, part: string) => text.split(part).length - 1;

/** A session starting at 14:00 China time on `day` (2026-03-dd), ending at 17:00. */
async function session(title: string, day: string, over: Record<string, unknown> = {}): Promise<string> {
  const r = await t.api('POST', '/training/sessions', token, {
    title,
    kind: 'continuing',
    regionCode: '320100',
    startsAt: `2026-03-${day}T14:00:00+08:00`,
    endsAt: `2026-03-${day}T17:00:00+08:00`,
    hours: 3,
    capacity: 2,
    enrolBy: `2026-03-${day}T08:00:00+08:00`,
    place: '南京市委党校',
    ...over,
  });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

async function enrol(userId: string, title: string): Promise<string> {
  const replies = await simSay(t.app.url, userId, '培训');
  const index = replies.flatMap((r) => r.choices ?? []).findIndex((c) => c.label.includes(title));
  expect(index).toBeGreaterThanOrEqual(0);
  return say(userId, String(index + 1));
}

async function moveTo(iso: string): Promise<void> {
  const ms = new Date(iso).getTime() - t.clock.now().getTime();
  expect(ms).toBeGreaterThan(0);
  t.clock.advance(ms);
  await t.app.scheduler.catchUp(ms);
}

const scheduledOf = (sessionId: string) =>
  t.db.collection<{ _id: string; kind: string; workerId: string; occurrence: string }>('reminders').find({ subject: sessionId, status: 'scheduled' }).toArray();

describe("a session's reminders", () => {
  it('regression: a session\'s start reminder reached only the last worker to enrol', async () => {
    const TITLE = '开课提醒测试班';
    await session(TITLE, '05');
    const [a, b] = [await t.worker(), await t.worker()];
    expect(await enrol(a.userId, TITLE)).toContain('已报名');
    expect(await enrol(b.userId, TITLE)).toContain('已报名');
    // A day before 14:00 on the 5th, and two hours before.
    await moveTo('2026-03-04T06:01:00Z');
    for (const w of [a, b]) expect(await pushes(w.userId)).toContain(`提醒：培训“${TITLE}”将于 2026-03-05 14:00 开始`);
    await moveTo('2026-03-05T04:01:00Z');
    for (const w of [a, b]) expect(count(await pushes(w.userId), `提醒：培训“${TITLE}”`)).toBe(1);
  });

  it('a continuing session has no exam: enrolling schedules the two start reminders (a day and two hours before) and no exam reminder', async () => {
    const TITLE = '继续教育无考试班';
    const id = await session(TITLE, '06');
    const w = await t.worker();
    expect(await enrol(w.userId, TITLE)).toContain('已报名');
    const mine = (await scheduledOf(id)).filter((r) => r.workerId === w.id);
    expect(mine.map((r) => r.kind)).toEqual(['sessionStart', 'sessionStart']);
  });

  it('one withdrawal cancels only that worker\'s reminders; a moved session moves everyone\'s, exam reminders included', async () => {
    const TITLE = '考试提醒测试班';
    const id = await session(TITLE, '12', { kind: 'certification', capacity: 3 });
    const [a, b, c] = [await t.worker(), await t.worker(), await t.worker()];
    for (const w of [a, b, c]) expect(await enrol(w.userId, TITLE)).toContain('已报名');
    expect((await simSay(t.app.url, c.userId, '取消报名')).flatMap((r) => r.choices ?? []).map((ch) => ch.label).join()).toContain(TITLE);
    expect(await say(c.userId, '1')).toContain('已取消报名');
    const before = await scheduledOf(id);
    // Start: 24 h and 2 h; exam: 24 h; for a and b only.
    expect(before.map((r) => `${r.kind}:${r.workerId}`).sort()).toEqual([a, a, a, b, b, b].map((w, i) => `${['examDate', 'sessionStart', 'sessionStart'][i % 3]}:${w.id}`).sort());

    const moved = await t.api('PATCH', `/training/sessions/${id}`, token, { startsAt: '2026-03-13T14:00:00+08:00', endsAt: '2026-03-13T17:00:00+08:00' });
    expect(moved.status).toBe(200);
    const after = await scheduledOf(id);
    expect(after).toHaveLength(6);
    expect(after.filter((r) => r.kind === 'sessionStart').every((r) => r.occurrence === '2026-03-13T06:00:00.000Z')).toBe(true);
    expect(after.filter((r) => r.kind === 'examDate').every((r) => r.occurrence === '2026-03-13T09:00:00.000Z')).toBe(true);
    await Promise.all([a, b, c].map((w) => pushes(w.userId)));

    await moveTo('2026-03-12T09:01:00Z');
    for (const w of [a, b]) {
      const told = await pushes(w.userId);
      expect(told).toContain(`提醒：培训“${TITLE}”将于 2026-03-13 14:00 开始`);
      expect(told).toContain(`提醒：培训“${TITLE}”的结业考试在 2026-03-13 17:00`);
    }
    expect(await pushes(c.userId)).not.toContain('提醒：培训');
  });

  it('a cancelled session cancels the reminders of all its seat holders', async () => {
    const TITLE = '取消提醒测试班';
    const id = await session(TITLE, '20');
    const [a, b] = [await t.worker(), await t.worker()];
    for (const w of [a, b]) expect(await enrol(w.userId, TITLE)).toContain('已报名');
    expect(await scheduledOf(id)).toHaveLength(4);
    expect((await t.api('POST', `/training/sessions/${id}/cancel`, token)).status).toBe(200);
    expect(await scheduledOf(id)).toHaveLength(0);
    await Promise.all([a, b].map((w) => pushes(w.userId)));
    await moveTo('2026-03-20T04:01:00Z');
    for (const w of [a, b]) expect(await pushes(w.userId)).not.toContain('提醒：培训');
  });

  it('reminders keyed without the worker (an earlier version) are moved to the worker\'s key, and the seat holders who lost theirs get them once', async () => {
    const TITLE = '旧提醒迁移测试班';
    const id = await session(TITLE, '28');
    const [a, b] = [await t.worker(), await t.worker()];
    for (const w of [a, b]) expect(await enrol(w.userId, TITLE)).toContain('已报名');
    // As an earlier version left them: one reminder per offset, b's (the last to enrol) under the key without a worker.
    const reminders = t.db.collection<Record<string, unknown> & { _id: string }>('reminders');
    const mine = await reminders.find({ subject: id, workerId: b.id }).toArray();
    expect(mine).toHaveLength(2);
    await reminders.deleteMany({ subject: id });
    await reminders.insertMany(mine.map((r) => ({ ...r, _id: r._id.split('|').slice(0, 4).join('|') })));

    const deps = {
      training: createMongoTrainingRepository(t.db),
      reminders: createMongoReminderStore(t.db),
      workers: createMongoWorkerRepository(t.db, createPiiCipher(t.key)),
      policies: content().policies,
      scheduler: t.app.scheduler,
      clock: t.clock,
      logger: createLogger('silent'),
    } as unknown as TrainingDeps;
    const sessions = await rekeyLegacySessionReminders(t.db);
    expect(sessions).toEqual([id]);
    expect(await rekeyLegacySessionReminders(t.db)).toEqual([]);
    expect(await restoreSessionReminders(deps, sessions)).toBe(2);
    const keys = (await scheduledOf(id)).map((r) => r._id);
    expect(keys).toHaveLength(4);
    expect(keys.every((k) => k.split('|').length === 5)).toBe(true);

    await Promise.all([a, b].map((w) => pushes(w.userId)));
    await moveTo('2026-03-28T04:01:00Z');
    for (const w of [a, b]) expect(count(await pushes(w.userId), `提醒：培训“${TITLE}”`)).toBe(2);
  });
});

describe('退订 without a kind', () => {
  it('regression: a bare 退订 muted every reminder with no confirmation', async () => {
    const w = await t.worker();
    const replies = await simSay(t.app.url, w.userId, '退订');
    const text = replies.map((r) => r.text).join('\n');
    expect(text).not.toContain('已退订');
    expect(text).toContain('要退订哪一类提醒');
    expect(replies.flatMap((r) => r.choices ?? []).map((c) => c.label)).toEqual(expect.arrayContaining(['培训开课', '考试', '全部提醒']));
    expect(await t.db.collection('reminder_mutes').countDocuments({ workerId: w.id })).toBe(0);
    expect(await say(w.userId, '考试')).toContain('已退订“考试”提醒');
    expect(await t.db.collection('reminder_mutes').find({ workerId: w.id }).project({ _id: 0, kind: 1 }).toArray()).toEqual([{ kind: 'examDate' }]);
    // With the kind in the message, it is done at once as before.
    expect(await say(w.userId, '退订 培训')).toContain('已退订“培训开课”提醒');
  });
});
