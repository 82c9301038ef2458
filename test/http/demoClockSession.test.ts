/**
 * Demo mode moves the app's time forward for the pipeline (notices, sweeps); a console session's idle and
 * absolute lifetimes are about the person at the keyboard, so they follow the real clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { consoleClient } from '../support/consoleClient.ts';

const PASSWORD = 'correct horse battery';
let r: AdminApiApp;

beforeAll(async () => {
  // The test database is a throwaway, so demo mode may run on it.
  r = await startAdminApiApp('demo_clock_session', { env: { DEMO_MODE: 'true', DEMO_MODE_ALLOW_REAL_DB: 'true' } });
});
afterAll(() => r?.stop());

describe('admin sessions under the demo clock', () => {
  it('regression: an admin\'s console session expired at once when the demo clock was moved forward', async () => {
    await r.account({ username: 'demo-admin', password: PASSWORD, regionCode: '320100' });
    const c = consoleClient(r.app.url);
    expect((await c.login('demo-admin', PASSWORD)).status).toBe(200);
    // Two days forward: far past the 30-minute idle time and the 12-hour lifetime, had the session read this clock.
    const moved = await c.call('POST', '/demo/clock', { advanceDays: 2 });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.now).toBe('2026-03-03T02:00:00.000Z');
    const after = await c.call('GET', '/session');
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.account.username).toBe('demo-admin');
    // The session still acts (CSRF and all) on the moved clock's pipeline.
    expect((await c.call('POST', '/demo/clock', { advanceHours: 1 })).status).toBe(200);
  });

  it('still ends a session idle for longer than the idle time on the real clock', async () => {
    await r.account({ username: 'idle-admin', password: PASSWORD, regionCode: '320100' });
    const c = consoleClient(r.app.url);
    expect((await c.login('idle-admin', PASSWORD)).status).toBe(200);
    r.clock.advance(31 * 60_000);
    const after = await c.call('GET', '/session');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('sessionExpired');
  });
});
