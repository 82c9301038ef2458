/**
 * The console's login over HTTP, through the real app and database: the session cookie and its flags, CSRF on
 * unsafe cookie requests (and none with a bearer token), idle and absolute expiry on the test clock, revoking and
 * logging out (dead server-side), and the temporary-password gate. docs/console-accounts.md describes the rules.
 * The app trusts a proxy here (TRUST_PROXY), so each test logs in from its own X-Forwarded-For address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { consoleClient, type ConsoleClient } from '../support/consoleClient.ts';

const MIN = 60_000;
const PASSWORD = 'correct horse battery';
let r: AdminApiApp;
let seq = 0;

beforeAll(async () => {
  r = await startAdminApiApp('console_sessions', { env: { TRUST_PROXY: 'true' } });
});
afterAll(() => r?.stop());

/** A fresh account in Nanjing and a client from an address of its own. */
async function fresh(over: { mustChangePassword?: boolean; regionCode?: string } = {}): Promise<{ id: string; token: string; username: string; client: () => ConsoleClient }> {
  seq += 1;
  const username = `user${seq}`;
  const created = await r.account({ username, password: PASSWORD, regionCode: over.regionCode ?? '320100', ...over });
  const address = `10.1.0.${seq}`;
  return { ...created, username, client: () => consoleClient(r.app.url, { 'x-forwarded-for': address }) };
}

async function loggedIn(over: { mustChangePassword?: boolean } = {}) {
  const account = await fresh(over);
  const client = account.client();
  const res = await client.login(account.username, PASSWORD);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { ...account, c: client };
}

describe('POST /admin/api/session (login)', () => {
  it('logs in with the right password: the account, a CSRF token, and an httpOnly SameSite=Strict cookie on /admin without Secure over plain HTTP', async () => {
    const a = await fresh();
    const c = a.client();
    const res = await c.login(a.username.toUpperCase(), PASSWORD);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      account: { id: a.id, username: a.username, name: `${a.username} committee`, regionCode: '320100', regionName: '南京市', tier: 'city', levels: [], disabled: false, createdAt: expect.any(String), lastLoginAt: r.clock.now().toISOString() },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      mustChangePassword: false,
    });
    const cookie = res.headers.getSetCookie().find((h) => h.startsWith('rc_session='))!;
    expect(cookie).toMatch(/^rc_session=[A-Za-z0-9_-]{43};/);
    expect(cookie.toLowerCase()).toContain('path=/admin;');
    expect(cookie.toLowerCase()).toContain('samesite=strict');
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie.toLowerCase()).not.toContain('secure');
    expect((await c.call('GET', '/me')).body).toMatchObject({ id: a.id, username: a.username });
  });

  it('marks the cookie Secure when the client came over HTTPS through the trusted proxy', async () => {
    const a = await fresh();
    const c = consoleClient(r.app.url, { 'x-forwarded-for': '10.2.0.1', 'x-forwarded-proto': 'https' });
    const res = await c.login(a.username, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((h) => h.startsWith('rc_session='))!.toLowerCase()).toMatch(/;\s*secure/);
  });

  it('answers a wrong password and an unknown username alike: 401 "wrong username or password" (regression: with no stable code), no cookie', async () => {
    const a = await fresh();
    const wrong = await a.client().login(a.username, 'not the password');
    const unknown = await a.client().login('nobody-here', PASSWORD);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 'unauthenticated', error: 'wrong username or password' });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('refuses a login body without a password with a specific 400', async () => {
    const a = await fresh();
    const res = await a.client().call('POST', '/session', { username: a.username });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^password: /);
  });
});

describe('GET and DELETE /admin/api/session', () => {
  it('GET answers the session as login did, with the same CSRF token and no new cookie; 401 without a session', async () => {
    const a = await loggedIn();
    const res = await a.c.call('GET', '/session');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ account: { id: a.id }, csrfToken: a.c.csrfToken, mustChangePassword: false });
    expect(res.headers.getSetCookie()).toEqual([]);
    const anonymous = await consoleClient(r.app.url).call('GET', '/session');
    expect(anonymous.status).toBe(401);
  });

  it('logout kills the session server-side: the old cookie is refused afterwards, even if a client kept it', async () => {
    const a = await loggedIn();
    const kept = a.c.cookie;
    const out = await a.c.call('DELETE', '/session');
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().find((h) => h.startsWith('rc_session='))).toMatch(/^rc_session=;.*expires=Thu, 01 Jan 1970/i);
    const replay = consoleClient(r.app.url);
    replay.cookie = kept;
    const res = await replay.call('GET', '/me');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'your session has expired or was ended; log in again', code: 'sessionExpired' });
  });
});

describe('CSRF', () => {
  it('refuses an unsafe cookie request without the CSRF token, with a wrong one, and with another session’s, changing nothing', async () => {
    const a = await loggedIn();
    const other = await loggedIn();
    for (const csrf of [null, 'x'.repeat(43), other.c.csrfToken]) {
      const res = await a.c.call('POST', '/tokens', { label: 'sneaky' }, { csrf });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'missing or wrong CSRF token; reload the page', code: 'csrf' });
    }
    expect((await a.c.call('DELETE', '/session', undefined, { csrf: null })).status).toBe(403);
    expect((await a.c.call('GET', '/tokens')).body.tokens.map((t: { label: string }) => t.label)).toEqual(['admin:create']);
    const ok = await a.c.call('POST', '/tokens', { label: 'with the token' });
    expect(ok.status).toBe(201);
  });

  it('needs no CSRF token with a bearer token (scripts)', async () => {
    const a = await fresh();
    const res = await r.api('POST', '/tokens', a.token, { label: 'nightly report' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), label: 'nightly report', token: expect.stringMatching(/^rca_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/) });
  });
});

