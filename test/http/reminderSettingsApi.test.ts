/**
 * Per-region reminder settings over the admin API (GET/PUT /admin/api/reminders/settings?region=): the policy's
 * by default, zod-checked, in the admin's scope, audited, inherited by the regions below, and used by the
 * reminders scheduled afterwards; and the summary over a date range.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let city: string;
beforeAll(async () => {
  t = await startAdminApiApp('reminder_settings_api');
  city = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const HOUR = 3_600_000;

describe('reminder settings per region', () => {
  it('answers the policy\'s settings until a region sets its own', async () => {
    const r = await t.api('GET', '/reminders/settings', city);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: '3201', source: 'policy', from: null, settings: { dailyCap: 3, quietHours: { start: '22:00', end: '08:00' } } });
    expect(r.body.settings.kinds.sessionStart.offsetsHours).toEqual([24, 2]);
  });

  it('refuses a bad body with the fields named, and changes nothing', async () => {
    const bad = await t.api('PUT', '/reminders/settings', city, { dailyCap: 0, quietHours: { start: '25:00' }, kinds: { rotation: { offsetsHours: [] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/dailyCap/);
    expect(bad.body.error).toMatch(/quietHours\.start: times are HH:MM/);
    expect(bad.body.error).toMatch(/kinds\.rotation\.offsetsHours/);
    const unknown = await t.api('PUT', '/reminders/settings', city, { kinds: { birthday: {} } });
    expect(unknown.status).toBe(400);
    expect((await t.api('GET', '/reminders/settings?region=32x', city)).status).toBe(400);
    expect((await t.api('GET', '/reminders/settings', city)).body.source).toBe('policy');
  });

  it('refuses another region and a level-restricted admin, and audits the refusals', async () => {
    expect((await t.api('GET', '/reminders/settings?region=3202', city)).status).toBe(403);
    const other = await t.api('PUT', '/reminders/settings?region=3202', city, { dailyCap: 2 });
    expect(other.status).toBe(403);
    expect(other.body.error).toMatch(/outside your region/);
    const junior = await t.token('南京市初级', '320100', ['junior']);
    const restricted = await t.api('PUT', '/reminders/settings', junior, { dailyCap: 2 });
    expect(restricted.status).toBe(403);
    expect(restricted.body.error).toMatch(/every level/);
    const trail = await t.api('GET', '/audit?target=region:3202', city);
    expect(trail.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'reminders.settings', outcome: 'refused' })]));
    expect((await t.api('GET', '/reminders/settings', city)).body.source).toBe('policy');
  });

  it('a city\'s settings are audited, inherited by its counties, and used by the reminders scheduled next', async () => {
    const put = await t.api('PUT', '/reminders/settings', city, { dailyCap: 1, kinds: { sessionStart: { offsetsHours: [48] }, rotation: { enabled: false } } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ region: '3201', source: 'region', from: '3201', settings: { dailyCap: 1, quietHours: { start: '22:00' } } });
    expect(put.body.settings.kinds.rotation.enabled).toBe(false);
    const county = await t.api('GET', '/reminders/settings?region=320102', city);
    expect(county.body).toMatchObject({ region: '320102', source: 'inherited', from: '3201', settings: { dailyCap: 1 } });
    const trail = await t.api('GET', '/audit?target=region:3201', city);
    expect(trail.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'reminders.settings', outcome: 'done' })]));

    // A worker of 320102 enrols: one reminder, 48 hours before the start (the city's offsets, not the policy's 24 and 2).
    const startsAt = new Date(t.clock.now().getTime() + 10 * 24 * HOUR);
    const session = await t.api('POST', '/training/sessions', city, {
      title: '提醒设置测试班',
      kind: 'continuing',
      regionCode: '320100',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 8 * HOUR).toISOString(),
      hours: 8,
      capacity: 5,
      enrolBy: startsAt.toISOString(),
      place: '党校',
    });
    expect(session.status).toBe(201);
    const w = await t.worker();
    await simSay(t.app.url, w.userId, '培训');
    await simSay(t.app.url, w.userId, '1');
    const mine = await t.db.collection('reminders').find({ subject: session.body.id }).toArray();
    expect(mine.map((r) => (r.dueAt as Date).toISOString())).toEqual([new Date(startsAt.getTime() - 48 * HOUR).toISOString()]);

    // The summary over a range that holds the due time counts it; a range that does not, does not.
    const due = new Date(startsAt.getTime() - 48 * HOUR);
    const inRange = await t.api('GET', `/reminders/summary?from=${encodeURIComponent(new Date(due.getTime() - HOUR).toISOString())}&to=${encodeURIComponent(new Date(due.getTime() + HOUR).toISOString())}`, city);
    expect(inRange.status).toBe(200);
    expect(inRange.body.rows).toContainEqual({ kind: 'sessionStart', status: 'scheduled', reason: null, count: 1 });
    const before = await t.api('GET', `/reminders/summary?to=${encodeURIComponent(new Date(due.getTime() - HOUR).toISOString())}`, city);
    expect(before.body.rows).toEqual([]);
    const backwards = await t.api('GET', `/reminders/summary?from=${encodeURIComponent(due.toISOString())}&to=${encodeURIComponent(new Date(due.getTime() - HOUR).toISOString())}`, city);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatch(/from must be before to/);
    expect((await t.api('GET', '/reminders/summary?from=yesterday', city)).status).toBe(400);
  });
});
