/**
 * The admin's side of the rotation reminder over HTTP: GET /admin/api/reminders/rotation lists the workers of the
 * admin's region who reach five years in post within `days` (or have passed it), longest in post first, a page
 * at a time, with the state of the worker's own reminder; other regions, the role "other" and the newer posts
 * stay out; bad input is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminderKey } from '../../src/domain/reminders/reminder.ts';
import { createMongoReminderStore } from '../../src/store/mongo/reminderStore.ts';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  // The harness clock: 2026-03-01 (China time); with days=90 the list reaches five-year dates up to 2026-05-30.
  t = await startAdminApiApp('rotation_api');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

describe('GET /admin/api/reminders/rotation', () => {
  it('lists the region\'s workers near or past five years in post, longest first, paged, with their reminder', async () => {
    const past = await t.worker({ name: '张久任', role: 'secretary', region: '320102', workStart: '2021-01-10' });
    const soon = await t.worker({ name: '李将满', role: 'staff', region: '320104', workStart: '2021-05-01' });
    await t.worker({ name: '王新任', role: 'secretary', region: '320102', workStart: '2022-01-01' });
    await t.worker({ name: '赵其他', role: 'other', region: '320102', workStart: '2015-01-01' });
    await t.worker({ name: '钱外市', role: 'secretary', region: '320211', workStart: '2018-01-01' });
    // The worker's own reminder for this post, as the fact sweep schedules it.
    const store = createMongoReminderStore(t.db);
    const sendAt = new Date('2025-11-14T01:00:00Z');
    await store.schedule({ key: reminderKey('rotation', soon.id, 'staff:2021-05-01', 24 * 1765), kind: 'rotation', subject: soon.id, occurrence: 'staff:2021-05-01', offsetHours: 24 * 1765, workerId: soon.id, channel: soon.channel, userId: soon.userId, regionCode: '320104', dueAt: sendAt, sendAt, params: {} });

    const first = await t.api('GET', '/reminders/rotation?limit=1', token);
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([expect.objectContaining({ workerId: past.id, name: '张久任', role: 'secretary', since: '2021-01-10', fiveYears: '2026-01-10', daysLeft: -50, reminder: null })]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.api('GET', `/reminders/rotation?limit=1&cursor=${first.body.nextCursor}`, token);
    expect(second.body.items).toEqual([expect.objectContaining({ workerId: soon.id, name: '李将满', fiveYears: '2026-05-01', daysLeft: 61, reminder: { status: 'scheduled', sendAt: sendAt.toISOString(), sentAt: null } })]);
    expect(second.body.nextCursor).toBeUndefined();

    // A shorter horizon leaves out the one still two months away; a county admin sees only their county.
    expect((await t.api('GET', '/reminders/rotation?days=30', token)).body.items.map((r: { workerId: string }) => r.workerId)).toEqual([past.id]);
    const county = await t.api('GET', '/reminders/rotation', await t.token('鼓楼区', '320104'));
    expect(county.body.items.map((r: { workerId: string }) => r.workerId)).toEqual([soon.id]);
  });

  it('refuses a made-up cursor and an out-of-range horizon with the reason', async () => {
    const cursor = await t.api('GET', `/reminders/rotation?cursor=${Buffer.from('2021-01-10|nope').toString('base64url')}`, token);
    expect(cursor.status).toBe(400);
    expect(cursor.body.error).toMatch(/cursor/);
    const days = await t.api('GET', '/reminders/rotation?days=1000', token);
    expect(days.status).toBe(400);
    expect(days.body.error).toMatch(/days/);
  });
});