describe('session expiry', () => {
  it('ends a session idle for 30 minutes, while requests within that keep it alive', async () => {
    const a = await loggedIn();
    r.clock.advance(29 * MIN);
    expect((await a.c.call('GET', '/me')).status).toBe(200);
    r.clock.advance(29 * MIN);
    expect((await a.c.call('GET', '/me')).status).toBe(200);
    r.clock.advance(30 * MIN);
    const res = await a.c.call('GET', '/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('sessionExpired');
  });

  it('ends a session 12 hours after login however active it is', async () => {
    const a = await loggedIn();
    // 24 × 29 min = 11 h 36 min: alive; the 25th step passes 12 h.
    for (let i = 0; i < 24; i++) {
      r.clock.advance(29 * MIN);
      expect((await a.c.call('GET', '/me')).status, `after ${(i + 1) * 29} minutes`).toBe(200);
    }
    r.clock.advance(29 * MIN);
    expect((await a.c.call('GET', '/me')).status).toBe(401);
  });
});

describe('GET and DELETE /admin/api/sessions', () => {
  it('lists one’s live sessions with the current one marked, and revokes another, which stops working at once', async () => {
    const a = await loggedIn();
    const second = a.client();
    expect((await second.login(a.username, PASSWORD)).status).toBe(200);
    const list = await a.c.call('GET', '/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.map((s: { current: boolean }) => s.current).sort()).toEqual([false, true]);
    expect(list.body.sessions[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), createdAt: expect.any(String), lastSeenAt: expect.any(String), address: expect.stringMatching(/^10\.1\.0\.\d+$/), userAgent: expect.any(String), current: expect.any(Boolean) });
    const other = list.body.sessions.find((s: { current: boolean }) => !s.current);
    expect((await a.c.call('DELETE', `/sessions/${other.id}`)).status).toBe(204);
    expect((await second.call('GET', '/me')).status).toBe(401);
    expect((await a.c.call('GET', '/me')).status).toBe(200);
    expect((await a.c.call('DELETE', `/sessions/${other.id}`)).status).toBe(404);
    const audit = await r.api('GET', `/audit?target=session:${other.id}`, a.token);
    expect(audit.body.items).toEqual([expect.objectContaining({ adminId: a.id, action: 'revokeSession', outcome: 'invalid' }), expect.objectContaining({ adminId: a.id, action: 'revokeSession', outcome: 'done' })]);
  });

  it('does not let one admin revoke another admin’s session', async () => {
    const a = await loggedIn();
    const b = await loggedIn();
    const bSession = (await b.c.call('GET', '/sessions')).body.sessions[0].id;
    expect((await a.c.call('DELETE', `/sessions/${bSession}`)).status).toBe(404);
    expect((await b.c.call('GET', '/me')).status).toBe(200);
  });
});

describe('the temporary password', () => {
  it('lets a session do nothing but change it first; after the change everything works and other sessions end', async () => {
    const a = await loggedIn({ mustChangePassword: true });
    const elsewhere = a.client();
    expect((await elsewhere.login(a.username, PASSWORD)).body.mustChangePassword).toBe(true);
    for (const [method, path] of [['GET', '/me'], ['GET', '/applications'], ['GET', '/accounts'], ['POST', '/tokens']] as const) {
      const res = await a.c.call(method, path, method === 'POST' ? { label: 'x' } : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual({ error: 'change your password first', code: 'passwordChangeRequired' });
    }
    expect((await a.c.call('GET', '/session')).body.mustChangePassword).toBe(true);
    const change = await a.c.call('POST', '/session/password', { currentPassword: PASSWORD, newPassword: 'a much better secret' });
    expect(change.status, JSON.stringify(change.body)).toBe(204);
    expect((await a.c.call('GET', '/me')).status).toBe(200);
    expect((await a.c.call('GET', '/session')).body.mustChangePassword).toBe(false);
    expect((await elsewhere.call('GET', '/session')).status).toBe(401);
    const next = a.client();
    expect((await next.login(a.username, PASSWORD)).status).toBe(401);
    expect((await next.login(a.username, 'a much better secret')).body.mustChangePassword).toBe(false);
  });

  it('does not hold back a bearer token of the account (scripts keep working)', async () => {
    const a = await fresh({ mustChangePassword: true });
    expect((await r.api('GET', '/me', a.token)).status).toBe(200);
  });

  it('refuses a short new password, the username, the current one and a wrong current password, changing nothing', async () => {
    const a = await loggedIn();
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ currentPassword: PASSWORD, newPassword: 'short' }, 400, /at least 10 characters/],
      [{ currentPassword: PASSWORD, newPassword: PASSWORD }, 400, /differ from the current/],
      [{ currentPassword: 'wrong password!', newPassword: 'a much better secret' }, 403, /current password is wrong/],
    ];
    for (const [body, status, message] of cases) {
      const res = await a.c.call('POST', '/session/password', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error).toMatch(message);
    }
    const longName = await r.account({ username: 'averylongusername', password: PASSWORD, regionCode: '320100' });
    const c = consoleClient(r.app.url, { 'x-forwarded-for': '10.3.0.1' });
    await c.login('averylongusername', PASSWORD);
    const same = await c.call('POST', '/session/password', { currentPassword: PASSWORD, newPassword: 'AveryLongUsername' });
    expect(same.status).toBe(400);
    expect(same.body.error).toBe('newPassword: the password may not be the username');
    expect(longName.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await a.client().login(a.username, PASSWORD)).status).toBe(200);
  });
});
